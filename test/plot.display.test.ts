/**
 * What a notebook reader sees: every kind of figure the notebooks draw, drawn from the HTML `show`
 * emits in headless Chromium, fits the output's width (nothing to scroll sideways, every panel and
 * the modebar inside), while exports keep the publication size. Multi-panel scatter figures wrap
 * into fewer columns as the output narrows, and re-wrap when the window is resized.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import {
  barChart, chromiumPath, closeExporter, figureHtml, heatmap, heatmapGrid, histogram, linePlot, matrixWithMarginals,
  renderFigure, scatterPanels, type Figure,
} from "../src/plot/index";
import { wrappedColumnCounts } from "../src/plot/scatterPanels";
import { NOTEBOOK6_OUTPUT_WIDTH, openFigurePage, type FigurePage } from "./figureDisplay";

const ring = (n: number, r: number, phase = 0) => ({
  x: Array.from({ length: n }, (_, i) => r * Math.cos(phase + (2 * Math.PI * i) / n)),
  y: Array.from({ length: n }, (_, i) => r * Math.sin(phase + (2 * Math.PI * i) / n)),
});
const hue = Array.from({ length: 60 }, (_, i) => (2 * Math.PI * i) / 60);

/** The quickstart's Fig. 1: four panels in one row (1,440 × 500 px exported). */
function fourPanels(): Figure {
  const panel = (title: string, r: number) => ({ title, series: [{ name: "items", ...ring(60, r), color: hue }, { name: "anchors", ...ring(6, r), color: "#111", symbol: "star" as const, size: 14 }] });
  return scatterPanels({
    title: "Relative projection and its inverse",
    panels: [panel("space X", 1), panel("space Y (reflected, rotated, ×2.5, shifted)", 2.5), { ...panel("relative space (cos to anchors 1, 2)", 1), xTitle: "cos(·, anchor 1)", yTitle: "cos(·, anchor 2)" }, panel("X decoded into Y by IRP", 2.5)],
  });
}

const grid = (rows: number, cols: number, offset: number) => Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => offset + i * 0.1 + j * 0.01));
const deltas = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], omegas = [1, 2, 4, 8, 16, 32];
const encoders = ["mobilenet_v2", "mobilenet_v2_mid", "inception_v3", "mlp-256-s0", "glove-100d", "lsa-64"];

/** One figure of every builder, shaped as the notebooks call them (full-mode sizes). */
const notebookFigures: Array<[string, () => Figure]> = [
  ["scatterPanels (Fig. 1)", fourPanels],
  ["heatmapGrid 2×2 (Fig. 3, Fig. 6)", () => heatmapGrid(
    ["similarity", "accuracy", "condition number", "anchors"].map((t, k) => ({ z: grid(6, 10, k), x: deltas, y: omegas, title: t, xTitle: "pruning threshold δ", yTitle: "subspaces ω", colorbarTitle: t, format: ".2f" })),
    { columns: 2, title: "IRP stitching sensitivity on WordNet glosses: 5 encoders, 3 seeds" },
  )],
  ["matrixWithMarginals (Fig. 7)", () => matrixWithMarginals({ z: grid(6, 6, 0.2), rowLabels: encoders, colLabels: encoders, xTitle: "encoder (source)", yTitle: "decoder (head)", colorbarTitle: "accuracy", zmin: 0, zmax: 1, title: "Emoji stitching with IRP, ω = 16, δ = 0.8, 1000 anchors (3 seeds)" })],
  ["heatmap (Fig. 2)", () => heatmap({ z: grid(11, 19, 0), x: Array.from({ length: 19 }, (_, i) => `block_${i}_project`), y: ["0.05", "0.1", "0.25", "0.5", "0.75", "1", "1.5", "2", "4", "10", "20"], title: "MobileNetV2: accuracy after rescaling one block", xTitle: "rescaled block", yTitle: "rescaling factor α", colorbarTitle: "accuracy" })],
  ["linePlot (Fig. 4)", () => linePlot({ title: "Rescale injection", xTitle: "α", yTitle: "accuracy", logX: true, series: ["cos", "relu", "tanh"].map((name, k) => ({ name, x: [0.01, 0.1, 1, 10, 100], y: [0.1, 0.5 + k / 10, 0.8, 0.5, 0.1] })) })],
  ["histogram (Fig. 5)", () => histogram({ title: "Embedding scales", xTitle: "scale / mean scale", bins: 60, series: encoders.map((name, k) => ({ name, values: Float64Array.from({ length: 500 }, (_, i) => 1 + 0.1 * Math.sin(i * (k + 1))) })) })],
  ["barChart (Table 1, Table 2, Fig. 7)", () => barChart({ title: "Zero-shot stitching", yTitle: "accuracy", categories: ["fashion-mnist", "emoji", "wordnet", "debian"], series: ["IRP", "Procrustes", "lstsq", "relative", "absolute", "non-stitch"].map((name, k) => ({ name, values: [0.4 + k / 20, 0.3, 0.2, 0.35], errors: [0.01, 0.02, 0.01, 0.02] })) })],
];

const html = (fig: Figure, k: number) => figureHtml(fig, { id: `lb-fig-${k}`, width: typeof fig.layout.width === "number" ? fig.layout.width : 900, height: typeof fig.layout.height === "number" ? fig.layout.height : 600 });

describe("scatterPanels wrapping", () => {
  it("wraps n panels into every smaller column count that changes the number of rows, down to one", () => {
    expect(wrappedColumnCounts(4, 4)).toEqual([4, 2, 1]);
    expect(wrappedColumnCounts(3, 3)).toEqual([3, 2, 1]);
    expect(wrappedColumnCounts(5, 5)).toEqual([5, 3, 2, 1]);
    expect(wrappedColumnCounts(4, 2)).toEqual([2, 1]);
    expect(wrappedColumnCounts(1, 1)).toEqual([1]);
  });

  it("keeps the publication layout (one row of 360 px panels) and offers 2 × 2 and 4 × 1 for notebooks", () => {
    const fig = fourPanels();
    expect([fig.layout.width, fig.layout.height]).toEqual([1440, 500]);
    const alt = fig.displayLayouts!;
    expect(alt.map((a) => a.layout)[0]).toBe(fig.layout);
    expect(alt.map((a) => [a.layout.width, a.layout.height])).toEqual([[1440, 500], [720, 970], [420, 1910]]);
    // widest first; the last one always fits
    expect(alt.map((a) => a.minWidth)).toEqual([1260, 680, 0]);
    // 2 × 2: panels 0 and 2 share a column, 0 and 1 a row; every panel keeps its own axes
    const d = (l: Figure["layout"], k: number) => (l[k === 0 ? "xaxis" : `xaxis${k + 1}`] as { domain: number[] }).domain;
    const e = (l: Figure["layout"], k: number) => (l[k === 0 ? "yaxis" : `yaxis${k + 1}`] as { domain: number[] }).domain;
    const two = alt[1].layout;
    expect(d(two, 0)).toEqual(d(two, 2));
    expect(e(two, 0)).toEqual(e(two, 1));
    expect(e(two, 0)[0]).toBeGreaterThan(e(two, 2)[1]); // row 1 above row 2, with a gap
    // the rows are about as tall in px as the publication's one row (370 px: height − 70 top − 60 bottom margin)
    const rowPx = (l: Figure["layout"]) => (e(l, 0)[1] - e(l, 0)[0]) * ((l.height as number) - 130);
    expect(rowPx(fig.layout)).toBeCloseTo(370, 6);
    expect(Math.abs(rowPx(two) - 370)).toBeLessThan(10);
  });

  it("has no alternatives for a single panel", () => {
    expect(scatterPanels({ panels: [{ title: "one", series: [{ name: "s", x: [0, 1], y: [1, 0] }] }] }).displayLayouts).toBeUndefined();
  });
});

describe.skipIf(!existsSync(chromiumPath()))("figures as a notebook shows them (headless Chromium)", () => {
  let page: FigurePage;
  beforeAll(async () => {
    page = await openFigurePage();
  }, 60_000);
  afterAll(async () => {
    await page?.close();
    await closeExporter();
  });

  it("exports keep the publication size: the Fig. 1 panels stay one 1,440 × 500 px row in PNG and SVG", async () => {
    const fig = fourPanels();
    const png = Buffer.from(await renderFigure(fig, "png", { scale: 1 }));
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1440, 500]);
    const svg = Buffer.from(await renderFigure(fig, "svg")).toString("utf8");
    expect(svg).toMatch(/^<svg[^>]* viewBox="0 0 1440 500"/);
  }, 60_000);

  for (const width of [NOTEBOOK6_OUTPUT_WIDTH, 600]) {
    it(`every kind of notebook figure fits a ${width} px output: nothing to scroll, every panel and the modebar inside`, async () => {
      const shown = await page.measure(notebookFigures.map(([, make], k) => html(make(), k)), width);
      expect(shown).toHaveLength(notebookFigures.length);
      shown.forEach((s, k) => {
        const name = notebookFigures[k][0];
        expect(s.outputWidth, name).toBe(width);
        expect(s.svgWidth, name).toBeLessThanOrEqual(width);
        expect(s.svgWidth, name).toBeGreaterThan(width - 20); // and uses the width it has
        expect(s.overflow, name).toBe(0);
        expect(s.allInside, name).toBe(true);
      });
      // Fig. 1 wraps: 2 × 2 in a Notebook 6 column (967 px), one column at 600 px
      expect(shown[0].columns).toBe(width >= 680 ? 2 : 1);
      expect(shown[0].svgHeight).toBe(width >= 680 ? 970 : 1910);
    }, 60_000);
  }

  it("draws Fig. 1 as one row where there is room, and re-wraps when the window narrows or widens", async () => {
    await page.resize(1500);
    const [wide] = await page.measure([html(fourPanels(), 0)]);
    expect(wide.outputWidth).toBe(1500);
    expect([wide.columns, wide.svgWidth, wide.svgHeight, wide.overflow]).toEqual([4, 1500, 500, 0]);
    await page.resize(900);
    const [narrow] = await page.remeasure();
    expect([narrow.columns, narrow.svgWidth, narrow.svgHeight, narrow.overflow]).toEqual([2, 900, 970, 0]);
    expect(narrow.allInside).toBe(true);
    await page.resize(1500);
    const [again] = await page.remeasure();
    expect([again.columns, again.svgHeight]).toEqual([4, 500]);
    await page.resize(1280);
  }, 60_000);
});
