/**
 * Notebooks import `src/` through tslab, which type-checks every imported file with its own bundled
 * TypeScript and its own (non-strict, lib es2022 only, declaration-emitting) settings. Code that
 * passes our strict `tsc` can still fail there (a DOM-only type, a union that only narrows under
 * strictNullChecks) and then breaks a notebook at its first import. This checks all of `src/` the
 * way tslab will.
 */
import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const REPO = resolve(import.meta.dirname, "..");
const require = createRequire(import.meta.url);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("src/ under tslab's compiler", () => {
  it("type-checks with tslab's TypeScript and options", () => {
    const ts = require(join(REPO, "node_modules", "@tslab", "typescript-for-tslab")) as typeof import("typescript");
    const program = ts.createProgram(sourceFiles(join(REPO, "src")), {
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      esModuleInterop: true,
      target: ts.ScriptTarget.ES2022,
      lib: ["lib.es2022.d.ts"],
      declaration: true,
      noEmit: true,
      resolveJsonModule: true,
      skipLibCheck: true,
      types: ["node"],
      typeRoots: [join(REPO, "node_modules", "@types")],
    });
    const messages = ts.getPreEmitDiagnostics(program)
      .filter((d) => d.file && !d.file.fileName.includes("node_modules"))
      .map((d) => {
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        return `${relative(REPO, d.file!.fileName)}:${line + 1} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
      });
    expect(messages).toEqual([]);
  }, 120_000);
});
