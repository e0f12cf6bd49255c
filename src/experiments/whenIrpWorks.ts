/**
 * "When does IRP work?" (notebook ext1-when-irp-works): the runs behind its tables and figures.
 *
 *   ext1Panel(options)          the study's methods (`irpPanel`) with Procrustes through the anchors' span
 *   syntheticCells(cells, …)    controlled pairs (src/data/controlledPair.ts), one `evaluatePanel` run
 *                               per cell, source → target only; rows carry the cell's knobs
 *   deltaSweepMethods(deltas)   IRP at ω = 16 and each δ, plus Procrustes (the anchors/dimension × δ plane)
 *   identityChecks(…)           the reverse-regression identity's predictions against fitted maps
 *   realEncoderStudy(spaces, …) the same panel on the real encoders, every ordered pair, with the
 *                               anchor-only gap diagnostic per pair
 *
 * Every stitching number goes through `runStitching` (via `evaluatePanel`); the verdicts and tables
 * are in reports/ext1.ts.
 */
import { controlledPair, groundTruthMap, identityPrediction, type ControlledPairOptions } from "../data/controlledPair";
import { evaluatePanel, type PanelMethod, type PanelRow } from "../eval/stitching/panel";
import { irpPanel, type IrpPanelOptions, type PairDiagnosticRow } from "../eval/irpPanel";
import type { HeadFactory } from "../eval/stitching/common";
import { IRP_DEFAULTS, InverseRelativeProjection } from "../translate/irp";
import { ProcrustesTranslator } from "../translate/procrustes";
import { MatrixContentMemo, STUDY_MEMO_BYTES } from "../linalg/contentMemo";
import { LeastSquaresTranslator } from "../translate/leastSquares";
import { Matrix, frobeniusNorm, selectRows, transpose } from "../linalg/matrix";
import { matmul, matmulTransA } from "../linalg/product";
import { pinv } from "../linalg/pinv";
import { svd } from "../linalg/svd";
import { anchorStats, center, centerAndNormalize } from "../relative/normalize";
import { polarOfProduct } from "../translate/irpVariants";
import { meanCosineSimilarity } from "../metrics/metrics";
import { memoHeadFactory } from "./stitchingTools";
import type { StitchingSpaces } from "./spaces";

/** The knobs of one synthetic cell (the controlled pair's options beyond the base, and the anchors). */
export interface SyntheticCell {
  /** Row label (unique). */
  label: string;
  pair: Partial<ControlledPairOptions>;
  /** Anchors drawn (class-balanced) from the train split. */
  anchors: number;
}

/** What a synthetic row adds to a panel row: the cell's knobs. */
export type SyntheticRow = PanelRow & {
  cell: string;
  conditionNumber: number;
  sourceNoise: number;
  targetNoise: number;
  warp: number;
  latentDim: number;
  sourceDim: number;
  targetDim: number;
  anchors: number;
  /** Anchors per target dimension. */
  anchorRatio: number;
};

export type SyntheticDiagnosticRow = PairDiagnosticRow & Omit<SyntheticRow, keyof PanelRow>;

export interface SyntheticRunOptions {
  base: ControlledPairOptions;
  seeds: number[];
  /** The panel's methods for every cell (e.g. `irpPanel(...)`), or a function making them per cell. */
  methods: readonly PanelMethod[] | ((cell: SyntheticCell) => { methods: readonly PanelMethod[]; diagnostics?: PairDiagnosticRow[] });
  headFactory?: HeadFactory;
  progress?: boolean;
}

/** The source (X) and target (Y) names of every synthetic pair. */
export const SYNTHETIC_SOURCE = "X", SYNTHETIC_TARGET = "Y";

/**
 * One `evaluatePanel` run per cell (X → Y only), every row and diagnostic labelled with the cell's
 * knobs. Heads come from one `memoHeadFactory` (cells that share the data share heads).
 */
export async function syntheticCells(cells: readonly SyntheticCell[], o: SyntheticRunOptions): Promise<{
  rows: SyntheticRow[]; diagnostics: SyntheticDiagnosticRow[]; nonStitch: Array<{ cell: string; seed: number; accuracy: number }>;
}> {
  const headFactory = o.headFactory ?? memoHeadFactory();
  const rows: SyntheticRow[] = [], diagnostics: SyntheticDiagnosticRow[] = [], nonStitch: Array<{ cell: string; seed: number; accuracy: number }> = [];
  for (const cell of cells) {
    const data = controlledPair({ ...o.base, ...cell.pair });
    const st = data.settings;
    const knobs = {
      cell: cell.label, conditionNumber: st.conditionNumber, sourceNoise: st.sourceNoise, targetNoise: st.targetNoise, warp: st.warp,
      latentDim: st.latentDim, sourceDim: st.sourceDim, targetDim: st.targetDim, anchors: cell.anchors, anchorRatio: cell.anchors / st.targetDim,
    };
    const made = typeof o.methods === "function" ? o.methods(cell) : { methods: o.methods };
    const result = await evaluatePanel({
      dataset: cell.label,
      encoders: [{ name: SYNTHETIC_SOURCE, train: data.x.train, test: data.x.test }, { name: SYNTHETIC_TARGET, train: data.y.train, test: data.y.test }],
      trainLabels: data.trainLabels, testLabels: data.testLabels,
    }, {
      numAnchors: cell.anchors, seeds: o.seeds, methods: made.methods, headFactory, progress: o.progress ?? false,
      pairs: (s) => s === SYNTHETIC_SOURCE, label: `synthetic ${cell.label}`,
    });
    rows.push(...result.rows.map((r) => ({ ...r, ...knobs })));
    diagnostics.push(...(made.diagnostics ?? []).map((d) => ({ ...d, ...knobs })));
    nonStitch.push(...result.nonStitch.filter((n) => n.encoder === SYNTHETIC_TARGET).map((n) => ({ cell: cell.label, seed: n.seed, accuracy: n.accuracy })));
  }
  return { rows, diagnostics, nonStitch };
}

/**
 * `irpPanel` with Procrustes through the anchors' span (`ProcrustesTranslator` with variant
 * "anchor-span": fast on wide spaces, and unique with fewer anchors than dimensions, where the full
 * SVD's completion is arbitrary), as Table 2 computes it.
 */
export function ext1Panel(o: IrpPanelOptions): ReturnType<typeof irpPanel> {
  // One memo for the whole panel: every pair and fold reuses what its anchors alone determine.
  const memo = o.memo ?? new MatrixContentMemo(STUDY_MEMO_BYTES);
  return irpPanel({ procrustes: () => new ProcrustesTranslator({ variant: "anchor-span", memo }), ...o, memo });
}

/** IRP at ω (default 16) and each δ (methods "irp δ=<δ>"), plus Procrustes (through the anchors' span): the anchors/dimension × δ plane. */
export function deltaSweepMethods(deltas: readonly number[], omega = IRP_DEFAULTS.omega): PanelMethod[] {
  const irp = deltas.map((delta): PanelMethod => ({
    name: `irp δ=${delta}`,
    translate: (p) => ({
      translated: new InverseRelativeProjection({ omega, delta, seed: p.seed }).fit(p.anchorsOf(p.source.name), p.anchorsOf(p.target.name)).transform(p.source.test),
      setting: `ω=${omega} δ=${delta}`,
    }),
  }));
  const memo = new MatrixContentMemo(STUDY_MEMO_BYTES);
  return [...irp, {
    name: "procrustes",
    translate: (p) => ({ translated: new ProcrustesTranslator({ variant: "anchor-span", memo }).fit(p.anchorsOf(p.source.name), p.anchorsOf(p.target.name)).transform(p.source.test) }),
  }];
}

/** Frobenius cosine ⟨A, B⟩ / (‖A‖·‖B‖). */
export function frobeniusCosine(a: Matrix, b: Matrix): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += a.data[i] * b.data[i];
  return s / (frobeniusNorm(a) * frobeniusNorm(b));
}

/** Mean cosine of x·map and the truth, both centred on their own anchor means (directions only). */
function directionCosine(x: Matrix, map: Matrix, truth: Matrix, xMean: Float64Array, yMean: Float64Array): number {
  return meanCosineSimilarity(matmul(center(x, xMean), map), center(truth, yMean));
}

/** One condition number's predictions and measurements (noise-free, linear, no pruning). */
export type IdentityCheckRow = {
  conditionNumber: number;
  /** max |M − (pinv(S_Y)·S_X)ᵀ| / max |M|: the identity on the fitted anchors. */
  identityError: number;
  /** Frobenius cosine of IRP's map with the prediction W⁻ᵀ and with the truth W (as ambient maps). */
  mapVsPrediction: number;
  mapVsTruth: number;
  /** The prediction for mapVsTruth from W alone: r / (‖W‖_F·‖W⁻¹‖_F). */
  predictedMapVsTruth: number;
  /** Held-out direction cosine: IRP measured, and predicted by applying W⁻ᵀ. */
  irpMeasured: number;
  irpPredicted: number;
  /** The orthogonalised map: measured, and predicted by applying polar(W). */
  polarMeasured: number;
  polarPredicted: number;
  procrustesMeasured: number;
  /** Least squares, the forward regression (predicted: exact, 1). */
  lstsqMeasured: number;
  /** IRP − Procrustes, measured and predicted (W⁻ᵀ against polar(W)). */
  gapMeasured: number;
  gapPredicted: number;
};

/**
 * The reverse-regression identity's predictions on noise-free linear pairs (base options with
 * noise 0 and warp 0; latentDim ≤ both dimensions), one row per condition number, IRP with every
 * anchor (ω = 1, δ = 0).
 */
export function identityChecks(base: ControlledPairOptions, conditionNumbers: readonly number[], anchors: number): IdentityCheckRow[] {
  return conditionNumbers.map((c) => {
    const p = controlledPair({ ...base, conditionNumber: c, sourceNoise: 0, targetNoise: 0, warp: 0 });
    const idx = Int32Array.from({ length: anchors }, (_, i) => i);
    const ax = selectRows(p.x.train, idx), ay = selectRows(p.y.train, idx);
    const irp = new InverseRelativeProjection({ omega: 1, delta: 0 }).fit(ax, ay);
    const polar = new InverseRelativeProjection({ omega: 1, delta: 0, orthogonalize: true }).fit(ax, ay);
    const procrustes = new ProcrustesTranslator().fit(ax, ay);
    const lstsq = new LeastSquaresTranslator({ affine: true }).fit(ax, ay);
    const sx = centerAndNormalize(ax, anchorStats(ax).mean, "anchorsX"), sy = centerAndNormalize(ay, anchorStats(ay).mean, "anchorsY");
    const reverse = transpose(matmul(pinv(sy), sx));
    let err = 0, big = 0;
    for (let i = 0; i < reverse.data.length; i++) {
      err = Math.max(err, Math.abs(irp.map.data[i] - reverse.data[i]));
      big = Math.max(big, Math.abs(irp.map.data[i]));
    }
    const truth = groundTruthMap(p), predicted = identityPrediction(p);
    const polarTruth = matmul(matmul(transpose(p.bx), polarOfProduct(Matrix.identity(p.w.rows), p.w)), p.by);
    const { s } = svd(p.w, { computeVectors: false });
    const r = s.length, fw = Math.sqrt(s.reduce((a, v) => a + v * v, 0)), fwInv = Math.sqrt(s.reduce((a, v) => a + 1 / (v * v), 0));
    const xm = irp.sourceStats.mean, ym = irp.targetStats.mean;
    const dir = (t: Matrix) => meanCosineSimilarity(center(t, ym), center(p.y.test, ym));
    const irpMeasured = dir(irp.transform(p.x.test)), polarMeasured = dir(polar.transform(p.x.test)), procrustesMeasured = dir(procrustes.transform(p.x.test));
    const lstsqMeasured = dir(lstsq.transform(p.x.test));
    const irpPredicted = directionCosine(p.x.test, predicted, p.y.test, xm, ym), polarPredicted = directionCosine(p.x.test, polarTruth, p.y.test, xm, ym);
    return {
      conditionNumber: c, identityError: err / big,
      mapVsPrediction: frobeniusCosine(irp.map, predicted), mapVsTruth: frobeniusCosine(irp.map, truth), predictedMapVsTruth: r / (fw * fwInv),
      irpMeasured, irpPredicted, polarMeasured, polarPredicted, procrustesMeasured, lstsqMeasured,
      gapMeasured: irpMeasured - procrustesMeasured, gapPredicted: irpPredicted - polarPredicted,
    };
  });
}

/** What pruning does to one subspace: how orthogonal the kept anchors are, and how close the map is to their cross-covariance. */
export type PruningCheckRow = { delta: number; anchorsKept: number; gramDeviation: number; mapVsCrossCovariance: number; mapVsPrediction: number };

/**
 * The identity's third prediction: as FPS keeps fewer, more orthogonal anchors (S_Y·S_Yᵀ → I), one
 * subspace's map S_Xᵀ·pinv(S_Yᵀ) approaches the cross-covariance S_Xᵀ·S_Y of the kept anchors. One
 * subspace per δ (ω = 1); gramDeviation = ‖S_Y·S_Yᵀ − I‖_F / √k_s.
 */
export function pruningChecks(base: ControlledPairOptions, conditionNumber: number, anchors: number, deltas: readonly number[]): PruningCheckRow[] {
  const p = controlledPair({ ...base, conditionNumber, sourceNoise: 0, targetNoise: 0, warp: 0 });
  const idx = Int32Array.from({ length: anchors }, (_, i) => i);
  const ax = selectRows(p.x.train, idx), ay = selectRows(p.y.train, idx);
  const sx = centerAndNormalize(ax, anchorStats(ax).mean, "anchorsX"), sy = centerAndNormalize(ay, anchorStats(ay).mean, "anchorsY");
  const predicted = identityPrediction(p);
  return deltas.map((delta) => {
    const irp = new InverseRelativeProjection({ omega: 1, delta }).fit(ax, ay);
    const kept = irp.subspaces[0].indices;
    const kx = selectRows(sx, kept), ky = selectRows(sy, kept);
    const g = matmul(ky, transpose(ky));
    let dev = 0;
    for (let i = 0; i < g.rows; i++) for (let j = 0; j < g.cols; j++) dev += (g.get(i, j) - (i === j ? 1 : 0)) ** 2;
    return {
      delta, anchorsKept: kept.length, gramDeviation: Math.sqrt(dev / kept.length),
      mapVsCrossCovariance: frobeniusCosine(irp.map, matmulTransA(kx, ky)), mapVsPrediction: frobeniusCosine(irp.map, predicted),
    };
  });
}

export interface RealStudyOptions extends IrpPanelOptions {
  numAnchors: number;
  seeds: number[];
  headFactory?: HeadFactory;
  progress?: boolean;
}

/**
 * The panel on real encoders (`ext1Panel`): every ordered pair of `spaces`, with the anchor-only gap
 * diagnostic per pair and seed.
 */
export async function realEncoderStudy(spaces: StitchingSpaces, o: RealStudyOptions): Promise<{
  rows: PanelRow[]; diagnostics: PairDiagnosticRow[]; nonStitch: Array<{ dataset: string; seed: number; encoder: string; accuracy: number }>;
}> {
  const panel = ext1Panel({ ...o, diagnose: true });
  const numAnchors = Math.min(o.numAnchors, spaces.trainLabels.length);
  const result = await evaluatePanel(spaces, {
    numAnchors, seeds: o.seeds, methods: panel.methods, headFactory: o.headFactory ?? memoHeadFactory(), progress: o.progress, label: `ext1 ${spaces.dataset}`,
  });
  return { rows: result.rows, diagnostics: panel.diagnostics, nonStitch: result.nonStitch };
}

/** Ridge's path: its map against the identity's prediction (λ → 0) and the anchors' cross-covariance (λ → ∞). */
export type RidgePathRow = { lambda: number; mapVsPrediction: number; mapVsCrossCovariance: number; heldOutCosine: number };

/** IRP with every anchor (ω = 1, δ = 0) and each ridge λ on one noise-free linear pair of condition `conditionNumber`. */
export function ridgePathChecks(base: ControlledPairOptions, conditionNumber: number, anchors: number, lambdas: readonly number[]): RidgePathRow[] {
  const p = controlledPair({ ...base, conditionNumber, sourceNoise: 0, targetNoise: 0, warp: 0 });
  const idx = Int32Array.from({ length: anchors }, (_, i) => i);
  const ax = selectRows(p.x.train, idx), ay = selectRows(p.y.train, idx);
  const sx = centerAndNormalize(ax, anchorStats(ax).mean, "anchorsX"), sy = centerAndNormalize(ay, anchorStats(ay).mean, "anchorsY");
  const cross = matmulTransA(sx, sy), predicted = identityPrediction(p);
  return lambdas.map((lambda) => {
    const irp = new InverseRelativeProjection({ omega: 1, delta: 0, ridge: lambda }).fit(ax, ay);
    const ym = irp.targetStats.mean;
    return {
      lambda, mapVsPrediction: frobeniusCosine(irp.map, predicted), mapVsCrossCovariance: frobeniusCosine(irp.map, cross),
      heldOutCosine: meanCosineSimilarity(center(irp.transform(p.x.test), ym), center(p.y.test, ym)),
    };
  });
}
