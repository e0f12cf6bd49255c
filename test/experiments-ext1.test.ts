/**
 * The verdict logic of the "when does IRP work?" notebook (src/experiments/reports/ext1.ts) on
 * hand-made rows with known answers, and the identity checks (src/experiments/whenIrpWorks.ts) on a
 * small controlled pair: every prediction holds there, and a claim flips when its measurement does.
 */
import { describe, expect, it } from "vitest";
import {
  diagnosticCorrelations, gapPlane, identityClaims, methodSummary, pairGapRows, planeClaims, recommendationHitRate, regimePlacement,
  sweepClaims, sweepPlane, whenClaims,
} from "../src/experiments/reports/ext1";
import { identityChecks, pruningChecks, ridgePathChecks, type SyntheticDiagnosticRow, type SyntheticRow } from "../src/experiments/whenIrpWorks";
import type { PanelRow } from "../src/eval/stitching/panel";
import type { PairDiagnosticRow } from "../src/eval/irpPanel";

const panelRow = (o: Partial<PanelRow>): PanelRow => ({
  dataset: "d", seed: 0, source: "a", target: "b", method: "m", accuracy: 0.5, cosine: 0.5, centredCosine: 0.5, top1: 0.5, mrr: 0.5, setting: "", reason: "", ...o,
});
const synthRow = (o: Partial<SyntheticRow>): SyntheticRow => ({
  ...panelRow(o), cell: "c", conditionNumber: 1, sourceNoise: 0, targetNoise: 0, warp: 0, latentDim: 4, sourceDim: 4, targetDim: 4, anchors: 8, anchorRatio: 2, ...o,
});
const diag = (o: Partial<PairDiagnosticRow>): PairDiagnosticRow => ({
  dataset: "d", seed: 0, source: "a", target: "b", heldOutGap: 0, recommended: "irp", irpScore: 0.9, procrustesScore: 0.9, omega: 1, delta: 0, mapConditionNumber: 1,
  mapLogSpread: 0, principalDim: 2, sourceEffectiveRank: 2, targetEffectiveRank: 2, anchors: 10, folds: 5, ...o,
});

describe("the identity checks on a controlled pair", () => {
  const base = { train: 200, test: 100, latentDim: 6, sourceDim: 8, targetDim: 8, seed: 0 };
  const identity = identityChecks(base, [1, 4], 64);
  const pruning = pruningChecks(base, 4, 64, [0, 0.5, 0.9]);
  const ridge = ridgePathChecks(base, 4, 64, [1e-6, 1, 1e6]);

  it("every prediction holds, and the rows carry the numbers the claims quote", () => {
    const claims = identityClaims(identity, pruning, ridge);
    expect(claims.length).toBeGreaterThanOrEqual(9);
    expect(claims.filter((c) => c.holds !== "yes")).toEqual([]);
    expect(identity[0].irpMeasured).toBeGreaterThan(1 - 1e-9);
    expect(identity[1].mapVsPrediction).toBeGreaterThan(identity[1].mapVsTruth);
  });

  it("a claim flips to 'no' when its measurement contradicts it", () => {
    const broken = identity.map((r) => (r.conditionNumber === 4 ? { ...r, irpMeasured: r.irpPredicted + 0.2 } : r));
    const claims = identityClaims(broken, pruning, ridge);
    expect(claims.find((c) => c.claim.startsWith("IRP's held-out cosine"))!.holds).toBe("no");
    const noPruning = identityClaims(identity, pruning.map((r) => ({ ...r, gramDeviation: 1 })), ridge);
    expect(noPruning.find((c) => c.claim.startsWith("FPS-pruned"))!.holds).toBe("no");
  });
});

describe("regime planes and summaries", () => {
  const rows: SyntheticRow[] = [];
  for (const c of [1, 4]) for (const nu of [0, 0.5]) for (const seed of [0, 1]) {
    const cell = `c=${c} ν=${nu}`;
    rows.push(
      synthRow({ cell, seed, conditionNumber: c, sourceNoise: nu, method: "irp-chosen", accuracy: 0.9 - 0.1 * c - nu + 0.01 * seed }),
      synthRow({ cell, seed, conditionNumber: c, sourceNoise: nu, method: "procrustes", accuracy: 0.9 - nu }),
    );
  }

  it("gapPlane is the mean difference per cell (rows y, columns x)", () => {
    const z = gapPlane(rows, { x: "conditionNumber", y: "sourceNoise", xs: [1, 4], ys: [0, 0.5], a: "irp-chosen", b: "procrustes", metric: "accuracy" });
    expect(z[0][0]).toBeCloseTo(-0.095, 12);
    expect(z[1][1]).toBeCloseTo(-0.395, 12);
  });

  it("planeClaims finds the cells where IRP ties Procrustes and where it trails most", () => {
    const tied = rows.map((r) => (r.cell === "c=1 ν=0" && r.method === "irp-chosen" ? { ...r, accuracy: 0.9 } : r));
    const claims = planeClaims(tied);
    expect(claims[0].ours).toBe("1 of 4: c=1 ν=0 (+0.000)");
    expect(claims[1].ours).toMatch(/^c=4 ν=0(\.5)?: -0\.39/);
  });

  it("methodSummary averages per group and method, NaN-aware", () => {
    const s = methodSummary([panelRow({ method: "x", accuracy: 0.2 }), panelRow({ method: "x", accuracy: 0.4, mrr: NaN }), panelRow({ method: "y" })], (r) => r.dataset);
    expect(s).toHaveLength(2);
    expect(s[0].accuracy).toBeCloseTo(0.3, 12);
    expect(s[0].mrr).toBeCloseTo(0.5, 12);
    expect(s[0].rows).toBe(2);
  });

  it("sweepPlane and sweepClaims: IRP(δ) − Procrustes per anchor ratio", () => {
    const sweep = [0.5, 2].flatMap((ratio) => [
      synthRow({ anchorRatio: ratio, method: "irp δ=0", accuracy: 0.5 }),
      synthRow({ anchorRatio: ratio, method: "irp δ=0.8", accuracy: ratio === 2 ? 0.8 : 0.4 }),
      synthRow({ anchorRatio: ratio, method: "procrustes", accuracy: 0.7 }),
    ]);
    const z = sweepPlane(sweep, [0.5, 2], [0, 0.8], "accuracy");
    expect(z[0][0]).toBeCloseTo(-0.2, 12);
    expect(z[1][1]).toBeCloseTo(0.1, 12);
    const claims = sweepClaims(z, [0.5, 2], [0, 0.8], "accuracy");
    expect(claims[0].ours).toBe("+0.100 at k/d = 2, δ = 0.8");
    expect(claims[0].holds).toBe("yes");
  });
});

describe("pairs, the diagnostic and the placement", () => {
  // Three pairs whose predicted gap is exactly half the measured accuracy gap.
  const gaps = [-0.2, -0.1, 0.04];
  const rows = gaps.flatMap((g, i) => [
    panelRow({ source: `s${i}`, method: "irp-chosen", accuracy: 0.6 + g, centredCosine: 0.5 + g }),
    panelRow({ source: `s${i}`, method: "procrustes", accuracy: 0.6, centredCosine: 0.5 }),
  ]);
  const diagnostics = gaps.map((g, i) => diag({ source: `s${i}`, heldOutGap: g / 2, mapConditionNumber: Math.exp(-g) }));

  it("pairGapRows joins measured gaps and predictions; the correlations are ±1 on these", () => {
    const pairs = pairGapRows(rows, diagnostics);
    expect(pairs).toHaveLength(3);
    expect(pairs[0].accuracyGap).toBeCloseTo(-0.2, 12);
    expect(pairs[0].predictedGap).toBeCloseTo(-0.1, 12);
    expect(pairs[2].best).toBe("irp-chosen");
    const r = diagnosticCorrelations(pairs);
    expect(r[0].pearson).toBeCloseTo(1, 12);
    expect(r[1].pearson).toBeCloseTo(-1, 12);
    expect(recommendationHitRate(pairs)).toEqual({ hits: 3, pairs: 3, irpRecommended: 1 });
  });

  it("regimePlacement finds the nearest synthetic cell and flags pairs beyond the grid", () => {
    const synth: SyntheticDiagnosticRow[] = [
      { ...diag({ mapConditionNumber: 1, procrustesScore: 1 }), cell: "clean", conditionNumber: 1, sourceNoise: 0, targetNoise: 0, warp: 0, latentDim: 4, sourceDim: 4, targetDim: 4, anchors: 8, anchorRatio: 2 },
      { ...diag({ mapConditionNumber: 10, procrustesScore: 0.5 }), cell: "hard", conditionNumber: 16, sourceNoise: 0.5, targetNoise: 0.5, warp: 0, latentDim: 4, sourceDim: 4, targetDim: 4, anchors: 8, anchorRatio: 2 },
    ];
    const placed = regimePlacement([diag({ source: "p", mapConditionNumber: 1.5, procrustesScore: 0.95 }), diag({ source: "q", mapConditionNumber: 50, procrustesScore: 0.3 })], synth);
    expect(placed.map((p) => [p.nearestCell, p.beyondGrid])).toEqual([["clean", false], ["hard", true]]);
    expect(placed[1].cellNoise).toBe(0.5);
  });

  it("whenClaims reports per data set and judges the diagnostic by its correlation", () => {
    const pairs = pairGapRows(rows, diagnostics);
    const claims = whenClaims([], rows, pairs, diagnosticCorrelations(pairs));
    expect(claims[0].ours).toBe("d -0.087");
    expect(claims[0].holds).toBe("no");
    expect(claims.find((c) => c.claim.startsWith("the anchor-only diagnostic"))!.holds).toBe("yes");
  });
});
