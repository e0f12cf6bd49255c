/**
 * show() in the real Jupyter + tslab kernel (through scripts/run_notebooks.py, as `npm run figures`
 * runs notebooks): plotly's bundle is emitted once per kernel session, each figure is one
 * display_data with text/html (interactive plot + PNG <img> fallback), image/png and text/plain,
 * and `{ name }` saves the figure. Needs the Debian Jupyter packages (bash scripts/setup.sh);
 * skipped without them. ~25 s: kernel start, tslab's type check of src/plot, one Chromium.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const REPO = resolve(import.meta.dirname, "..");
const RUNNER = join(REPO, "scripts", "run_notebooks.py");

const hasJupyter =
  existsSync(RUNNER) &&
  existsSync(join(REPO, "jupyter")) &&
  spawnSync("/usr/bin/python3", ["-c", "import nbclient, nbformat"], { encoding: "utf8" }).status === 0;

type Output = { output_type: string; name?: string; text?: string | string[]; data?: Record<string, string | string[]> };
const joined = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join("") : v ?? "");

describe.skipIf(!hasJupyter)("show() in a tslab notebook", () => {
  it("emits the bundle once and one multi-MIME output per figure, and saves named figures", () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-plot-nb-"));
    const cells = [
      'import { heatmap, matrixWithMarginals, show, exporterStats, isTslabKernel } from "./src/plot/index";\nconsole.log("tslab kernel:", isTslabKernel());',
      'await show(heatmap({ z: [[0.1, 0.5], [0.9, 0.3]], x: [1, 2], y: ["a", "b"], title: "nb heatmap" }));',
      'await show(matrixWithMarginals({ z: [[1, 2], [3, 4]], rowLabels: ["r1", "r2"], colLabels: ["c1", "c2"], title: "nb marginals" }), { name: "nb-marginals" });\nconsole.log("launches:", exporterStats().browserLaunches);',
    ];
    writeFileSync(join(dir, "show.ipynb"), JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: "latent-bridge", display_name: "TypeScript (latent-bridge)", language: "typescript" } },
      cells: cells.map((source, i) => ({ cell_type: "code", id: `c${i}`, metadata: {}, execution_count: null, outputs: [], source })),
    }));
    const figures = join(dir, "figures");
    const r = spawnSync("/usr/bin/python3", [RUNNER, "--notebooks-dir", dir, "--out-dir", join(dir, "out"), "show"], {
      cwd: REPO, encoding: "utf8", timeout: 240_000, env: { ...process.env, LATENT_BRIDGE_FIGURES_DIR: figures, JUPYTER_DATA_DIR: join(dir, "jupyter-data") }, // its own signature database
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);

    const nb = JSON.parse(readFileSync(join(dir, "out", "show.ipynb"), "utf8")) as { cells: Array<{ outputs: Output[] }> };
    const [c0, c1, c2] = nb.cells.map((c) => c.outputs);
    expect(joined(c0.find((o) => o.name === "stdout")?.text)).toContain("tslab kernel: true");

    const displays = [...c1, ...c2].filter((o) => o.output_type === "display_data");
    const bundles = displays.filter((o) => joined(o.data?.["text/html"]).includes("plotly.js v3"));
    expect(bundles).toHaveLength(1); // once per kernel session, before the first figure
    expect(displays[0]).toBe(bundles[0]);
    expect(joined(bundles[0].data?.["text/html"]).length).toBeGreaterThan(4_000_000);

    const figs = displays.filter((o) => o !== bundles[0]);
    expect(figs).toHaveLength(2); // one output per figure
    for (const f of figs) {
      expect(Object.keys(f.data ?? {}).sort()).toEqual(["image/png", "text/html", "text/plain"]);
      const html = joined(f.data!["text/html"]);
      const png = Buffer.from(joined(f.data!["image/png"]), "base64");
      expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
      expect(html).toContain(`src="data:image/png;base64,${joined(f.data!["image/png"])}"`);
      expect(html).toContain(".newPlot(el, fig.data, layoutAt(shown, el)"); // the drawing script
      expect(html).not.toContain("cdn.plot.ly");
    }
    expect(joined(figs[1].data!["text/plain"])).toContain("nb-marginals.png");
    expect(joined(c2.find((o) => o.name === "stdout")?.text)).toContain("launches: 1");
    expect(statSync(join(figures, "nb-marginals.png")).size).toBeGreaterThan(1024);
    expect(statSync(join(figures, "nb-marginals.svg")).size).toBeGreaterThan(1024);
    rmSync(dir, { recursive: true, force: true });
  }, 300_000);
});
