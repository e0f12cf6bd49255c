/**
 * Inverse Relative Projection, the estimator (the IRP paper, §3). Its subspace machinery — pruned
 * draws, decoders, the collapsed map, prefix decoding for ω sweeps — is in irpSubspaces.ts; the
 * variants (ridge, whiten, orthogonalize) in irpVariants.ts.
 */
import { Matrix, transpose } from "../linalg/matrix";
import { matmul, type Precision } from "../linalg/product";
import { type AnchorSubspace } from "../anchors/farthestPointSample";
import { centerAndNormalize, type SpaceStats } from "../relative/normalize";
import { InvalidParameterError } from "../errors";
import {
  assertCols, assertDelta, assertFiniteResult, assertInteger, assertMemo, assertPrecision, assertPruneSide, assertRcond, assertSeed,
  checkOptions, toMatrix, type MatrixInput, type PruneSide,
} from "../validate";
import { requireFitted } from "./fitted";
import { isPlainIrp, polarOfProduct, resolveIrpVariant, type IrpVariant } from "./irpVariants";
import {
  MAX_OMEGA, applyIrpMap, averageMaps, fitSubspaceMaps, mapFactors, meanOverDraws, translatePrefixes,
  type DrawnSubspace, type IrpSubspaceDiagnostics,
} from "./irpSubspaces";
import type { MatrixContentMemo } from "../linalg/contentMemo";
import type { Translator, TranslatorDiagnostics } from "./translator";

export { filteredSpectrum, isPlainIrp, polarOfProduct, resolveIrpVariant, type IrpVariant, type SpectralFilter } from "./irpVariants";
export {
  MAX_OMEGA, drawSubspaceDecoders, drawSubspaceEncoders, fitSubspaceMaps, averageMaps, mapFactors, meanOverDraws, translatePrefixes, applyIrpMap,
} from "./irpSubspaces";
export type { DecoderForm, DrawnSubspace, IrpSubspaceDiagnostics, IrpTargetSide, SubspaceDecoderOptions, SubspaceMaps } from "./irpSubspaces";

/**
 * IRP's defaults, the one place they are written: ω = 16 and δ = 0.8 (the paper's Fig. 7 setting),
 * seed 0, pruning the target anchors (the ones eq. 5 inverts).
 */
export const IRP_DEFAULTS: Readonly<{ omega: number; delta: number; seed: number; prune: PruneSide }> = Object.freeze({
  omega: 16, delta: 0.8, seed: 0, prune: "target",
});


export const IRP_OPTION_KEYS = ["omega", "delta", "seed", "prune", "rcond", "ridge", "whiten", "orthogonalize"] as const;

export interface IrpOptions {
  /** ω, the number of pruned anchor subspaces averaged (§3.3). Integer in [1, 10^6] (`MAX_OMEGA`). Default 16. */
  omega?: number;
  /**
   * δ ∈ [0, 1), the farthest-point-sampling stop threshold on the 1−|cos| distance. 0 keeps every
   * anchor. Default 0.8 (the setting of the paper's Fig. 7).
   */
  delta?: number;
  /** Seed of the random first point of each subspace: an integer in [0, 2^32 − 1]. Default 0. */
  seed?: number;
  /**
   * Whose anchors FPS prunes. Default "target": the pseudo-inverse is taken of the target anchors,
   * so pruning them is what stabilises the inverse (eq. 5 writes S_Y). "source" prunes on the
   * source anchors instead; in both cases the same items are kept in both spaces.
   */
  prune?: PruneSide;
  /** Relative singular-value cut-off of the pseudo-inverse; default numpy's max(m, n)·eps. */
  rcond?: number;
  /**
   * λ ≥ 0: decode with the ridge-regularised inverse (S_Y·S_Yᵀ + λI)⁻¹·S_Y of each subspace's unit
   * target anchors instead of pinv(S_Yᵀ) (singular values filtered by σ/(σ² + λ) instead of 1/σ).
   * λ → 0 is plain IRP; λ → ∞ turns the collapsed map into the anchors' cross-covariance S_Xᵀ·S_Y.
   * Keeps IRP's defining property (the decoder reads only target anchors). Default 0 (plain IRP).
   */
  ridge?: number;
  /**
   * Whiten the relative space with each side's own anchor Gram matrix: encode with
   * S_Xᵀ·(S_X·S_Xᵀ)^(-1/2) = polar(S_X)ᵀ instead of S_Xᵀ and decode with (S_Y·S_Yᵀ)^(-1/2)·S_Y =
   * polar(S_Y) instead of pinv(S_Yᵀ). Equals plain IRP when the relative spaces agree on the anchors
   * (S_X·S_Xᵀ = S_Y·S_Yᵀ, the paper's assumption); when the unit target anchors are a linear image
   * of the unit source anchors (S_Y = S_X·A) the map is orthogonal. Keeps IRP's defining property (each side reads only
   * its own anchors). Not combinable with `ridge` > 0 (it replaces the inverse). Default false.
   */
  whiten?: boolean;
  /**
   * Replace the collapsed map by its polar factor (the nearest partial isometry, over the map's
   * numerical range): keeps IRP's anchor pruning and averaging but removes the anisotropic scaling
   * the reverse regression introduces. Gives up IRP's defining property: the polar factor of
   * (source part)·(target part) is a joint fit of both sides, like Procrustes. Default false.
   */
  orthogonalize?: boolean;
  /**
   * A memo shared with other fits (`new MatrixContentMemo()`): with target pruning a fit's target
   * side (unit target anchors, pruned subspaces, decoders) reads only the target's anchors, so
   * estimators fitting several sources into one target compute it once per content and setting.
   * The fit is the same bit for bit. Not saved with a model.
   */
  memo?: MatrixContentMemo;
}


export const IRP_TRANSFORM_OPTION_KEYS = ["precision"] as const;

export interface IrpTransformOptions {
  /**
   * The arithmetic of the product with the collapsed map. "float64" (default): everything in float64.
   * "float32": the unit rows and the map are rounded to float32 and multiplied with float32 SIMD
   * (about 1.6× the float64 product's speed here), normalisation and de-normalisation stay float64.
   * Each decoded entry then differs from float64's by at most
   * `float32ProductErrorBound(d_x)`·Σ_p |x̂_p|·|M_pj| ≤ (259·2⁻²⁴ + d_x·2⁻⁵³)·‖M_:j‖ (x̂ a unit row;
   * ≈ 1.5e-5·‖M_:j‖), typically ~1e-7 relative: for float32 embeddings and outputs, when a few
   * float32 ulps do not matter. Never used unless asked (the notebooks are float64 throughout).
   */
  precision?: Precision;
}

export interface IrpDiagnostics extends TranslatorDiagnostics {
  method: "irp";
  omega: number;
  delta: number;
  seed: number;
  prune: PruneSide;
  /** One entry per distinct subspace (identical draws are merged and computed once). */
  subspaces: IrpSubspaceDiagnostics[];
  /** Means over the ω draws (weighted by multiplicity). */
  meanAnchorsKept: number;
  meanConditionNumber: number;
  distinctSubspaces: number;
  /** The variant options, present only when one is not at its default (plain IRP has no such key). */
  variant?: IrpVariant;
}

interface IrpState {
  source: SpaceStats;
  target: SpaceStats;
  /** The collapsed d_x×d_y map of anchor completion. */
  map: Matrix;
  subspaces: AnchorSubspace[];
  diagnostics: IrpDiagnostics;
  /** The normalised source anchors and the ω draws, kept only for the literal reference transform. */
  unitX: Matrix;
  draws: DrawnSubspace[];
  /** With `whiten`: each distinct subspace's source encoder polar(S_X) (k_s×d_x). */
  encoders?: ReadonlyMap<DrawnSubspace, Matrix>;
}

/**
 * Inverse Relative Projection (the IRP paper, §3): source vectors are centred and normalised,
 * projected on the source anchors (relative space), decoded with the pseudo-inverse of the target
 * anchors, rescaled to the target anchors' mean norm and shifted to their mean.
 *
 * With anchor pruning (δ) and ω subspaces the decoded vector is the average of eq. 5. Every term
 * is linear in the normalised input, so `fit` collapses the whole average into one d_x×d_y matrix
 * M = (1/ω)·Σ_i S_Xⁱᵀ·pinv(S_Yⁱᵀ) — anchor completion: the canonical basis of X becomes the
 * source anchors and its images the target anchors — and `transform` is one matrix product.
 */
export class InverseRelativeProjection implements Translator {
  readonly method = "irp" as const;
  readonly omega: number;
  readonly delta: number;
  readonly seed: number;
  readonly prune: PruneSide;
  readonly rcond: number | undefined;
  readonly ridge: number;
  readonly whiten: boolean;
  readonly orthogonalize: boolean;
  readonly memo: MatrixContentMemo | undefined;
  private state?: IrpState;

  constructor(options?: IrpOptions) {
    const o = checkOptions(options, [...IRP_OPTION_KEYS, "memo"]);
    this.omega = o.omega ?? IRP_DEFAULTS.omega;
    this.delta = o.delta ?? IRP_DEFAULTS.delta;
    this.seed = assertSeed(o.seed ?? IRP_DEFAULTS.seed);
    this.prune = assertPruneSide(o.prune ?? IRP_DEFAULTS.prune);
    this.rcond = assertRcond(o.rcond);
    assertInteger(this.omega, "omega", 1, MAX_OMEGA);
    assertDelta(this.delta);
    const variant = resolveIrpVariant(o);
    this.ridge = variant.ridge;
    this.whiten = variant.whiten;
    this.orthogonalize = variant.orthogonalize;
    this.memo = assertMemo(o.memo);
  }

  /** The variant options (all at their defaults for plain IRP). */
  get variant(): IrpVariant {
    return { ridge: this.ridge, whiten: this.whiten, orthogonalize: this.orthogonalize };
  }

  fit(anchorsX: MatrixInput, anchorsY: MatrixInput): this {
    const t0 = performance.now();
    const fitted = fitSubspaceMaps(anchorsX, anchorsY, this);
    let map: Matrix;
    if (this.orthogonalize) {
      const { left, right } = mapFactors(fitted, this.omega);
      map = polarOfProduct(left, right);
    } else {
      map = averageMaps(fitted, this.omega);
    }
    // One diagnostics entry per distinct subspace, with how many draws produced it.
    const distinct = new Map<DrawnSubspace, number>();
    for (const d of fitted.draws) distinct.set(d, (distinct.get(d) ?? 0) + 1);
    const perSubspace: IrpSubspaceDiagnostics[] = [...distinct].map(([sub, multiplicity]) => ({ ...sub.diagnostics, multiplicity }));
    const subspaces: AnchorSubspace[] = [...distinct].map(([sub, multiplicity]) => ({ indices: sub.indices, multiplicity }));
    const { ax, ay } = fitted;
    this.state = {
      source: fitted.source, target: fitted.target, map, subspaces, unitX: fitted.unitX, draws: fitted.draws, encoders: fitted.encoders,
      diagnostics: {
        method: "irp",
        sourceDim: ax.cols,
        targetDim: ay.cols,
        anchors: ax.rows,
        omega: this.omega,
        delta: this.delta,
        seed: this.seed,
        prune: this.prune,
        subspaces: perSubspace,
        meanAnchorsKept: meanOverDraws(fitted.draws, this.omega, (d) => d.anchorsKept),
        meanConditionNumber: meanOverDraws(fitted.draws, this.omega, (d) => d.conditionNumber),
        distinctSubspaces: distinct.size,
        ...(isPlainIrp(this.variant) ? {} : { variant: this.variant }),
        fitSeconds: (performance.now() - t0) / 1000,
      },
    };
    return this;
  }

  /**
   * Translate source vectors: normalise, one product with the collapsed map, de-normalise.
   * `options.precision` "float32" multiplies in float32 (see `IrpTransformOptions`).
   */
  transform(x: MatrixInput, options?: IrpTransformOptions): Matrix {
    const s = requireFitted(this.state, this.method);
    const precision = assertPrecision(checkOptions(options, IRP_TRANSFORM_OPTION_KEYS).precision);
    // Finiteness is checked by the normalising pass (centerAndNormalizeInto), not by a pass of its own.
    const xm = toMatrix(x, "x", { finite: false });
    assertCols(xm, s.source.mean.length, "x", "the source dimension seen in fit");
    return applyIrpMap(xm, s.source, s.target, s.map, precision);
  }

  /**
   * The relative representation of x in the source space's (centred, normalised) anchors: the
   * shared space IRP passes through, before any pruning.
   */
  relative(x: MatrixInput): Matrix {
    const s = requireFitted(this.state, this.method);
    const xm = toMatrix(x, "x");
    assertCols(xm, s.source.mean.length, "x", "the source dimension seen in fit");
    return matmul(centerAndNormalize(xm, s.source, "x"), transpose(s.unitX));
  }

  /**
   * Eq. 5 evaluated literally — every draw's term (x̂·S_Xⁱᵀ)·pinv(S_Yⁱᵀ), then the average
   * (`translatePrefixes`, the sensitivity grids' arithmetic) — without anchor completion. A slow
   * reference for tests and benchmarks; equals `transform` up to rounding. With `ridge` or `whiten`
   * the terms use the variant's decoders (and encoders); `orthogonalize` has no term-by-term form.
   * @throws InvalidParameterError with `orthogonalize`.
   */
  transformLiteral(x: MatrixInput): Matrix {
    const s = requireFitted(this.state, this.method);
    if (this.orthogonalize) {
      throw new InvalidParameterError("orthogonalize", "the polar factor of the averaged map has no term-by-term form of eq. 5; use transform");
    }
    const xm = toMatrix(x, "x");
    assertCols(xm, s.source.mean.length, "x", "the source dimension seen in fit");
    const xn = centerAndNormalize(xm, s.source, "x");
    return assertFiniteResult(translatePrefixes(xn, s.unitX, s.draws, [this.omega], s.target, s.encoders)[0].translated, "x", "the translation of x");
  }

  /** The collapsed d_x×d_y map (acting on centred, normalised row vectors). */
  get map(): Matrix {
    return requireFitted(this.state, this.method).map;
  }

  get sourceStats(): SpaceStats {
    return requireFitted(this.state, this.method).source;
  }

  get targetStats(): SpaceStats {
    return requireFitted(this.state, this.method).target;
  }

  /** The distinct anchor subsets (indices into the fitted anchors) with their multiplicities. */
  get subspaces(): readonly AnchorSubspace[] {
    return requireFitted(this.state, this.method).subspaces;
  }

  get diagnostics(): IrpDiagnostics {
    return requireFitted(this.state, this.method).diagnostics;
  }

  /**
   * Everything `fit` computed (what `saveTranslator` writes, translate/persist.ts). Read-only: with a
   * `memo`, the draws (indices, decoders) are shared with every estimator fitted into the same target.
   */
  get fittedState(): IrpFittedState {
    return requireFitted(this.state, this.method);
  }

  /** An estimator with these options in the state `fittedState` gave (`loadTranslator`): no refit, the same transform bit for bit. */
  static fromFittedState(options: IrpOptions | undefined, state: IrpFittedState): InverseRelativeProjection {
    const irp = new InverseRelativeProjection(options);
    irp.state = state;
    return irp;
  }
}

/** The state an InverseRelativeProjection's `fit` computes (see `fittedState`). */
export type IrpFittedState = IrpState;
