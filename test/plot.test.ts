/**
 * src/plot: pure figure builders (no browser), paths / bundle resolution, and the headless-Chromium
 * exporter (one browser for the whole file, closed in afterAll).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import vm from "node:vm";
import ts from "typescript";
import { InvalidParameterError, ShapeMismatchError } from "../src/errors";
import {
  barChart, bundleHtml, closeExporter, colorAt, contrastingText, exporterStats, figureHtml, figuresDir, formatBySpec,
  heatmap, heatmapGrid, histogram, histogramCounts, isQuickMode, linePlot, locatePlotlyBundle, marginalMeans,
  matrixWithMarginals, MissingDependencyError, repoRoot, resolveColorscale, saveFigure, show, writeFileAtomic,
  type Annotation, type Axis, type Figure,
} from "../src/plot/index";

const REPO = resolve(import.meta.dirname, "..");
const PLOT_SRC = join(REPO, "src", "plot");

const tmpDirs: string[] = [];
function tmp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), `lb-plot-${prefix}-`));
  tmpDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

function withEnv<T>(vars: Record<string, string | undefined>, f: () => T): T {
  const old: Record<string, string | undefined> = {};
  for (const k of Object.keys(vars)) {
    old[k] = process.env[k];
    if (vars[k] === undefined) delete process.env[k];
    else process.env[k] = vars[k];
  }
  try {
    return f();
  } finally {
    for (const k of Object.keys(old)) {
      if (old[k] === undefined) delete process.env[k];
      else process.env[k] = old[k];
    }
  }
}

const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);

describe("histogramCounts", () => {
  it("counts add up to the number of finite samples, with bins + 1 increasing edges", () => {
    let seed = 7;
    const values = Float64Array.from({ length: 1000 }, () => ((seed = (seed * 48271) % 2147483647) / 2147483647) * 10 - 3);
    const { edges, counts } = histogramCounts(values, 17);
    expect(counts).toHaveLength(17);
    expect(edges).toHaveLength(18);
    expect(sum(counts)).toBe(1000);
    for (let k = 1; k < edges.length; k++) expect(edges[k]).toBeGreaterThan(edges[k - 1]);
    expect(edges[0]).toBe(Math.min(...values));
    expect(edges[17]).toBe(Math.max(...values));
  });

  it("matches a hand-computed case; the maximum lands in the last bin", () => {
    // range [0, 4], 4 bins of width 1: [0,1) ← 0, 0.2, 0.9 · [1,2) ← 1 · [2,3) ← 2.5 · [3,4] ← 3.99, 4
    const { edges, counts } = histogramCounts([0, 0.2, 0.9, 1, 2.5, 3.99, 4], 4);
    expect(edges).toEqual([0, 1, 2, 3, 4]);
    expect(counts).toEqual([3, 1, 1, 2]);
  });

  it("puts the range's end values in the first and last bins, skips NaN and out-of-range values", () => {
    const r = histogramCounts([0, 1, NaN, Infinity, -0.5, 1.5, 0.3], 10, [0, 1]);
    expect(r.counts[0]).toBe(1);
    expect(r.counts[9]).toBe(1);
    expect(r.counts[3]).toBe(1); // 0.3 sits exactly on an edge: [0.3, 0.4)
    expect(sum(r.counts)).toBe(3);
  });

  it("handles a constant sample and rejects bad bins / ranges", () => {
    expect(histogramCounts([2, 2, 2], 3)).toEqual({ edges: [1.5, 1.8333333333333333, 2.1666666666666665, 2.5], counts: [0, 3, 0] });
    expect(() => histogramCounts([1], 0)).toThrow(InvalidParameterError);
    expect(() => histogramCounts([1], 2.5)).toThrow(/bins/);
    expect(() => histogramCounts([1], 3, [1, 1])).toThrow(/range/);
  });
});

describe("histogram", () => {
  it("shares bin edges across series and leaves zero counts out of a log axis", () => {
    const fig = histogram({ series: [{ name: "a", values: [0, 0, 1] }, { name: "b", values: [3, 4] }], bins: 4, xTitle: "v" });
    expect(fig.data).toHaveLength(2);
    expect(fig.data[0].x).toEqual(fig.data[1].x);
    expect(fig.data[0].x).toEqual([0.5, 1.5, 2.5, 3.5]);
    expect(fig.data[0].y).toEqual([2, 1, null, null]); // 0, 0 in [0, 1); 1 in [1, 2)
    expect(fig.data[1].y).toEqual([null, null, null, 2]);
    expect(fig.layout.yaxis?.type).toBe("log");
    expect(fig.layout.barmode).toBe("overlay");
    const linear = histogram({ series: [{ name: "a", values: [0, 0, 1] }], bins: 2, logCounts: false, overlay: false });
    expect(linear.data[0].y).toEqual([2, 1]);
    expect(linear.layout.yaxis?.type).toBeUndefined();
  });
});

describe("formatBySpec", () => {
  it("follows d3-style specs", () => {
    expect(formatBySpec(0.123456, ".2f")).toBe("0.12");
    expect(formatBySpec(-0.5, ".2f")).toBe("-0.50");
    expect(formatBySpec(-0.0001, ".2f")).toBe("0.00");
    expect(formatBySpec(0.1234, ".1%")).toBe("12.3%");
    expect(formatBySpec(12345.678, ",.1f")).toBe("12,345.7");
    expect(formatBySpec(1234.5, ".2e")).toBe("1.23e+3");
    expect(formatBySpec(0.000123456, ".3g")).toBe("0.000123");
    expect(formatBySpec(41.6, "d")).toBe("42");
    expect(formatBySpec(2.5, ".3~f")).toBe("2.5");
    expect(formatBySpec(0.25, "")).toBe("0.25");
    expect(() => formatBySpec(1, "%.2f")).toThrow(InvalidParameterError);
  });

  it.each([
    [1083.2, ".3s", "1.08k"],
    [14620, ".3s", "14.6k"],
    [97.66, ".3s", "97.7"],
    [1.5512, ".3s", "1.55"],
    [999.96, ".3s", "1.00k"],
    [2.5e6, ".3s", "2.50M"],
    [0.0032, ".3s", "3.20m"],
    [-1500, ".2s", "-1.5k"],
    [0, ".3s", "0.00"],
    [1000, ".3~s", "1k"],
  ])("writes SI prefixes with the s type, as d3 (short cell labels): %d with %s is %s", (value, spec, text) => {
    expect(formatBySpec(value, spec)).toBe(text);
  });
});

describe("heatmap", () => {
  const z = [
    [0.123, 0.5, 0.9],
    [0.3, NaN, -0.25],
  ];
  const fig = heatmap({ z, x: [1, 2, 4], y: [0.1, 0.5], title: "t", xTitle: "ω", yTitle: "δ", colorbarTitle: "acc" });
  const ann = fig.layout.annotations as Annotation[];

  it("has one annotation per finite cell, at the cell's category index, formatted", () => {
    expect(ann).toHaveLength(5);
    expect(ann.map((a) => a.text)).toEqual(["0.12", "0.50", "0.90", "0.30", "-0.25"]);
    expect(ann.map((a) => [a.x, a.y])).toEqual([[0, 0], [1, 0], [2, 0], [0, 1], [2, 1]]);
    expect(fig.data[0].z).toEqual([[0.123, 0.5, 0.9], [0.3, null, -0.25]]);
    expect(fig.data[0].x).toEqual(["1", "2", "4"]);
    expect(fig.layout.xaxis?.type).toBe("category");
    expect(fig.layout.yaxis?.autorange).toBe("reversed");
    const all = heatmap({ z: [[1, 2], [3, 4]], x: ["a", "b"], y: ["c", "d"], format: ".1%" });
    expect((all.layout.annotations as Annotation[]).map((a) => a.text)).toEqual(["100.0%", "200.0%", "300.0%", "400.0%"]);
    expect(heatmap({ z: [[1, 2]], x: ["a", "b"], y: ["c"], annotate: false }).layout.annotations).toEqual([]);
  });

  it("switches the text colour for contrast with the cell colour", () => {
    // viridis: the minimum is dark purple (white text), the maximum bright yellow (black text)
    const low = ann.find((a) => a.text === "-0.25")!;
    const high = ann.find((a) => a.text === "0.90")!;
    expect(low.font?.color).toBe("white");
    expect(high.font?.color).toBe("black");
    const reversed = heatmap({ z: [[0, 1]], x: ["a", "b"], y: ["r"], reverseScale: true });
    expect((reversed.layout.annotations as Annotation[]).map((a) => a.font?.color)).toEqual(["black", "white"]);
    expect(contrastingText(colorAt(resolveColorscale("greys"), 0))).toBe("black");
    expect(contrastingText(colorAt(resolveColorscale("greys"), 1))).toBe("white");
  });

  it("uses zmin / zmax for the colour range and rejects shape mismatches", () => {
    const f = heatmap({ z: [[0.5]], x: ["a"], y: ["b"], zmin: 0, zmax: 1 });
    expect([f.data[0].zmin, f.data[0].zmax]).toEqual([0, 1]);
    expect(() => heatmap({ z: [[1, 2], [3]], x: ["a", "b"], y: ["c", "d"] })).toThrow(ShapeMismatchError);
    expect(() => heatmap({ z: [[1, 2]], x: ["a"], y: ["c"] })).toThrow(/x: expected 2 labels/);
    expect(() => heatmap({ z: [[1, 2]], x: ["a", "a"], y: ["c"] })).toThrow(/distinct/);
    expect(() => heatmap({ z: [[1, 2]], x: ["a", "b"], y: ["c"], zmin: 2, zmax: 1 })).toThrow(InvalidParameterError);
  });
});

describe("heatmapGrid", () => {
  it("lays out 2×2 panels on their own axes, each with its colour bar beside it", () => {
    const panel = (title: string, k: number) => ({ z: [[k, k + 1], [k + 2, k + 3]], x: ["a", "b"], y: ["c", "d"], title, colorbarTitle: "v" });
    const fig = heatmapGrid([panel("A", 0), panel("B", 10), panel("C", 20), panel("D", 30)], { columns: 2, title: "grid" });
    expect(fig.data.map((t) => [t.xaxis, t.yaxis])).toEqual([["x", "y"], ["x2", "y2"], ["x3", "y3"], ["x4", "y4"]]);
    const ax = (k: string) => fig.layout[k] as Axis;
    const xd = ["xaxis", "xaxis2", "xaxis3", "xaxis4"].map((k) => ax(k).domain!);
    const yd = ["yaxis", "yaxis2", "yaxis3", "yaxis4"].map((k) => ax(k).domain!);
    expect(xd[0][1]).toBeLessThan(xd[1][0]); // columns do not overlap
    expect(yd[2][1]).toBeLessThan(yd[0][0]); // second row below the first
    for (let k = 0; k < 4; k++) {
      const cb = fig.data[k].colorbar!;
      expect(cb.x!).toBeGreaterThan(xd[k][1]); // right of its own panel…
      if (k % 2 === 0) expect(cb.x!).toBeLessThan(xd[k + 1][0]); // …and left of the next one
      expect(cb.y!).toBeCloseTo((yd[k][0] + yd[k][1]) / 2);
    }
    const ann = fig.layout.annotations as Annotation[];
    const cells = ann.filter((a) => a.xref !== "paper");
    expect(cells).toHaveLength(16);
    expect(cells.filter((a) => a.xref === "x2").map((a) => a.text)).toEqual(["10.00", "11.00", "12.00", "13.00"]);
    expect(ann.filter((a) => a.xref === "paper").map((a) => a.text)).toEqual(["<b>A</b>", "<b>B</b>", "<b>C</b>", "<b>D</b>"]);
    expect(() => heatmapGrid([])).toThrow(InvalidParameterError);
  });
});

describe("matrixWithMarginals", () => {
  const z = [
    [1, 2, 3],
    [4, 5, 6],
  ];
  const fig = matrixWithMarginals({ z, rowLabels: ["r1", "r2"], colLabels: ["c1", "c2", "c3"], title: "m", format: ".1f" });

  it("draws the row and column means as bars that share the matrix's axes", () => {
    const [hm, top, right] = fig.data;
    expect(hm.type).toBe("heatmap");
    expect(top).toMatchObject({ type: "bar", xaxis: "x", yaxis: "y2", x: ["c1", "c2", "c3"], y: [2.5, 3.5, 4.5] });
    expect(right).toMatchObject({ type: "bar", orientation: "h", xaxis: "x2", yaxis: "y", y: ["r1", "r2"], x: [2, 5] });
    expect(top.text).toEqual(["2.5", "3.5", "4.5"]);
    expect((fig.layout.annotations as Annotation[]).map((a) => a.text)).toEqual(["1.0", "2.0", "3.0", "4.0", "5.0", "6.0"]);
    expect((fig.layout.yaxis2 as Axis).domain![0]).toBeGreaterThan(fig.layout.yaxis!.domain![1]);
  });

  it("ignores NaN cells in the means", () => {
    expect(marginalMeans([[1, NaN], [3, 5]])).toEqual({ rows: [1, 4], cols: [2, 5] });
    expect(marginalMeans([[NaN]]).rows[0]).toBeNaN();
  });
});

describe("linePlot and barChart", () => {
  it("draws series with error bars and a labelled vertical line (log10 position on a log axis)", () => {
    const fig = linePlot({
      series: [{ name: "IRP", x: [0.1, 1, 10], y: [0.5, 0.9, 0.6], yError: [0.1, 0.05, 0.1] }],
      logX: true,
      verticalLines: [{ x: 3, label: "mean scale" }],
      xTitle: "rescale factor",
      yTitle: "accuracy",
    });
    expect(fig.data[0].error_y).toMatchObject({ type: "data", array: [0.1, 0.05, 0.1], visible: true });
    expect(fig.layout.xaxis?.type).toBe("log");
    expect(fig.layout.shapes).toMatchObject([{ type: "line", x0: 3, x1: 3, yref: "paper", y0: 0, y1: 1 }]);
    expect((fig.layout.annotations as Annotation[])[0]).toMatchObject({ text: "mean scale", x: Math.log10(3) });
    expect(() => linePlot({ series: [{ name: "a", x: [0, 1], y: [1, 2] }], logX: true })).toThrow(/positive/);
    expect(() => linePlot({ series: [{ name: "a", x: [1, 2], y: [1] }] })).toThrow(ShapeMismatchError);
  });

  it("groups bars by category", () => {
    const fig = barChart({ categories: ["IRP", "LSQ"], series: [{ name: "cos", values: [0.9, 0.7], errors: [0.01, 0.02] }, { name: "acc", values: [0.8, 0.6] }], yTitle: "score" });
    expect(fig.data.map((t) => t.y)).toEqual([[0.9, 0.7], [0.8, 0.6]]);
    expect(fig.data[0].error_y?.array).toEqual([0.01, 0.02]);
    expect(fig.layout.barmode).toBe("group");
    expect(() => barChart({ categories: ["a"], series: [{ name: "s", values: [1, 2] }] })).toThrow(ShapeMismatchError);
  });
});

describe("paths", () => {
  it("figuresDir follows LATENT_BRIDGE_FIGURES_DIR, then quick mode, then <repo>/build/figures (never the committed figures/ by default)", () => {
    expect(repoRoot(join(REPO, "src", "plot"))).toBe(REPO);
    withEnv({ LATENT_BRIDGE_FIGURES_DIR: "/tmp/somewhere", LATENT_BRIDGE_QUICK: "1" }, () => expect(figuresDir()).toBe("/tmp/somewhere"));
    withEnv({ LATENT_BRIDGE_FIGURES_DIR: undefined, LATENT_BRIDGE_QUICK: "1" }, () => {
      expect(isQuickMode()).toBe(true);
      expect(figuresDir()).toBe(join(REPO, "build", "quick", "figures"));
    });
    withEnv({ LATENT_BRIDGE_FIGURES_DIR: undefined, LATENT_BRIDGE_QUICK: "0" }, () => {
      expect(isQuickMode()).toBe(false);
      expect(figuresDir()).toBe(join(REPO, "build", "figures"));
      expect(spawnSync("git", ["check-ignore", "-q", join(figuresDir(), "x.png")], { cwd: REPO }).status).toBe(0); // ignored by git
    });
  });
});

describe("plotly bundle", () => {
  const expected = join(REPO, "node_modules", "plotly.js-dist-min", "plotly.min.js");

  it("is found through require, through a file path, and from the repository root without either", () => {
    expect(locatePlotlyBundle()).toBe(expected);
    expect(locatePlotlyBundle({ require: createRequire(join(PLOT_SRC, "bundle.ts")), filename: null, cwd: "/" })).toBe(expected);
    expect(locatePlotlyBundle({ require: null, filename: join(PLOT_SRC, "bundle.ts"), cwd: "/" })).toBe(expected);
    expect(locatePlotlyBundle({ require: null, filename: null, cwd: join(REPO, "test", "fixtures") })).toBe(expected);
    const elsewhere = tmp("nowhere");
    expect(() => locatePlotlyBundle({ require: null, filename: null, cwd: elsewhere })).toThrow(MissingDependencyError);
    expect(() => locatePlotlyBundle({ require: null, filename: null, cwd: elsewhere })).toThrow(/plotly\.js-dist-min/);
  });

  it("every src/plot file compiles to CommonJS that parses (tslab runs it as CommonJS: no import.meta)", () => {
    const files = readdirSync(PLOT_SRC).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const src = readFileSync(join(PLOT_SRC, f), "utf8");
      const out = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
      expect(() => new vm.Script(`(function (exports, require, module, __filename, __dirname) {\n${out}\n})`, { filename: f }), f).not.toThrow();
    }
  });

  it("is embedded in a notebook as one script that cannot be closed early", () => {
    const html = bundleHtml("var a = '</script>'; var b = '</SCRIPT >';", "3.1.2");
    expect(html.match(/<\/script/gi)).toHaveLength(1);
    expect(html.endsWith("</script>")).toBe(true);
  });
});

describe("notebook figure HTML", () => {
  it("holds a hidden plot div, the PNG fallback and a script that removes the PNG once plotly has drawn", () => {
    const fig = heatmap({ z: [[1]], x: ["a"], y: ["b"], title: "</script><b>x</b>" });
    const html = figureHtml(fig, { id: "lb-fig-1", pngBase64: "AAAA", width: 900, height: 600 });
    expect(html).toContain('<div id="lb-fig-1" style="display:none;');
    expect(html).toContain('<img id="lb-fig-1-png" src="data:image/png;base64,AAAA"');
    expect(html).toContain('alt="x"');
    expect(html).toContain("P.newPlot(el, fig.data, layoutAt(shown, el)");
    expect(html).toContain("removeChild(img)");
    // the title's "</script>" is escaped inside the JSON, so only our own closing tag remains
    expect(html.match(/<\/script/gi)).toHaveLength(1);
    expect(figureHtml(fig, { id: "lb-fig-2", width: 9, height: 6 })).not.toContain("<img");
  });
});

describe("writeFileAtomic", () => {
  it("writes via a temporary file and leaves nothing behind on failure", () => {
    const dir = tmp("atomic");
    writeFileAtomic(join(dir, "sub", "a.txt"), "hello");
    expect(readFileSync(join(dir, "sub", "a.txt"), "utf8")).toBe("hello");
    writeFileAtomic(join(dir, "sub", "a.txt"), "again");
    expect(readFileSync(join(dir, "sub", "a.txt"), "utf8")).toBe("again");
    mkdirSync(join(dir, "sub", "isdir"));
    writeFileSync(join(dir, "sub", "isdir", "x"), "x");
    expect(() => writeFileAtomic(join(dir, "sub", "isdir"), "data")).toThrow();
    expect(readdirSync(join(dir, "sub")).sort()).toEqual(["a.txt", "isdir"]);
  });
});

// ---------------------------------------------------------------------------------------------------
// Export through headless Chromium (one browser for all of these).

function pngSize(buf: Buffer): { width: number; height: number } {
  expect([...buf.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(buf.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/** A small well-formedness check: tags nest and close properly (comments, CDATA, declarations skipped). */
function checkXmlNesting(xml: string): number {
  const stack: string[] = [];
  let elements = 0;
  const re = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<(\/?)([A-Za-z][\w:.-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'))?)*)\s*(\/?)>/g;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(xml))) {
    const between = xml.slice(last, m.index);
    if (between.includes("<")) throw new Error(`stray "<" near offset ${last}`);
    last = re.lastIndex;
    if (!m[2]) continue;
    if (m[1]) {
      const open = stack.pop();
      if (open !== m[2]) throw new Error(`</${m[2]}> closes <${open}>`);
    } else if (!m[4]) {
      stack.push(m[2]);
      elements++;
    } else elements++;
  }
  if (stack.length) throw new Error(`unclosed <${stack.join("><")}>`);
  if (xml.slice(last).includes("<")) throw new Error("stray < at the end");
  return elements;
}

describe("saveFigure (headless Chromium)", () => {
  beforeAll(async () => {
    await closeExporter();
  });
  afterAll(async () => {
    await closeExporter();
  });

  const fig: Figure = heatmap({
    z: [[0.1, 0.55, 0.9], [0.3, 0.7, 0.2]],
    x: [1, 2, 4],
    y: [0.1, 0.5],
    title: "export test",
    xTitle: "ω",
    yTitle: "δ",
    colorbarTitle: "acc",
  });

  it("writes a valid PNG (width·scale × height·scale) and SVG, atomically, through one browser", async () => {
    const dir = tmp("save");
    const before = exporterStats().browserLaunches;
    const paths = await saveFigure(fig, "heat", { dir, width: 400, height: 300, scale: 2 });
    expect(paths).toEqual({ png: join(dir, "heat.png"), svg: join(dir, "heat.svg") });

    const png = readFileSync(paths.png!);
    expect(pngSize(png)).toEqual({ width: 800, height: 600 });
    expect(png.length).toBeGreaterThan(1024);

    const svg = readFileSync(paths.svg!, "utf8");
    expect(svg.startsWith("<svg") || svg.startsWith("<?xml")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg.length).toBeGreaterThan(2048);
    expect(checkXmlNesting(svg)).toBeGreaterThan(50);
    expect(svg).toContain("0.55"); // a cell annotation made it into the image
    expect(svg).toContain("export test");

    expect(readdirSync(dir).sort()).toEqual(["heat.png", "heat.svg"]); // no temp files left

    const second = matrixWithMarginals({ z: [[1, 2], [3, 4]], rowLabels: ["a", "b"], colLabels: ["c", "d"], title: "second" });
    const p2 = await saveFigure(second, "marg", { dir, formats: ["png"], scale: 1 });
    expect(pngSize(readFileSync(p2.png!))).toEqual({ width: 900, height: 600 }); // defaults 900×600
    expect(exporterStats().browserLaunches - before).toBe(1); // both figures, one browser
    expect(exporterStats().running).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["heat.png", "heat.svg", "marg.png"]);
  });

  it("validates the name before doing anything", async () => {
    await expect(saveFigure(fig, "a/b", { dir: tmp("bad") })).rejects.toThrow(InvalidParameterError);
    await expect(saveFigure(fig, "", { dir: tmp("bad") })).rejects.toThrow(/name/);
    await expect(saveFigure(fig, "x", { dir: tmp("bad"), formats: ["gif" as "png"] })).rejects.toThrow(/formats/);
  });

  it("show() outside a notebook prints where the figure would go, or saves it when asked", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    try {
      await show(fig);
      expect(log).toHaveBeenCalledTimes(1);
      expect(String(log.mock.calls[0][0])).toMatch(/not in a notebook.*export-test\.png/);
      const dir = tmp("show");
        await show(fig, { name: "shown", save: { dir, formats: ["svg"] } });
      expect(readdirSync(dir)).toEqual(["shown.svg"]);
      expect(String(log.mock.calls[1][0])).toContain(join(dir, "shown.svg"));
    } finally {
      log.mockRestore();
    }
  });

  it("a missing Chromium gives MissingDependencyError naming chromium, without launching anything", async () => {
    await closeExporter();
    expect(exporterStats().running).toBe(false);
    const before = exporterStats().browserLaunches;
    const dir = tmp("nochromium");
    const old = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = "/nonexistent";
    try {
      const err = await saveFigure(fig, "never", { dir }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(MissingDependencyError);
      const e = err as MissingDependencyError;
      expect(e.dependency).toBe("chromium");
      expect(e.message).toContain("chromium");
      expect(e.message).toContain("/nonexistent");
      expect(e.message).toContain("apt-get install chromium");
    } finally {
      if (old === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = old;
    }
    expect(exporterStats().browserLaunches).toBe(before);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a script that exports a figure exits by itself (the idle browser does not hold the process)", () => {
    const dir = tmp("script");
    const script = join(dir, "export-and-end.mts");
    writeFileSync(script, [
      `import { heatmap } from ${JSON.stringify(join(PLOT_SRC, "heatmap.ts"))};`,
      `import { saveFigure } from ${JSON.stringify(join(PLOT_SRC, "export.ts"))};`,
      `await saveFigure(heatmap({ z: [[1, 2]], x: ["a", "b"], y: ["r"] }), "fig", { dir: ${JSON.stringify(dir)}, formats: ["png"], scale: 1 });`,
      `console.log("saved");`,
    ].join("\n"));
    const started = Date.now();
    const r = spawnSync(process.execPath, ["--import", "tsx", script], { cwd: REPO, encoding: "utf8", timeout: 25_000 });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("saved");
    expect(r.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(existsSync(join(dir, "fig.png"))).toBe(true);
    expect(statSync(join(dir, "fig.png")).size).toBeGreaterThan(1024);
    // its browser profile was removed on the way out
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith(`latent-bridge-chromium-${r.pid}-`))).toEqual([]);
  }, 30_000);
});
