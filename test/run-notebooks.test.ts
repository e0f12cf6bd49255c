/**
 * scripts/run_notebooks.py's --jobs: validation, the longest-first order from run-times.csv, and two
 * planted notebooks side by side (one failing: reported, the other still runs, exit 1 at the end).
 * The last needs the Debian Jupyter packages, as test/notebooks.test.ts.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO, runRunner } from "./notebookHarness";

const hasJupyter = spawnSync("/usr/bin/python3", ["-c", "import nbclient, nbformat"], { encoding: "utf8" }).status === 0;

/** Runs Python with the runner's functions imported as `r`; returns what it prints. */
function python(code: string): string {
  const r = spawnSync("/usr/bin/python3", ["-c", `import sys, pathlib; sys.path.insert(0, ${JSON.stringify(join(REPO, "scripts"))}); import run_notebooks as r\n${code}`], {
    encoding: "utf8", env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" }, // no __pycache__ in scripts/
  });
  expect(r.stderr).toBe("");
  return r.stdout.trim();
}

function notebook(cells: string[]): string {
  return JSON.stringify({
    nbformat: 4, nbformat_minor: 5,
    metadata: { kernelspec: { name: "latent-bridge", display_name: "TypeScript (latent-bridge)", language: "typescript" } },
    cells: cells.map((source, i) => ({ cell_type: "code", id: `c${i}`, metadata: {}, execution_count: null, outputs: [], source })),
  });
}

describe.runIf(hasJupyter)("run_notebooks --jobs", () => {
  it("names a notebook's slowest cells from the busy/idle times in the executed copy, none under 10 s", () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-slowest-"));
    const cell = (source: string, busy?: string, idle?: string) => ({
      cell_type: "code", id: source, execution_count: null, outputs: [], source,
      metadata: busy === undefined ? {} : { execution: { "iopub.status.busy": busy, "iopub.status.idle": idle } },
    });
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
    writeFileSync(join(dir, "timed.ipynb"), JSON.stringify({
      nbformat: 4, nbformat_minor: 5, metadata: {},
      cells: [
        { cell_type: "markdown", id: "m", metadata: {}, source: "# t" },
        cell("a", at(0), at(5)), cell("b", at(5), at(47)), cell("c"), cell("d", at(47), at(59)), cell("e", at(0), at(11)), cell("f", at(0), at(30)), cell("g", "yesterday", at(0)), cell("h", at(0), "2026-01-01T00:01:00"),
      ],
    }));
    writeFileSync(join(dir, "quick.ipynb"), JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [cell("a", at(0), at(9))] }));
    const out = python([
      `print(r.slowest_cells(pathlib.Path(${JSON.stringify(join(dir, "timed.ipynb"))})))`,
      `print(repr(r.slowest_cells(pathlib.Path(${JSON.stringify(join(dir, "quick.ipynb"))}))))`,
      'print(repr(r.slowest_cells(pathlib.Path("/nonexistent.ipynb"))))',
    ].join("\n")).split("\n");
    expect(out[0]).toBe("cell 3: 42 s, cell 7: 30 s, cell 5: 12 s"); // 1-based over all cells, as failures are reported; top 3
    expect(out.slice(1)).toEqual(["''", "''"]);
  });

  it("refuses a --jobs that is not an integer >= 1, naming it", () => {
    for (const bad of ["0", "-1", "two", "1.5"]) {
      const r = runRunner(["--jobs", bad, "00-quickstart"]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`argument --jobs: expected an integer >= 1 (notebooks run at once), got '${bad}'`);
    }
  });

  it("orders notebooks longest first by this mode's last run-times.csv, unknown ones first", () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-order-"));
    writeFileSync(join(dir, "run-times.csv"), [
      "notebook,mode,seconds,cache,new_cache_entries,commit,finished", // an older file, without the jobs column
      "a,full,10.0,warm,0,x,t", "b,full,300.5,warm,0,x,t", "c,full,42,warm,0,x,t", "d,quick,999,warm,0,x,t", "e,full,oops,warm,0,x,t",
    ].join("\n") + "\n");
    const order = python([
      `times = r.last_run_times(pathlib.Path(${JSON.stringify(dir)}), "full")`,
      "print(sorted(times.items()))",
      'print(" ".join(p.stem for p in r.longest_first([pathlib.Path(n + ".ipynb") for n in "abcde"], times)))',
      'print(r.last_run_times(pathlib.Path("/nonexistent"), "full"))',
    ].join("\n")).split("\n");
    expect(order[0]).toBe("[('a', 10.0), ('b', 300.5), ('c', 42.0)]"); // quick rows and unreadable seconds ignored
    expect(order[1]).toBe("d e b c a"); // no full-mode time: first, in name order; then 300.5, 42, 10
    expect(order[2]).toBe("{}");
  });

  it("runs two notebooks side by side: a failure is reported with its cell, the other finishes, then exit 1", () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-jobs-"));
    const figures = join(dir, "figures");
    writeFileSync(join(dir, "bad.ipynb"), notebook(['import { InverseRelativeProjection } from "./src/index";\nnew InverseRelativeProjection({ omega: 0 });']));
    writeFileSync(join(dir, "good.ipynb"), notebook(['await new Promise((r) => setTimeout(r, 3000));\nconsole.log("good ran");']));
    const r = runRunner(["--notebooks-dir", dir, "--out-dir", join(dir, "out"), "--jobs", "2", "--quick"], { LATENT_BRIDGE_FIGURES_DIR: figures });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("up to 2 at once, longest first: bad, good");
    expect(r.stdout).toMatch(/ {2}bad started\n {2}good started\n/); // both started before either finished
    expect(r.stdout).toMatch(/ {2}good ok \(\d+\.\d s\)/);
    expect(r.stdout).toMatch(/ {2}bad FAILED/);
    expect(r.stderr).toContain("bad.ipynb: cell 1 (code cell 1) failed");
    expect(r.stderr).toContain("InvalidParameterError: omega");
    expect(r.stderr).toContain("1 of 2 notebook(s) failed: bad");
    expect(readFileSync(join(dir, "out", "good.ipynb"), "utf8")).toContain("good ran");
    const rows = readFileSync(join(figures, "run-times.csv"), "utf8").trim().split("\n");
    expect(rows[0]).toBe("notebook,mode,seconds,cache,new_cache_entries,jobs,commit,finished");
    expect(rows).toHaveLength(2); // the failed notebook has no row
    expect(rows[1]).toMatch(/^good,quick,\d+\.\d,(warm|cold),\d+,2,/);
  }, 300_000);
});
