/**
 * The notebooks under the real Jupyter + tslab kernel, through the same runner as `npm run figures`.
 * Needs the Debian Jupyter packages (bash scripts/setup.sh installs them; CI runs it first).
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const REPO = resolve(import.meta.dirname, "..");
const RUNNER = join(REPO, "scripts", "run_notebooks.py");

function runRunner(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync("/usr/bin/python3", [RUNNER, ...args], {
    cwd: REPO, encoding: "utf8", env: { ...process.env, ...env }, timeout: 600_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function notebook(cells: string[]): string {
  return JSON.stringify({
    nbformat: 4, nbformat_minor: 5,
    metadata: { kernelspec: { name: "latent-bridge", display_name: "TypeScript (latent-bridge)", language: "typescript" } },
    cells: [
      { cell_type: "markdown", id: "m0", metadata: {}, source: "# planted" },
      ...cells.map((source, i) => ({ cell_type: "code", id: `c${i}`, metadata: {}, execution_count: null, outputs: [], source })),
    ],
  });
}

describe("headless notebook runner", () => {
  it("reports a planted failing cell with the notebook name, the cell number and the real error text", () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-planted-"));
    writeFileSync(join(dir, "planted.ipynb"), notebook([
      'console.log("first cell runs");',
      'import { InverseRelativeProjection } from "./src/index";\nnew InverseRelativeProjection({ delta: 1.5 });',
      'console.log("never reached");',
    ]));
    const r = runRunner(["--notebooks-dir", dir, "--out-dir", join(dir, "out"), "planted"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("planted.ipynb: cell 3 (code cell 2) failed");
    expect(r.stderr).toContain("InvalidParameterError: delta: expected a number in [0, 1), got 1.5");
    expect(r.stderr).not.toContain("never reached");
  }, 120_000);

  it("reports a type error in a cell", () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-planted-"));
    writeFileSync(join(dir, "typed.ipynb"), notebook(['const n: number = "not a number";']));
    const r = runRunner(["--notebooks-dir", dir, "--out-dir", join(dir, "out"), "typed"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("typed.ipynb: cell 2 (code cell 1) failed");
    expect(r.stderr).toMatch(/Type 'string' is not assignable to type 'number'/);
  }, 120_000);

  it("keeps a cell alive through a progress bar ticked in long synchronous stretches (tslab sends one display update at a time)", () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-planted-"));
    writeFileSync(join(dir, "storm.ipynb"), notebook([[
      'import { progress } from "./src/engine/progress";',
      'const bar = progress({ total: 3000, label: "storm", minIntervalSeconds: 0 });',
      "for (let i = 0; i < 3000; i++) {",
      "  const until = Date.now() + 1; while (Date.now() < until) {}",
      "  bar.tick();",
      "  if (i % 20 === 19) await new Promise<void>((r) => setImmediate(r));",
      "}",
      "bar.done();",
      'console.log("survived");',
    ].join("\n")]));
    const r = runRunner(["--notebooks-dir", dir, "--out-dir", join(dir, "out"), "storm"], { LATENT_BRIDGE_PROGRESS: "auto" });
    expect(r.stderr + r.stdout).toContain("storm ... ok");
    const executed = readFileSync(join(dir, "out", "storm.ipynb"), "utf8");
    expect(executed).toContain("survived");
    expect(executed).toContain("storm 3000/3000 100%");
  }, 120_000);

  it("names the notebooks it has when asked for one that does not exist", () => {
    const r = runRunner(["no-such-notebook"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("no notebook named 'no-such-notebook'");
    expect(r.stderr).toContain("00-quickstart");
  });
});

describe("notebooks in quick mode", () => {
  it("00-quickstart executes every cell and writes its figures and table", () => {
    const figures = mkdtempSync(join(tmpdir(), "lb-figures-"));
    const r = runRunner(["--quick", "--out-dir", join(figures, "executed"), "00-quickstart"], { LATENT_BRIDGE_FIGURES_DIR: figures });
    expect(r.stderr + r.stdout).toContain("00-quickstart ... ok");
    expect(r.status).toBe(0);
    const files = readdirSync(figures);
    for (const f of ["quickstart-relative-projection.png", "quickstart-relative-projection.svg", "quickstart-methods.csv", "quickstart-methods.md"]) {
      expect(files, f).toContain(f);
      expect(statSync(join(figures, f)).size).toBeGreaterThan(100);
    }
    expect(existsSync(join(figures, "executed", "00-quickstart.ipynb"))).toBe(true);
  }, 600_000);

  // Every other notebook runs in quick mode too, and must write at least one figure or table.
  const others = readdirSync(join(REPO, "notebooks")).filter((f) => f.endsWith(".ipynb") && !f.startsWith("00-quickstart")).map((f) => f.slice(0, -6)).sort();
  it.each(others)("%s executes every cell in quick mode", (name) => {
    const figures = mkdtempSync(join(tmpdir(), "lb-figures-"));
    const r = runRunner(["--quick", "--out-dir", join(figures, "executed"), name], { LATENT_BRIDGE_FIGURES_DIR: figures });
    expect(r.stderr + r.stdout).toContain(`${name} ... ok`);
    expect(r.status).toBe(0);
    expect(readdirSync(figures).filter((f) => /\.(png|svg|csv|md)$/.test(f)).length).toBeGreaterThan(0);
  }, 900_000);
});
