/**
 * The study's evaluator: `evaluatePanel` (several translators through the one stitching protocol,
 * with translation metrics) and `irpPanel` (IRP, its variants with their anchor-only choices, and the
 * direct maps), plus the ω × δ grid and chooser for a variant.
 */
import { describe, expect, it } from "vitest";
import { evaluatePanel } from "../src/eval/stitching/panel";
import { irpPanel, pickRidge, RIDGE_CHOICE_MARGIN } from "../src/eval/irpPanel";
import { sensitivityGrid } from "../src/eval/sensitivity";
import { chooseIrpParameters } from "../src/eval/irpChoice";
import { controlledPair } from "../src/data/controlledPair";
import { InverseRelativeProjection } from "../src/translate/irp";
import { meanCosineSimilarity } from "../src/metrics/metrics";
import { InvalidParameterError } from "../src/errors";
import { correlatedPoints, randomMatrix } from "./helpers";
import { drawAnchorIndices } from "../src/eval/stitching/common";
import { irpGapDiagnostic } from "../src/eval/irpDiagnostic";
import { MatrixContentMemo } from "../src/linalg/contentMemo";
import { selectRows } from "../src/linalg/matrix";
import { matmul } from "../src/linalg/product";

const pick = (c: { omega: number; delta: number; score: number }) => ({ omega: c.omega, delta: c.delta, score: c.score });

describe("the ω × δ grid and the chooser for a variant", () => {
  const anchors = { x: correlatedPoints(60, 10, 7, 1), y: correlatedPoints(60, 8, 7, 1) };
  const test = { x: correlatedPoints(30, 10, 7, 2), y: correlatedPoints(30, 8, 7, 2) };

  it.each([[{ ridge: 0.3 }], [{ whiten: true }]])("%o: each grid cell is the variant's own held-out similarity", (variant) => {
    const rows = sensitivityGrid({
      spaces: [{ name: "x", anchors: anchors.x, test: test.x }, { name: "y", anchors: anchors.y, test: test.y }],
      pairs: [["x", "y"]], omegas: [1, 4], deltas: [0, 0.5], seeds: [3], variant, progress: false,
    });
    expect(rows).toHaveLength(4);
    for (const r of rows) {
      const irp = new InverseRelativeProjection({ omega: r.omega, delta: r.delta, seed: 3, ...variant }).fit(anchors.x, anchors.y);
      expect(r.similarity).toBeCloseTo(meanCosineSimilarity(irp.transform(test.x), test.y), 9);
    }
    const plain = sensitivityGrid({
      spaces: [{ name: "x", anchors: anchors.x, test: test.x }, { name: "y", anchors: anchors.y, test: test.y }],
      pairs: [["x", "y"]], omegas: [1, 4], deltas: [0, 0.5], seeds: [3], progress: false,
    });
    expect(plain.map((r) => r.similarity)).not.toEqual(rows.map((r) => r.similarity));
  });

  it("the chooser passes the variant through (its table differs from plain IRP's)", () => {
    const a = chooseIrpParameters({ anchorsX: anchors.x, anchorsY: anchors.y, omegas: [1, 4], deltas: [0, 0.5] });
    const b = chooseIrpParameters({ anchorsX: anchors.x, anchorsY: anchors.y, omegas: [1, 4], deltas: [0, 0.5], variant: { ridge: 5 } });
    expect(b.table.map((c) => c.score)).not.toEqual(a.table.map((c) => c.score));
    expect(() => chooseIrpParameters({ anchorsX: anchors.x, anchorsY: anchors.y, variant: { ridge: -1 } })).toThrow(InvalidParameterError);
  });
});

describe("evaluatePanel with irpPanel", () => {
  const p = controlledPair({ train: 120, test: 60, latentDim: 8, sourceDim: 12, targetDim: 10, classes: 4, seed: 2 });
  const data = {
    dataset: "clean rotation",
    encoders: [{ name: "X", train: p.x.train, test: p.x.test }, { name: "Y", train: p.y.train, test: p.y.test }],
    trainLabels: p.trainLabels, testLabels: p.testLabels,
  };

  it("translates only the selected pairs, one row per method and seed, with the metrics of each translation", async () => {
    const panel = irpPanel({ omegas: [1, 4], deltas: [0, 0.6], ridges: [1], methods: ["irp-chosen", "irp-ridge", "irp-whitened", "irp-polar", "procrustes", "relative"], diagnose: true });
    const { rows, nonStitch } = await evaluatePanel(data, {
      numAnchors: 40, seeds: [0, 1], methods: panel.methods, pairs: (s) => s === "X", head: { kind: "linear", epochs: 5, batchSize: 32, learningRate: 0.05 }, progress: false,
    });
    expect(rows).toHaveLength(2 * 6);
    expect(rows.every((r) => r.source === "X" && r.target === "Y")).toBe(true);
    expect(nonStitch).toHaveLength(2 * 2);
    for (const r of rows) {
      expect(r.accuracy).toBeGreaterThanOrEqual(0);
      expect(r.accuracy).toBeLessThanOrEqual(1);
      if (r.method === "relative") {
        expect(Number.isNaN(r.cosine) && Number.isNaN(r.mrr)).toBe(true);
      } else {
        // A clean rotation with more anchors than dimensions: every map is exact.
        expect(r.centredCosine).toBeGreaterThan(1 - 1e-9);
        expect(r.top1).toBe(1);
        expect(r.mrr).toBe(1);
      }
    }
    expect(rows.find((r) => r.method === "irp-ridge")!.setting).toMatch(/^ω=\d+ δ=[\d.]+ λ=[\d.]+$/);
    // One diagnostic per pair and seed, made from the same choice the IRP rows used.
    expect(panel.diagnostics).toHaveLength(2);
    for (const d of panel.diagnostics) {
      const row = rows.find((r) => r.method === "irp-chosen" && r.seed === d.seed)!;
      expect(row.setting).toBe(`ω=${d.omega} δ=${d.delta}`);
      expect(Math.abs(d.heldOutGap)).toBeLessThan(1e-9);
    }
  });

  it("with three encoders and two seeds, batching per target gives each pair its own choices and diagnostic", async () => {
    const mix = randomMatrix(12, 9, 5);
    const z = { name: "Z", train: matmul(p.x.train, mix), test: matmul(p.x.test, mix) };
    const three = { ...data, encoders: [...data.encoders, z] };
    const grid = { omegas: [1, 4], deltas: [0, 0.6] };
    for (const ridges of [[0.5, 5], []]) {
      const panel = irpPanel({ ...grid, ridges, methods: ["irp-chosen", "irp-ridge", "irp-whitened"], diagnose: true });
      const { rows } = await evaluatePanel(three, {
        numAnchors: 40, seeds: [0, 1], methods: panel.methods, head: { kind: "linear", epochs: 2, batchSize: 32, learningRate: 0.05 }, progress: false,
      });
      expect(rows).toHaveLength(2 * 6 * 3);
      const byName = Object.fromEntries(three.encoders.map((e) => [e.name, e.train]));
      for (const seed of [0, 1]) {
        const idx = drawAnchorIndices(p.trainLabels, 40, seed);
        for (const [source, target] of [["X", "Y"], ["X", "Z"], ["Y", "X"], ["Y", "Z"], ["Z", "X"], ["Z", "Y"]]) {
          const ax = selectRows(byName[source], idx), ay = selectRows(byName[target], idx);
          const one = (variant?: { ridge?: number; whiten?: boolean }) => chooseIrpParameters({ anchorsX: ax, anchorsY: ay, ...grid, seed, variant, progress: false });
          const plain = one(), whitened = one({ whiten: true });
          const ridge = pickRidge(plain, ridges.map((lambda) => ({ lambda, ...pick(one({ ridge: lambda })) })));
          const setting = (m: string) => rows.find((r) => r.seed === seed && r.source === source && r.target === target && r.method === m)!.setting;
          expect(setting("irp-chosen")).toBe(`ω=${plain.omega} δ=${plain.delta}`);
          expect(setting("irp-whitened")).toBe(`ω=${whitened.omega} δ=${whitened.delta}`);
          expect(setting("irp-ridge")).toBe(`ω=${ridge.omega} δ=${ridge.delta} λ=${ridge.lambda}`);
          const d = panel.diagnostics.find((r) => r.seed === seed && r.source === source && r.target === target)!;
          const { dataset: _d, seed: _s, source: _a, target: _b, ...diagnostic } = d;
          expect(diagnostic).toEqual(irpGapDiagnostic({ anchorsX: ax, anchorsY: ay, ...grid, seed, choice: plain }));
        }
      }
      expect(panel.diagnostics).toHaveLength(2 * 6);
    }
  });

  it("keeps unwanted sources out of a target's batch (its pairs option)", async () => {
    const mix = randomMatrix(12, 9, 6);
    const three = { ...data, encoders: [...data.encoders, { name: "Z", train: matmul(p.x.train, mix), test: matmul(p.x.test, mix) }] };
    const wanted = (s: string, t: string) => s === "X" && t === "Y";
    const run = async (pairs?: typeof wanted) => {
      // The whitened choice keeps each source's subspace SVDs in the memo: a source in the batch shows there.
      const memo = new MatrixContentMemo();
      const panel = irpPanel({ omegas: [1], deltas: [0.6], ridges: [], methods: ["irp-whitened"], pairs, memo });
      const { rows } = await evaluatePanel(three, { numAnchors: 40, seeds: [0], methods: panel.methods, pairs: wanted, head: { kind: "linear", epochs: 1, batchSize: 32, learningRate: 0.05 }, progress: false });
      return { rows, misses: memo.misses };
    };
    const filtered = await run(wanted), unfiltered = await run();
    expect(filtered.rows).toHaveLength(1);
    expect(filtered.rows).toEqual(unfiltered.rows);
    expect(filtered.misses).toBeLessThan(unfiltered.misses);
  });

  it("rejects unknown or repeated methods", async () => {
    expect(() => irpPanel({ omegas: [1], deltas: [0], methods: ["irp-magic" as never] })).toThrow(InvalidParameterError);
    const m = irpPanel({ omegas: [1], deltas: [0], methods: ["procrustes"] }).methods;
    await expect(evaluatePanel(data, { numAnchors: 20, seeds: [0], methods: [...m, ...m] })).rejects.toThrow(InvalidParameterError);
  });
});

describe("pickRidge: the ridge variant's λ", () => {
  const plain = { omega: 1, delta: 0.9, score: 0.8 };
  it("keeps plain IRP (λ = 0) when a ridge scores higher only by rounding (regression: a 1e-15 lead flipped with the Gram pseudo-inverse)", () => {
    const c = pickRidge(plain, [{ lambda: 10, omega: 1, delta: 0.9, score: 0.8 + 4e-15 }]);
    expect(c).toEqual({ lambda: 0, omega: 1, delta: 0.9, score: 0.8 });
  });
  it("takes a λ that is really better, and the first of several that tie", () => {
    const gain = 0.8 * RIDGE_CHOICE_MARGIN * 10;
    const c = pickRidge(plain, [
      { lambda: 0.1, omega: 4, delta: 0.7, score: 0.8 + gain },
      { lambda: 1, omega: 4, delta: 0.7, score: 0.8 + gain * (1 + 1e-12) },
      { lambda: 10, omega: 1, delta: 0.9, score: 0.7 },
    ]);
    expect(c.lambda).toBe(0.1);
    expect(pickRidge(plain, [{ lambda: 100, omega: 16, delta: 0.8, score: 0.85 }])).toEqual({ lambda: 100, omega: 16, delta: 0.8, score: 0.85 });
  });
  it("never picks a worse λ", () => {
    expect(pickRidge(plain, [{ lambda: 1, omega: 1, delta: 0, score: 0.79 }]).lambda).toBe(0);
  });
});
