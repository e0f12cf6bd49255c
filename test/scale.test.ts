import { describe, expect, it } from "vitest";
import { rescaleGrid, rescaleInject, rescaleSweep, scaleStatistics, quantileSorted, embeddingScales } from "../src/scale/index";
import { trainHead } from "../src/heads/index";
import { histogramCounts } from "../src/plot/histogram";
import { Matrix, rowNorms } from "../src/linalg/matrix";
import { Random } from "../src/linalg/random";
import { InvalidParameterError, ZeroNormError } from "../src/errors";
import { randomMatrix } from "./helpers";

describe("rescale injection", () => {
  it("gives every row norm α exactly and keeps its direction", () => {
    const x = randomMatrix(50, 7, 1, 3);
    for (const alpha of [1e-3, 0.5, 1, 42, 1e5]) {
      const y = rescaleInject(x, alpha);
      rowNorms(y).forEach((n) => expect(n / alpha).toBeCloseTo(1, 13));
      const xn = rowNorms(x);
      for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) expect(y.get(i, j)).toBeCloseTo((x.get(i, j) / xn[i]) * alpha, 10);
    }
  });

  it("refuses α ≤ 0, non-finite α and zero rows", () => {
    for (const a of [0, -1, NaN, Infinity]) expect(() => rescaleInject([[1, 2]], a)).toThrow(InvalidParameterError);
    expect(() => rescaleInject([[1, 2], [0, 0]], 2)).toThrow(ZeroNormError);
  });

  it("builds log-spaced grids that include the mean scale", () => {
    const g = rescaleGrid({ min: 0.01, max: 100, count: 5, include: [3.7] });
    expect(g).toHaveLength(6);
    expect(g[0]).toBeCloseTo(0.01, 12);
    expect(g[2]).toBeCloseTo(1, 12);
    expect(g).toContain(3.7);
    for (let i = 1; i < g.length; i++) expect(g[i]).toBeGreaterThan(g[i - 1]);
  });

  it("a bias-free ReLU MLP's accuracy is identical at every α (positive homogeneity), a biased tanh MLP's is not", async () => {
    const rng = new Random(5);
    const x = new Matrix(300, 10);
    const labels = new Int32Array(300);
    for (let i = 0; i < 300; i++) {
      labels[i] = i % 3;
      for (let j = 0; j < 10; j++) x.data[i * 10 + j] = rng.normal() + (j === labels[i] ? 2.5 : 0) + 4;
    }
    const alphas = [1e-3, 0.1, 1, 10, 1e3];
    const relu = await trainHead(x, labels, { kind: "mlp", hidden: [32, 32], activation: "relu", useBias: false, seed: 1, epochs: 30 }, { progress: false });
    const r = rescaleSweep(relu, x, labels, alphas);
    for (const p of r.points) expect(p.accuracy).toBe(r.points[0].accuracy);
    expect(r.points[0].accuracy).toBeGreaterThan(0.5);
    const tanh = await trainHead(x, labels, { kind: "mlp", hidden: [32, 32], activation: "tanh", useBias: true, seed: 1, epochs: 30 }, { progress: false });
    const t = rescaleSweep(tanh, x, labels, alphas);
    expect(new Set(t.points.map((p) => p.accuracy)).size).toBeGreaterThan(1);
    expect(r.meanScale).toBeCloseTo(Array.from(embeddingScales(x)).reduce((a, b) => a + b, 0) / 300, 10);
  }, 60_000);
});

describe("scale statistics", () => {
  it("match closed-form values on Gaussian data", () => {
    const rng = new Random(11);
    const n = 200_000, mu = 10, sigma = 2;
    const v = Float64Array.from({ length: n }, () => mu + sigma * rng.normal());
    const s = scaleStatistics(v);
    expect(s.mean).toBeCloseTo(mu, 1);
    expect(s.std).toBeCloseTo(sigma, 1);
    expect(Math.abs(s.skewness)).toBeLessThan(0.03);
    expect(Math.abs(s.excessKurtosis)).toBeLessThan(0.05);
    expect(s.outlierShare).toBeGreaterThan(0.002);
    expect(s.outlierShare).toBeLessThan(0.0035); // 0.27% for a Gaussian
    expect(s.quantiles.q50).toBeCloseTo(mu, 1);
    expect(s.quantiles.q95).toBeCloseTo(mu + 1.6449 * sigma, 1);
    expect(s.quantiles.q01).toBeCloseTo(mu - 2.3263 * sigma, 1);
  });

  it("match hand-computed values on a tiny sample, and detect skew", () => {
    const s = scaleStatistics([1, 2, 3, 4]);
    expect(s.mean).toBe(2.5);
    expect(s.std).toBeCloseTo(Math.sqrt(1.25), 14);
    expect(s.skewness).toBeCloseTo(0, 14);
    expect(s.excessKurtosis).toBeCloseTo(1.64 - 3, 12); // m4/m2² = 2.5625/1.5625
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(scaleStatistics([1, 1, 1, 1, 10]).skewness).toBeGreaterThan(1);
    expect(() => scaleStatistics([1])).toThrow(InvalidParameterError);
  });

  it("histogram counts sum to the sample count", () => {
    const v = Float64Array.from({ length: 1234 }, (_, i) => Math.sin(i) * 5);
    const h = histogramCounts(v, 17);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(1234);
  });
});

describe("sweep summaries", () => {
  it("aggregates runs per α and finds the invariant interval around the mean scale", async () => {
    const { aggregateSweeps, invariantInterval } = await import("../src/scale/index");
    const runs = [
      { points: [{ alpha: 0.1, accuracy: 0.2 }, { alpha: 1, accuracy: 0.8 }, { alpha: 10, accuracy: 0.78 }, { alpha: 100, accuracy: 0.5 }] },
      { points: [{ alpha: 0.1, accuracy: 0.4 }, { alpha: 1, accuracy: 0.8 }, { alpha: 10, accuracy: 0.82 }, { alpha: 100, accuracy: 0.5 }] },
    ];
    const agg = aggregateSweeps(runs);
    expect(agg.map((p) => p.mean)).toEqual([0.30000000000000004, 0.8, 0.8, 0.5]);
    expect(agg[0].std).toBeCloseTo(0.1, 12);
    expect(invariantInterval(agg, 1.2, 0.05)).toEqual({ low: 1, high: 10, reference: 0.8 });
    expect(() => aggregateSweeps([runs[0], { points: runs[1].points.slice(1) }])).toThrow(/same α grid/);
  });
});
