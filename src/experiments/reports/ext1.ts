/**
 * What the "when does IRP work?" notebook (ext1-when-irp-works) reports: the identity's predictions
 * against measurements, the regime planes, per-method summaries, the per-pair gap against the
 * anchor-only diagnostic, where real pairs sit among the synthetic regimes, and the verdicts. Every
 * threshold is a named constant here; the notebook's prose only points at these tables.
 */
import type { PanelRow } from "../../eval/stitching/panel";
import type { PairDiagnosticRow } from "../../eval/irpPanel";
import { correlationOrNaN } from "../../eval/stitching/sensitivity";
import { firstBest } from "../../eval/best";
import type { IdentityCheckRow, PruningCheckRow, RidgePathRow, SyntheticDiagnosticRow, SyntheticRow } from "../whenIrpWorks";

/** |predicted − measured| allowed for a held-out cosine or a map's Frobenius cosine to count as "as predicted". */
export const PREDICTION_TOLERANCE = 0.05;
/** IRP "matches" Procrustes when it trails by less than this (accuracy or cosine). */
export const TIE_MARGIN = 0.01;
/** A map "is" its prediction when their Frobenius cosine reaches this. */
export const ALIGNED = 0.98;
/** Anchors count as nearly orthogonal when ‖S·Sᵀ − I‖_F/√k is at most this. */
export const NEARLY_ORTHOGONAL = 0.25;

export type Claim = { claim: string; ours: string; holds: string };

const yesNo = (b: boolean) => (b ? "yes" : "no");
const f3 = (v: number) => v.toFixed(3);
const signed = (v: number) => `${v >= 0 ? "+" : ""}${v.toFixed(3)}`;
/** The angle whose cosine is c (clamped to [−1, 1]). */
const angle = (c: number) => Math.acos(Math.max(-1, Math.min(1, c)));

/** The identity's predictions (noise-free, linear pairs) against the fitted maps and held-out cosines. */
export function identityClaims(identity: readonly IdentityCheckRow[], pruning: readonly PruningCheckRow[], ridgePath: readonly RidgePathRow[]): Claim[] {
  const maxAbs = (f: (r: IdentityCheckRow) => number, rows = identity) => Math.max(...rows.map((r) => Math.abs(f(r))));
  const orthogonal = identity.find((r) => r.conditionNumber === 1);
  const aniso = identity.filter((r) => r.conditionNumber > 1);
  const firstP = pruning[0], lastP = pruning[pruning.length - 1];
  const firstR = ridgePath[0], lastR = ridgePath[ridgePath.length - 1];
  const claims: Claim[] = [
    {
      claim: "IRP's collapsed map (no pruning) equals (pinv(S_Y)·S_X)ᵀ, the transposed reverse regression",
      ours: `largest relative difference ${maxAbs((r) => r.identityError).toExponential(1)} over c = ${identity.map((r) => r.conditionNumber).join(", ")}`,
      holds: yesNo(maxAbs((r) => r.identityError) < 1e-10),
    },
  ];
  if (orthogonal) {
    claims.push({
      claim: "orthogonal W (c = 1): IRP recovers it exactly, as Procrustes does",
      ours: `held-out direction cosine IRP ${orthogonal.irpMeasured.toFixed(6)}, Procrustes ${orthogonal.procrustesMeasured.toFixed(6)}`,
      holds: yesNo(orthogonal.irpMeasured > 1 - 1e-6 && orthogonal.procrustesMeasured > 1 - 1e-6),
    });
  }
  if (aniso.length > 0) {
    claims.push(
      {
        claim: `anisotropic W: IRP's map is W⁻ᵀ (Frobenius cosine ≥ ${ALIGNED}), not W`,
        ours: `cos(map, W⁻ᵀ) ${aniso.map((r) => f3(r.mapVsPrediction)).join(" / ")}; cos(map, W) ${aniso.map((r) => f3(r.mapVsTruth)).join(" / ")} (c = ${aniso.map((r) => r.conditionNumber).join(" / ")})`,
        holds: yesNo(aniso.every((r) => r.mapVsPrediction >= ALIGNED && r.mapVsPrediction > r.mapVsTruth)),
      },
      {
        // The angle to W can differ from W⁻ᵀ's angle to W by at most the angle between the map and W⁻ᵀ.
        claim: "…so its agreement with W falls as that of W⁻ᵀ, r / (‖W‖_F·‖W⁻¹‖_F) (within the map's angle to W⁻ᵀ)",
        ours: `measured ${aniso.map((r) => f3(r.mapVsTruth)).join(" / ")}, predicted ${aniso.map((r) => f3(r.predictedMapVsTruth)).join(" / ")}`,
        holds: yesNo(aniso.every((r) => Math.abs(angle(r.mapVsTruth) - angle(r.predictedMapVsTruth)) <= angle(r.mapVsPrediction) + 1e-9)),
      },
      {
        claim: "IRP's held-out cosine is that of applying W⁻ᵀ",
        ours: `measured ${aniso.map((r) => f3(r.irpMeasured)).join(" / ")}, predicted ${aniso.map((r) => f3(r.irpPredicted)).join(" / ")}`,
        holds: yesNo(maxAbs((r) => r.irpMeasured - r.irpPredicted, aniso) <= PREDICTION_TOLERANCE),
      },
      {
        claim: "the orthogonalised map removes the inversion: it acts like polar(W), and beats plain IRP",
        ours: `measured ${aniso.map((r) => f3(r.polarMeasured)).join(" / ")}, predicted ${aniso.map((r) => f3(r.polarPredicted)).join(" / ")}`,
        holds: yesNo(maxAbs((r) => r.polarMeasured - r.polarPredicted, aniso) <= PREDICTION_TOLERANCE && aniso.every((r) => r.polarMeasured > r.irpMeasured)),
      },
      {
        claim: "least squares, the forward regression, recovers W itself (held-out cosine 1)",
        ours: `held-out direction cosine ${aniso.map((r) => r.lstsqMeasured.toFixed(6)).join(" / ")}`,
        holds: yesNo(aniso.every((r) => r.lstsqMeasured > 1 - 1e-6)),
      },
      {
        claim: "IRP's gap to Procrustes is the gap between W⁻ᵀ and polar(W)",
        ours: `measured ${aniso.map((r) => signed(r.gapMeasured)).join(" / ")}, predicted ${aniso.map((r) => signed(r.gapPredicted)).join(" / ")}`,
        holds: yesNo(maxAbs((r) => r.gapMeasured - r.gapPredicted, aniso) <= PREDICTION_TOLERANCE),
      },
    );
  }
  if (pruning.length > 1) {
    claims.push({
      claim: `FPS-pruned anchors are nearly orthogonal and the map tends to their cross-covariance S_Xᵀ·S_Y (≥ 0.95)`,
      ours: `δ = ${firstP.delta} → ${lastP.delta}: anchors ${firstP.anchorsKept} → ${lastP.anchorsKept}, ‖S·Sᵀ − I‖ ${f3(firstP.gramDeviation)} → ${f3(lastP.gramDeviation)}, cos(map, S_Xᵀ·S_Y) ${f3(firstP.mapVsCrossCovariance)} → ${f3(lastP.mapVsCrossCovariance)}, cos(map, W⁻ᵀ) ${f3(firstP.mapVsPrediction)} → ${f3(lastP.mapVsPrediction)}`,
      holds: yesNo(lastP.gramDeviation <= NEARLY_ORTHOGONAL && lastP.mapVsCrossCovariance >= 0.95 && lastP.mapVsCrossCovariance > firstP.mapVsCrossCovariance),
    });
  }
  if (ridgePath.length > 1) {
    const best = firstBest(ridgePath, (r) => r.heldOutCosine);
    claims.push(
      {
        claim: "ridge interpolates from W⁻ᵀ (λ → 0) to the cross-covariance S_Xᵀ·S_Y (λ → ∞)",
        ours: `λ = ${firstR.lambda}: cos(map, W⁻ᵀ) ${f3(firstR.mapVsPrediction)}; λ = ${lastR.lambda}: cos(map, S_Xᵀ·S_Y) ${lastR.mapVsCrossCovariance.toFixed(4)}`,
        holds: yesNo(firstR.mapVsPrediction >= ALIGNED && lastR.mapVsCrossCovariance >= 0.999),
      },
      {
        claim: "on an anisotropic map, a ridge between the two ends reconstructs held-out items better than plain IRP",
        ours: `held-out cosine λ = ${firstR.lambda}: ${f3(firstR.heldOutCosine)}, best λ = ${best.lambda}: ${f3(best.heldOutCosine)}, λ = ${lastR.lambda}: ${f3(lastR.heldOutCosine)}`,
        holds: yesNo(best.heldOutCosine > firstR.heldOutCosine + TIE_MARGIN),
      },
    );
  }
  return claims;
}

type Metric = "accuracy" | "centredCosine" | "cosine" | "top1" | "mrr";

function mean(values: number[]): number {
  const finite = values.filter(Number.isFinite);
  return finite.length ? finite.reduce((a, v) => a + v, 0) / finite.length : NaN;
}

/** z[i][j]: mean over seeds of metric(a) − metric(b) in the cell with y = ys[i] and x = xs[j] (rows restricted by `filter`). */
export function gapPlane(rows: readonly SyntheticRow[], o: {
  x: keyof SyntheticRow; y: keyof SyntheticRow; xs: readonly number[]; ys: readonly number[]; a: string; b: string; metric: Metric;
  filter?: (r: SyntheticRow) => boolean;
}): number[][] {
  const keep = rows.filter((r) => (o.filter ? o.filter(r) : true));
  return o.ys.map((y) => o.xs.map((x) => {
    const cell = keep.filter((r) => r[o.x] === x && r[o.y] === y);
    return mean(cell.filter((r) => r.method === o.a).map((r) => r[o.metric])) - mean(cell.filter((r) => r.method === o.b).map((r) => r[o.metric]));
  }));
}

export type MethodSummaryRow = { group: string; method: string; accuracy: number; centredCosine: number; top1: number; mrr: number; rows: number };

/** Mean accuracy, centred cosine, top-1 and MRR per (group, method), methods in first-appearance order. */
export function methodSummary<R extends PanelRow>(rows: readonly R[], group: (r: R) => string): MethodSummaryRow[] {
  const keys: string[] = [];
  const by = new Map<string, R[]>();
  for (const r of rows) {
    const k = `${group(r)}\u0000${r.method}`;
    if (!by.has(k)) {
      by.set(k, []);
      keys.push(k);
    }
    by.get(k)!.push(r);
  }
  return keys.map((k) => {
    const rs = by.get(k)!;
    const [g, method] = k.split("\u0000");
    return {
      group: g, method, accuracy: mean(rs.map((r) => r.accuracy)), centredCosine: mean(rs.map((r) => r.centredCosine)),
      top1: mean(rs.map((r) => r.top1)), mrr: mean(rs.map((r) => r.mrr)), rows: rs.length,
    };
  });
}

/** Per synthetic cell: which cells IRP (anchor-chosen) matches Procrustes in, and by how much it trails elsewhere. */
export function planeClaims(rows: readonly SyntheticRow[], metric: Exclude<Metric, "cosine"> = "accuracy"): Claim[] {
  const cells = [...new Set(rows.map((r) => r.cell))];
  const gap = (cell: string, a: string, b = "procrustes") => {
    const rs = rows.filter((r) => r.cell === cell);
    return mean(rs.filter((r) => r.method === a).map((r) => r[metric])) - mean(rs.filter((r) => r.method === b).map((r) => r[metric]));
  };
  const gaps = cells.map((c) => ({ cell: c, irp: gap(c, "irp-chosen"), best: bestMethod(rows.filter((r) => r.cell === c), metric) }));
  const ties = gaps.filter((g) => g.irp >= -TIE_MARGIN);
  const worst = gaps.reduce((w, g) => (g.irp < w.irp ? g : w), gaps[0]);
  const variants = ["irp-ridge", "irp-whitened", "irp-polar"];
  const variantGaps = variants.map((v) => ({ v, gaps: cells.map((c) => gap(c, v)) })).filter((x) => x.gaps.some(Number.isFinite));
  return [
    {
      claim: `cells where IRP (ω, δ chosen on anchors) is within ${TIE_MARGIN} of Procrustes (${metric})`,
      ours: `${ties.length} of ${cells.length}${ties.length ? `: ${ties.map((t) => `${t.cell} (${signed(t.irp)})`).join(", ")}` : ""}`,
      holds: "—",
    },
    { claim: "where IRP trails most", ours: `${worst.cell}: ${signed(worst.irp)}`, holds: "—" },
    ...variantGaps.map((x) => ({
      claim: `${x.v} − Procrustes (${metric}): mean over cells, cells within ${TIE_MARGIN}`,
      ours: `${signed(mean(x.gaps))}; ${x.gaps.filter((g) => g >= -TIE_MARGIN).length} of ${cells.length}`,
      holds: "—",
    })),
    { claim: "best method per cell", ours: gaps.map((g) => `${g.cell}: ${g.best}`).join("; "), holds: "—" },
  ];
}

/** The method with the highest mean `metric` (ties: the first). */
export function bestMethod(rows: readonly PanelRow[], metric: Exclude<Metric, "cosine">): string {
  const summary = methodSummary(rows, () => "");
  const finite = summary.filter((s) => Number.isFinite(s[metric]));
  return finite.length ? firstBest(finite, (s) => s[metric]).method : "";
}

export type PairGapRow = {
  dataset: string;
  source: string;
  target: string;
  irpAccuracy: number;
  procrustesAccuracy: number;
  /** Measured stitching gap: accuracy of IRP (anchor-chosen) − Procrustes, mean over seeds. */
  accuracyGap: number;
  /** The same for the centred cosine to the target's own embeddings. */
  cosineGap: number;
  /** The anchor-only prediction (`irpGapDiagnostic`'s heldOutGap), mean over seeds. */
  predictedGap: number;
  mapConditionNumber: number;
  mapLogSpread: number;
  /** The best method on this pair by accuracy. */
  best: string;
};

/** One row per (dataset, source, target): the measured gaps beside the anchor-only prediction. */
export function pairGapRows(rows: readonly PanelRow[], diagnostics: readonly PairDiagnosticRow[]): PairGapRow[] {
  const key = (r: { dataset: string; source: string; target: string }) => `${r.dataset}\u0000${r.source}\u0000${r.target}`;
  const pairs: string[] = [];
  for (const r of rows) if (!pairs.includes(key(r))) pairs.push(key(r));
  return pairs.map((k) => {
    const rs = rows.filter((r) => key(r) === k), ds = diagnostics.filter((d) => key(d) === k);
    const m = (method: string, metric: Metric) => mean(rs.filter((r) => r.method === method).map((r) => r[metric]));
    const [dataset, source, target] = k.split("\u0000");
    return {
      dataset, source, target, irpAccuracy: m("irp-chosen", "accuracy"), procrustesAccuracy: m("procrustes", "accuracy"),
      accuracyGap: m("irp-chosen", "accuracy") - m("procrustes", "accuracy"), cosineGap: m("irp-chosen", "centredCosine") - m("procrustes", "centredCosine"),
      predictedGap: mean(ds.map((d) => d.heldOutGap)), mapConditionNumber: mean(ds.map((d) => d.mapConditionNumber)), mapLogSpread: mean(ds.map((d) => d.mapLogSpread)),
      best: bestMethod(rs, "accuracy"),
    };
  });
}

export type CorrelationRow = { predictor: string; measured: string; pearson: number; pairs: number };

/** Pearson correlations of the anchor-only quantities with the measured gaps, over the given pairs. */
export function diagnosticCorrelations(pairs: readonly PairGapRow[]): CorrelationRow[] {
  const col = (f: (p: PairGapRow) => number) => pairs.map(f);
  const out: CorrelationRow[] = [];
  for (const [measured, y] of [["stitching accuracy gap", col((p) => p.accuracyGap)], ["centred cosine gap", col((p) => p.cosineGap)]] as const) {
    out.push(
      { predictor: "held-out anchor gap (IRP − Procrustes)", measured, pearson: correlationOrNaN(col((p) => p.predictedGap), y), pairs: pairs.length },
      { predictor: "log condition number of the anchors' map", measured, pearson: correlationOrNaN(col((p) => Math.log(p.mapConditionNumber)), y), pairs: pairs.length },
      { predictor: "spread of the map's log singular values", measured, pearson: correlationOrNaN(col((p) => p.mapLogSpread), y), pairs: pairs.length },
    );
  }
  return out;
}

/** How often the diagnostic's sign picks the better of IRP and Procrustes (ties within TIE_MARGIN count as right). */
export function recommendationHitRate(pairs: readonly PairGapRow[]): { hits: number; pairs: number; irpRecommended: number } {
  let hits = 0, irp = 0;
  for (const p of pairs) {
    const pickIrp = p.predictedGap >= 0;
    if (pickIrp) irp++;
    if (Math.abs(p.accuracyGap) < TIE_MARGIN || (pickIrp ? p.accuracyGap > 0 : p.accuracyGap < 0)) hits++;
  }
  return { hits, pairs: pairs.length, irpRecommended: irp };
}

export type RegimePlacementRow = {
  dataset: string; source: string; target: string; mapConditionNumber: number; procrustesScore: number;
  nearestCell: string; cellConditionNumber: number; cellNoise: number;
  /** The pair lies beyond the cells' range (more anisotropic or a lower Procrustes score than any cell). */
  beyondGrid: boolean;
};

/**
 * Each real pair's nearest synthetic cell in (log map condition number, Procrustes' held-out score),
 * each axis scaled by the synthetic cells' spread: which controlled regime a pair behaves like.
 * Synthetic diagnostics are first averaged per cell.
 */
export function regimePlacement(real: readonly PairDiagnosticRow[], synthetic: readonly SyntheticDiagnosticRow[]): RegimePlacementRow[] {
  const cells = [...new Set(synthetic.map((s) => s.cell))].map((cell) => {
    const rs = synthetic.filter((s) => s.cell === cell);
    return {
      cell, logCond: mean(rs.map((s) => Math.log(s.mapConditionNumber))), score: mean(rs.map((s) => s.procrustesScore)),
      c: rs[0].conditionNumber, noise: Math.max(rs[0].sourceNoise, rs[0].targetNoise),
    };
  });
  const spread = (v: number[]) => Math.max(1e-12, Math.max(...v) - Math.min(...v));
  const sc = spread(cells.map((c) => c.logCond)), ss = spread(cells.map((c) => c.score));
  const key = (r: { dataset: string; source: string; target: string }) => `${r.dataset}\u0000${r.source}\u0000${r.target}`;
  const pairs = [...new Set(real.map(key))];
  return pairs.map((k) => {
    const rs = real.filter((r) => key(r) === k);
    const logCond = mean(rs.map((r) => Math.log(r.mapConditionNumber))), score = mean(rs.map((r) => r.procrustesScore));
    const near = cells.reduce((b, c) => {
      const d = ((c.logCond - logCond) / sc) ** 2 + ((c.score - score) / ss) ** 2;
      return d < b.d ? { c, d } : b;
    }, { c: cells[0], d: Infinity }).c;
    return {
      dataset: rs[0].dataset, source: rs[0].source, target: rs[0].target, mapConditionNumber: Math.exp(logCond), procrustesScore: score,
      nearestCell: near.cell, cellConditionNumber: near.c, cellNoise: near.noise,
      beyondGrid: logCond > Math.max(...cells.map((c) => c.logCond)) || score < Math.min(...cells.map((c) => c.score)),
    };
  });
}

/** Which variants keep IRP's defining property (each side reads only its own anchors), and the test that shows it. */
export function variantProperties(): Array<{ variant: string; option: string; keepsProperty: string; test: string }> {
  return [
    { variant: "plain IRP (the paper)", option: "—", keepsProperty: "yes", test: "irp-variants: decoders bit-identical whatever the source anchors" },
    { variant: "ridge-regularised inverse", option: "ridge: λ", keepsProperty: "yes", test: "irp-variants: decoders bit-identical whatever the source anchors" },
    { variant: "whitened relative space", option: "whiten: true", keepsProperty: "yes", test: "irp-variants: decoders / source encoders bit-identical whatever the other side's anchors" },
    { variant: "orthogonalised (polar) map", option: "orthogonalize: true", keepsProperty: "no (a joint fit, like Procrustes)", test: "irp-variants: the map is the polar factor of the joint product" },
  ];
}

/** The closing verdicts: on which data IRP matched Procrustes, whether a variant closes the gap, whether the diagnostic predicts it. */
export function whenClaims(synthetic: readonly SyntheticRow[], real: readonly PanelRow[], pairs: readonly PairGapRow[], correlations: readonly CorrelationRow[]): Claim[] {
  const datasets = [...new Set(real.map((r) => r.dataset))];
  const per = methodSummary(real, (r) => r.dataset);
  const acc = (d: string, m: string) => per.find((s) => s.group === d && s.method === m)?.accuracy ?? NaN;
  const irpTies = pairs.filter((p) => p.accuracyGap >= -TIE_MARGIN).length;
  const r = correlations.find((c) => c.predictor.startsWith("held-out") && c.measured === "stitching accuracy gap");
  const hit = recommendationHitRate(pairs);
  const bestOf = (d: string, variants: string[]) => firstBest(variants, (v) => acc(d, v));
  const bestVariant = (d: string) => bestOf(d, ["irp-ridge", "irp-whitened", "irp-polar"]);
  // The variants that keep IRP's defining property (one relative space, any decoder).
  const bestKeeping = (d: string) => bestOf(d, ["irp-ridge", "irp-whitened"]);
  const synthCells = new Set(synthetic.map((s) => s.cell)).size;
  return [
    {
      claim: "real encoders: IRP (chosen on anchors) − Procrustes, stitching accuracy per data set",
      ours: datasets.map((d) => `${d} ${signed(acc(d, "irp-chosen") - acc(d, "procrustes"))}`).join("; "),
      holds: yesNo(datasets.every((d) => acc(d, "irp-chosen") >= acc(d, "procrustes") - TIE_MARGIN)),
    },
    {
      claim: `real pairs where IRP is within ${TIE_MARGIN} of Procrustes or better`,
      ours: `${irpTies} of ${pairs.length}`,
      holds: "—",
    },
    {
      claim: "the best IRP variant per data set, and its gap to Procrustes",
      ours: datasets.map((d) => `${d}: ${bestVariant(d)} ${signed(acc(d, bestVariant(d)) - acc(d, "procrustes"))} (IRP ${signed(acc(d, bestVariant(d)) - acc(d, "irp-chosen"))})`).join("; "),
      holds: yesNo(datasets.every((d) => acc(d, bestVariant(d)) > acc(d, "irp-chosen"))),
    },
    {
      claim: "the best variant that keeps IRP's defining property (ridge or whitened), and its gap to Procrustes",
      ours: datasets.map((d) => `${d}: ${bestKeeping(d)} ${signed(acc(d, bestKeeping(d)) - acc(d, "procrustes"))}`).join("; "),
      holds: yesNo(datasets.every((d) => acc(d, bestKeeping(d)) >= acc(d, "procrustes") - TIE_MARGIN)),
    },
    {
      claim: "the anchor-only diagnostic predicts IRP's stitching gap to Procrustes (Pearson ≥ 0.5 over the pairs)",
      ours: r ? `Pearson ${f3(r.pearson)} over ${r.pairs} pairs; its sign picks the better method on ${hit.hits} of ${hit.pairs} pairs (IRP recommended on ${hit.irpRecommended})` : "no pairs",
      holds: r ? yesNo(r.pearson >= 0.5) : "untestable",
    },
    { claim: "synthetic cells studied", ours: String(synthCells), holds: "—" },
  ];
}

/**
 * The anchors/dimension × δ plane (rows of `syntheticCells` with `deltaSweepMethods`): z[i][j] = mean
 * over seeds of metric("irp δ=<deltas[j]>") − metric("procrustes") at anchor ratio ratios[i].
 */
export function sweepPlane(rows: readonly SyntheticRow[], ratios: readonly number[], deltas: readonly number[], metric: Exclude<Metric, "cosine">): number[][] {
  return ratios.map((ratio) => deltas.map((delta) => {
    const cell = rows.filter((r) => r.anchorRatio === ratio);
    return mean(cell.filter((r) => r.method === `irp δ=${delta}`).map((r) => r[metric])) - mean(cell.filter((r) => r.method === "procrustes").map((r) => r[metric]));
  }));
}

/** Where in the anchors/dimension × δ plane IRP comes closest to Procrustes, and whether more anchors help it. */
export function sweepClaims(z: readonly number[][], ratios: readonly number[], deltas: readonly number[], metric: string): Claim[] {
  let best = { i: 0, j: 0 };
  z.forEach((row, i) => row.forEach((v, j) => {
    if (v > z[best.i][best.j]) best = { i, j };
  }));
  const bestPerRatio = z.map((row) => Math.max(...row));
  return [
    { claim: `closest IRP gets to Procrustes (${metric})`, ours: `${signed(z[best.i][best.j])} at k/d = ${ratios[best.i]}, δ = ${deltas[best.j]}`, holds: yesNo(z[best.i][best.j] >= -TIE_MARGIN) },
    {
      claim: "best δ per anchors/dimension ratio",
      ours: ratios.map((r, i) => `k/d = ${r}: δ = ${deltas[z[i].indexOf(bestPerRatio[i])]} (${signed(bestPerRatio[i])})`).join("; "),
      holds: "—",
    },
  ];
}
