/**
 * Beyond the paper: how far IRP will trail Procrustes on a pair of spaces, predicted from the anchors
 * alone — before any downstream head exists (what `latent-bridge choose` reports).
 *
 *   irpGapDiagnostic({ anchorsX, anchorsY })
 *
 * IRP's (ω, δ) is chosen on the anchors (`chooseIrpParameters`, its held-out split). Then, in
 * `folds`-fold cross-validation over the anchors (a seeded permutation; every anchor held out once),
 * IRP at that (ω, δ) and Procrustes are fitted on the other folds and reconstruct the held-out
 * anchors. The prediction is the mean gap in cosine, centred on the fitted target anchors' mean
 * (directions around the point both methods decode around): `heldOutGap` = IRP − Procrustes,
 * negative when IRP trails. Cross-validation rather than one split: with a few hundred anchors a
 * 20 % split holds out too few for a stable gap.
 *
 * Beside it, what places a pair among the synthetic regimes of the "when does IRP work" study: the
 * condition number of the least-squares map between the two anchor sets' top principal coordinates
 * (1 for a rotation; the reverse-regression identity says IRP inverts every scaling of that map), the
 * spread of its log singular values, and each side's effective rank (participation ratio of the unit
 * anchors' spectrum).
 */
import { Matrix, columnMeans, selectRows } from "../linalg/matrix";
import { Random, SEED_MAX } from "../linalg/random";
import { numericalRank, svd, svdResultBytes } from "../linalg/svd";
import { defaultRcond } from "../linalg/pinv";
import { lstsq } from "../linalg/lstsq";
import { center, centerAndNormalize, anchorStats } from "../relative/normalize";
import { cosineSimilarities } from "../metrics/metrics";
import { IRP_DEFAULTS, fitSubspaceMaps, translatePrefixes } from "../translate/irp";
import type { MatrixContentMemo } from "../linalg/contentMemo";
import { ProcrustesTranslator } from "../translate/procrustes";
import type { Translator } from "../translate/translator";
import { InvalidParameterError } from "../errors";
import { assertInteger, assertParallelAnchors, assertSeed, toMatrix, type MatrixInput } from "../validate";
import { chooseIrpParameters, heldOutSplit, type IrpChoiceOptions, type ParameterChoice } from "./irpChoice";

export interface IrpGapDiagnosticOptions extends IrpChoiceOptions {
  anchorsX: MatrixInput;
  anchorsY: MatrixInput;
  /** The Procrustes translator to compare with (default `new ProcrustesTranslator()`; any with the same map, e.g. one through the anchors' span, is faster on wide spaces). */
  procrustes?: () => Translator;
  /**
   * Principal coordinates kept per side for the map's anisotropy; default ⌊anchors / 8⌋ clamped to
   * [2, 32], and never beyond either anchor set's numerical rank.
   */
  principalDim?: number;
  /** A choice already made by `chooseIrpParameters` with the same anchors, grid, hold-out and seed (skips the grid). */
  choice?: ParameterChoice;
  /** Cross-validation folds of the gap (integer ≥ 2, at most the anchors / 2); default 5. */
  folds?: number;
  /** A memo shared with other fits (`MatrixContentMemo`): each side's SVDs and the folds' IRP target sides (see `IrpOptions.memo`); the numbers are the same with or without. */
  memo?: MatrixContentMemo;
}

/** A type (not an interface) so that arrays of it are table rows. */
export type IrpGapDiagnostic = {
  /** IRP − Procrustes: held-out anchors' mean centred cosine (negative: IRP trails). The prediction. */
  heldOutGap: number;
  /** The better of the two on the held-out anchors: "irp" when heldOutGap ≥ 0, else "procrustes". */
  recommended: "irp" | "procrustes";
  /** Each method's mean held-out centred cosine over the folds. */
  irpScore: number;
  procrustesScore: number;
  /** IRP's (ω, δ), chosen on the same split. */
  omega: number;
  delta: number;
  /** σ_max/σ_min of the least-squares map between the top `principalDim` principal coordinates (≥ 1). */
  mapConditionNumber: number;
  /** Standard deviation of that map's log singular values (0 for a rotation up to scale). */
  mapLogSpread: number;
  principalDim: number;
  /** Participation ratio (Σλ)²/Σλ² of the unit anchors' spectrum, per side. */
  sourceEffectiveRank: number;
  targetEffectiveRank: number;
  anchors: number;
  folds: number;
};

/** Participation ratio of the spectrum of centred, unit-normalised anchors. */
function effectiveRank(unit: Matrix, memo?: MatrixContentMemo): number {
  const values = () => svd(unit, { computeVectors: false }).s;
  const s = memo ? memo.get(unit, "singular values", values, (v) => 8 * v.length) : values();
  let a = 0, b = 0;
  for (const v of s) {
    a += v * v;
    b += v ** 4;
  }
  return b > 0 ? (a * a) / b : 0;
}

/** The principal coordinates (U·S) of centred anchors and their numerical rank. */
function principalCoordinates(a: Matrix, memo?: MatrixContentMemo): { scores: (r: number) => Matrix; rank: number } {
  // Each side's SVD depends on its anchors alone: a memo shares it between the pairs an encoder is in.
  const decompose = () => svd(center(a, columnMeans(a)));
  const { U, s } = memo ? memo.get(a, "centred svd", decompose, svdResultBytes) : decompose();
  const n = s.length;
  return {
    rank: numericalRank(s, defaultRcond(a.rows, a.cols)),
    scores: (r) => {
      const out = new Matrix(a.rows, r);
      for (let i = 0; i < a.rows; i++) for (let q = 0; q < r; q++) out.data[i * r + q] = U!.data[i * n + q] * s[q];
      return out;
    },
  };
}

/** Per-row cosines of `translated` and `truth` after centring both on `mean`. */
function centredCosines(translated: Matrix, truth: Matrix, mean: Float64Array): Float64Array {
  return cosineSimilarities(translated, truth, { centre: mean });
}

/**
 * The anchor-only prediction of IRP's gap to Procrustes, and the pair's regime measures (see the
 * module comment). Needs nothing beyond the two anchor matrices (k × d_x and k × d_y, the same items).
 * @throws ShapeMismatchError / NonFiniteError naming anchorsX or anchorsY; InvalidParameterError for a
 *   bad grid, hold-out share, seed, folds or principalDim.
 */
export function irpGapDiagnostic(options: IrpGapDiagnosticOptions): IrpGapDiagnostic {
  const ax = toMatrix(options.anchorsX, "anchorsX"), ay = toMatrix(options.anchorsY, "anchorsY");
  assertParallelAnchors(ax, ay, 3);
  const seed = assertSeed(options.seed ?? 0);
  const holdout = options.holdout ?? 0.2;
  const split = heldOutSplit(ax.rows, holdout, seed);
  // Parameters first, before any fit.
  const folds = options.folds ?? 5;
  assertInteger(folds, "folds", 2);
  if (folds > Math.floor(ax.rows / 2)) throw new InvalidParameterError("folds", `expected at most ${Math.floor(ax.rows / 2)} (half the ${ax.rows} anchors), got ${folds}`);
  if (options.principalDim !== undefined) assertInteger(options.principalDim, "principalDim", 1);
  // The map's anisotropy, between principal coordinates within both anchor sets' numerical rank.
  const px = principalCoordinates(ax, options.memo), py = principalCoordinates(ay, options.memo);
  const maxDim = Math.min(px.rank, py.rank);
  const r = options.principalDim ?? Math.max(1, Math.min(maxDim, Math.max(2, Math.min(Math.floor(ax.rows / 8), 32))));
  if (r > maxDim) throw new InvalidParameterError("principalDim", `expected at most ${maxDim} (the anchors' numerical rank on the smaller side), got ${r}`);
  const choice = options.choice ?? chooseIrpParameters({ ...options, anchorsX: ax, anchorsY: ay, seed, holdout });
  if (choice.anchors !== split.fit.length || choice.heldOut !== split.test.length) {
    throw new InvalidParameterError("choice", `was made on ${choice.anchors} / ${choice.heldOut} anchors, this split has ${split.fit.length} / ${split.test.length}: pass the same anchors, hold-out and seed`);
  }
  // Every anchor is held out once; fold f holds out the permutation's positions ≡ f (mod folds).
  const order = new Random((seed + 1) % (SEED_MAX + 1)).permutation(ax.rows);
  let irpSum = 0, procrustesSum = 0;
  for (let f = 0; f < folds; f++) {
    const test = order.filter((_, i) => i % folds === f), fit = order.filter((_, i) => i % folds !== f);
    const fx = selectRows(ax, fit), fy = selectRows(ay, fit), tx = selectRows(ax, test), ty = selectRows(ay, test);
    const mean = anchorStats(fy).mean;
    const sum = (translated: Matrix) => centredCosines(translated, ty, mean).reduce((a, v) => a + v, 0);
    // IRP through the relative space (`translatePrefixes`, as the chooser scores it): equal to
    // `InverseRelativeProjection.transform` up to rounding, without forming the d_x×d_y map.
    const irp = fitSubspaceMaps(fx, fy, { omega: choice.omega, delta: choice.delta, seed, prune: options.prune ?? IRP_DEFAULTS.prune, memo: options.memo });
    irpSum += sum(translatePrefixes(centerAndNormalize(tx, irp.source.mean, "anchorsX"), irp.unitX, irp.draws, [choice.omega], irp.target)[0].translated);
    procrustesSum += sum((options.procrustes ? options.procrustes() : new ProcrustesTranslator()).fit(fx, fy).transform(tx));
  }
  const irpScore = irpSum / ax.rows, procrustesScore = procrustesSum / ax.rows;
  const map = lstsq(px.scores(r), py.scores(r)).solution;
  const { s } = svd(map, { computeVectors: false });
  const logs = Array.from(s, (v) => Math.log(v));
  const meanLog = logs.reduce((a, v) => a + v, 0) / logs.length;
  return {
    heldOutGap: irpScore - procrustesScore, recommended: irpScore >= procrustesScore ? "irp" : "procrustes", irpScore, procrustesScore, omega: choice.omega, delta: choice.delta,
    mapConditionNumber: s[0] / s[s.length - 1],
    mapLogSpread: Math.sqrt(logs.reduce((a, v) => a + (v - meanLog) ** 2, 0) / logs.length),
    principalDim: r,
    sourceEffectiveRank: effectiveRank(centerAndNormalize(ax, anchorStats(ax).mean, "anchorsX"), options.memo),
    targetEffectiveRank: effectiveRank(centerAndNormalize(ay, anchorStats(ay).mean, "anchorsY"), options.memo),
    anchors: ax.rows, folds,
  };
}
