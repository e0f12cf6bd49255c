/**
 * The headless notebook runner (the same as `npm run figures`) under the real Jupyter + tslab kernel,
 * and the quickstart in quick mode. Every other notebook's quick-mode test is its own file under
 * test/notebooks/ (see notebookHarness.ts); the last test here holds that every notebook has one.
 * Needs the Debian Jupyter packages (bash scripts/setup.sh installs them; CI runs it first).
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO, expectSavedFiguresToFit, isSigned, notebookNames, runRunner } from "./notebookHarness";

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
    // A full-mode run, but not of ours: its run-times row went to the test's folder, not the committed figures/.
    expect(readFileSync(join(REPO, "figures", "run-times.csv"), "utf8")).not.toMatch(/^storm,/m);
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
  it("00-quickstart executes every cell, writes Fig. 1 (PNG, SVG and its table), its methods table and pruning plot, and a signed executed copy", async () => {
    const figures = mkdtempSync(join(tmpdir(), "lb-figures-"));
    const dataDir = join(figures, "jupyter-data"); // its own signature database
    const r = runRunner(["--quick", "--out-dir", join(figures, "executed"), "00-quickstart"], {
      LATENT_BRIDGE_FIGURES_DIR: figures, JUPYTER_DATA_DIR: dataDir,
      // Its own (empty) cache: the run-times row counts new entries in the cache folder, which notebooks
      // running beside this one (other test files) add to.
      LATENT_BRIDGE_CACHE_DIR: join(figures, "cache"),
    });
    expect(r.stderr + r.stdout).toContain("00-quickstart ... ok");
    expect(r.status).toBe(0);
    expect(readdirSync(figures).filter((f) => f.includes(".")).sort()).toEqual(
      [
        "fig1-relative-projection.csv", "fig1-relative-projection.md", "fig1-relative-projection.png", "fig1-relative-projection.svg",
        "quickstart-methods.csv", "quickstart-methods.md", "quickstart-pruning.png", "quickstart-pruning.svg", "run-times.csv",
      ],
    );
    for (const f of readdirSync(figures).filter((f) => f.includes(".") && f !== "run-times.csv")) expect(statSync(join(figures, f)).size, f).toBeGreaterThan(100);
    // The runner recorded the run: one row for this notebook in quick mode, its seconds and cache state.
    const times = readFileSync(join(figures, "run-times.csv"), "utf8").trim().split("\n");
    expect(times[0]).toBe("notebook,mode,seconds,cache,new_cache_entries,jobs,commit,finished");
    expect(times).toHaveLength(2);
    const [nb, mode, seconds, cache, , jobs] = times[1].split(",");
    expect([nb, mode, cache]).toEqual(["00-quickstart", "quick", "warm"]); // the quickstart caches nothing
    expect(jobs).toBe("1"); // one notebook at a time (the default --jobs)
    expect(Number(seconds)).toBeGreaterThan(0);
    // The table holds the figure's numbers: 60 items, 6 anchors, and the relative representations of
    // X and Y coincide (X and Y differ by an isometry, a rescaling and a shift), to the 6 digits saved.
    const [header, ...lines] = readFileSync(join(figures, "fig1-relative-projection.csv"), "utf8").trim().split("\n");
    const cols = header.split(",");
    expect(cols).toEqual(["item", "anchor", "angle", "x_1", "x_2", "y_1", "y_2", "relX_1", "relX_2", "relY_1", "relY_2", "irp_1", "irp_2"]);
    const rows = lines.map((l) => l.split(","));
    expect(rows).toHaveLength(60);
    expect(rows.filter((c) => c[1] === "yes")).toHaveLength(6);
    const at = (c: string[], name: string) => Number(c[cols.indexOf(name)]);
    for (const c of rows) {
      expect(Math.abs(at(c, "relX_1") - at(c, "relY_1"))).toBeLessThan(1e-5);
      expect(Math.abs(at(c, "relX_2") - at(c, "relY_2"))).toBeLessThan(1e-5);
    }
    const executed = join(figures, "executed", "00-quickstart.ipynb");
    expect(isSigned(executed, dataDir)).toBe(true); // Jupyter opens it trusted and draws its plots
    expect(isSigned(join(REPO, "notebooks", "00-quickstart.ipynb"), join(figures, "empty-data-dir"))).toBe(false); // the check can fail
    expect(await expectSavedFiguresToFit(executed)).toBe(2);
  }, 600_000);

  it("every other notebook has its quick-mode test file, test/notebooks/<name>.test.ts, and each of those names a notebook", () => {
    const others = notebookNames().filter((n) => n !== "00-quickstart");
    const files = readdirSync(join(REPO, "test", "notebooks")).filter((f) => f.endsWith(".test.ts")).map((f) => f.slice(0, -".test.ts".length)).sort();
    expect(files).toEqual(others);
    for (const n of files) expect(readFileSync(join(REPO, "test", "notebooks", `${n}.test.ts`), "utf8")).toContain(`quickNotebookTest("${n}"`);
  });
});
