/**
 * The layering rule of .dependency-cruiser.cjs (ARCHITECTURE.md): src/ has no upward import and no
 * cycle, and the rule does catch one (a fixture tree with a linalg → eval import and a cycle).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cruise, type IReporterOutput } from "dependency-cruiser";

const require = createRequire(resolve("package.json"));
const config = require(resolve(".dependency-cruiser.cjs"));

async function violations(root: string): Promise<string[]> {
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const result: IReporterOutput = await cruise(["src"], { ruleSet: config, ...config.options, validate: true });
    const output = result.output as { summary: { violations: Array<{ rule: { name: string }; from: string; to: string }> } };
    return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
  } finally {
    process.chdir(cwd);
  }
}

describe("layering", () => {
  const fixture = mkdtempSync(join(tmpdir(), "lb-layers-"));
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));

  it("src/ imports only downward and has no cycle", async () => {
    expect(await violations(process.cwd())).toEqual([]);
  }, 60_000);

  it("catches an upward import and a cycle", async () => {
    const file = (p: string, text: string) => {
      mkdirSync(join(fixture, p, ".."), { recursive: true });
      writeFileSync(join(fixture, p), text);
    };
    file("src/linalg/a.ts", 'import { b } from "../eval/b";\nexport const a = b;\n');
    file("src/eval/b.ts", "export const b = 1;\n");
    file("src/translate/c.ts", 'import { d } from "./d";\nexport const c = 1 + d;\n');
    file("src/translate/d.ts", 'import { c } from "./c";\nexport const d = 1;\nexport const e = () => c;\n');
    const found = await violations(fixture);
    expect(found).toContain("layer-linalg: src/linalg/a.ts → src/eval/b.ts");
    expect(found.some((v) => v.startsWith("no-circular: src/translate/"))).toBe(true);
  }, 60_000);
});
