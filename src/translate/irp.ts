import { Matrix, addScaledInPlace, frobeniusNorm, scale, selectRows, transpose } from "../linalg/matrix";
import { matmul, matmulTransA } from "../linalg/product";
import { pinvWithInfo } from "../linalg/pinv";
import { absoluteCosineGram, drawAnchorSubspaces, type AnchorSubspace } from "../anchors/farthestPointSample";
import { anchorStats, centerAndNormalize, denormalize, type SpaceStats } from "../relative/normalize";
import { InvalidParameterError } from "../errors";
import {
  assertCols, assertDelta, assertFiniteResult, assertInteger, assertParallelAnchors, assertPruneSide, assertRcond, assertSeed,
  checkOptions, toMatrix, type MatrixInput, type PruneSide,
} from "../validate";
import { requireFitted } from "./fitted";
import type { Translator, TranslatorDiagnostics } from "./translator";

/**
 * IRP's defaults, the one place they are written: ω = 16 and δ = 0.8 (the paper's Fig. 7 setting),
 * seed 0, pruning the target anchors (the ones eq. 5 inverts).
 */
export const IRP_DEFAULTS: Readonly<{ omega: number; delta: number; seed: number; prune: PruneSide }> = Object.freeze({
  omega: 16, delta: 0.8, seed: 0, prune: "target",
});

/**
 * The largest ω. Draws are cheap (one random number, then a lookup: at most k distinct subspaces
 * are ever computed), but each draw keeps a slot, so ω is bounded: 10^6 draws take well under a
 * second and 8 MB, and beyond a few times k the average no longer changes (it converges to the
 * uniform average over the k possible first anchors).
 */
export const MAX_OMEGA = 1_000_000;

export const IRP_OPTION_KEYS = ["omega", "delta", "seed", "prune", "rcond"] as const;

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
}

export interface IrpSubspaceDiagnostics {
  /** Anchors kept by FPS in this subspace. */
  anchorsKept: number;
  /** How many of the ω draws produced this very subspace. */
  multiplicity: number;
  /** Numerical rank of the pruned target anchors. */
  rank: number;
  /** σ_max/σ_min of the pruned target anchors over the kept spectrum. */
  conditionNumber: number;
  /** σ_max/σ_min over the full spectrum (Infinity when rank-deficient). */
  conditionNumberFull: number;
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
  private state?: IrpState;

  constructor(options?: IrpOptions) {
    const o = checkOptions(options, IRP_OPTION_KEYS);
    this.omega = o.omega ?? IRP_DEFAULTS.omega;
    this.delta = o.delta ?? IRP_DEFAULTS.delta;
    this.seed = assertSeed(o.seed ?? IRP_DEFAULTS.seed);
    this.prune = assertPruneSide(o.prune ?? IRP_DEFAULTS.prune);
    this.rcond = assertRcond(o.rcond);
    assertInteger(this.omega, "omega", 1, MAX_OMEGA);
    assertDelta(this.delta);
  }

  fit(anchorsX: MatrixInput, anchorsY: MatrixInput): this {
    const t0 = performance.now();
    const fitted = fitSubspaceMaps(anchorsX, anchorsY, this);
    const map = averageMaps(fitted, this.omega);
    // One diagnostics entry per distinct subspace, with how many draws produced it.
    const distinct = new Map<DrawnSubspace, number>();
    for (const d of fitted.draws) distinct.set(d, (distinct.get(d) ?? 0) + 1);
    const perSubspace: IrpSubspaceDiagnostics[] = [...distinct].map(([sub, multiplicity]) => ({ ...sub.diagnostics, multiplicity }));
    const subspaces: AnchorSubspace[] = [...distinct].map(([sub, multiplicity]) => ({ indices: sub.indices, multiplicity }));
    const { ax, ay } = fitted;
    this.state = {
      source: fitted.source, target: fitted.target, map, subspaces, unitX: fitted.unitX, draws: fitted.draws,
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
        fitSeconds: (performance.now() - t0) / 1000,
      },
    };
    return this;
  }

  /** Translate source vectors: normalise, one product with the collapsed map, de-normalise. */
  transform(x: MatrixInput): Matrix {
    const s = requireFitted(this.state, this.method);
    const xm = toMatrix(x, "x");
    assertCols(xm, s.source.mean.length, "x", "the source dimension seen in fit");
    return applyIrpMap(xm, s.source, s.target, s.map);
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
   * reference for tests and benchmarks; equals `transform` up to rounding.
   */
  transformLiteral(x: MatrixInput): Matrix {
    const s = requireFitted(this.state, this.method);
    const xm = toMatrix(x, "x");
    assertCols(xm, s.source.mean.length, "x", "the source dimension seen in fit");
    const xn = centerAndNormalize(xm, s.source, "x");
    return assertFiniteResult(translatePrefixes(xn, s.unitX, s.draws, [this.omega], s.target)[0].translated, "x", "the translation of x");
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

  /** Everything `fit` computed (what `saveTranslator` writes, translate/persist.ts). */
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

/** One distinct pruned subspace and what its term of eq. 5, S_Xᵀ·pinv(S_Yᵀ), needs. */
export interface DrawnSubspace {
  /** The kept anchors (indices into the fitted anchors), ascending. */
  indices: Int32Array;
  /** pinv(S_Yᵀ), k_s×d_y: decodes relative coordinates on these anchors into the target space. */
  decoder: Matrix;
  diagnostics: Omit<IrpSubspaceDiagnostics, "multiplicity">;
}

export interface SubspaceMaps {
  ax: Matrix;
  ay: Matrix;
  source: SpaceStats;
  target: SpaceStats;
  unitX: Matrix;
  unitY: Matrix;
  /** One entry per draw, in draw order; draws that pruned to the same set share one object. */
  draws: DrawnSubspace[];
}

/**
 * How a subspace's decoder is formed: pinv(S_Yᵀ) ("pinv-of-transpose", the estimator's) or
 * pinv(S_Y)ᵀ ("transpose-of-pinv"). The same matrix in exact arithmetic (pinv(Aᵀ) = pinv(A)ᵀ), not in
 * the last bits. The ω×δ sensitivity grid has always used the second, and the anchor-only (ω, δ)
 * choice breaks near-ties on those bits (at δ = 0 every ω decodes the same subspace), so each path
 * keeps its form and its committed numbers.
 */
export type DecoderForm = "pinv-of-transpose" | "transpose-of-pinv";

export interface SubspaceDecoderOptions {
  omega: number;
  delta: number;
  seed: number;
  rcond?: number;
  /** Default "pinv-of-transpose". */
  form?: DecoderForm;
}

/**
 * The target side of eq. 5: ω subspaces drawn by farthest point sampling on `pruneGram` (the |cos|
 * Gram matrix of the unit anchors being pruned, `absoluteCosineGram`), each distinct one with its
 * decoder pinv(S_Yᵀ) of the target's unit anchors `unitY`, computed once per distinct subspace.
 * Draw i's first anchor is the i-th number of `Random(seed)`, so the draws for ω are a prefix of the
 * draws for any larger ω. Nothing here depends on the source except, when the source is pruned, the
 * Gram matrix: with target pruning one call serves every source decoding into this target.
 * Returns one entry per draw, in draw order; draws that pruned to the same set share one object.
 */
export function drawSubspaceDecoders(unitY: Matrix, pruneGram: Float64Array, options: SubspaceDecoderOptions): DrawnSubspace[] {
  assertInteger(options.omega, "omega", 1, MAX_OMEGA);
  assertDelta(options.delta);
  assertSeed(options.seed);
  const form = options.form ?? "pinv-of-transpose";
  const computed = new Map<Int32Array, DrawnSubspace>();
  return drawAnchorSubspaces(pruneGram, unitY.rows, options.omega, options.delta, options.seed).map((indices) => {
    let drawn = computed.get(indices);
    if (!drawn) {
      const sy = selectRows(unitY, indices);
      const info = pinvWithInfo(form === "pinv-of-transpose" ? transpose(sy) : sy, { rcond: options.rcond });
      drawn = {
        indices,
        decoder: form === "pinv-of-transpose" ? info.pinv : transpose(info.pinv),
        diagnostics: { anchorsKept: indices.length, rank: info.rank, conditionNumber: info.condKept, conditionNumberFull: info.condFull },
      };
      computed.set(indices, drawn);
    }
    return drawn;
  });
}

/**
 * Both sides of IRP's fit: the anchors' statistics and unit rows, and the ω draws with their
 * decoders (`drawSubspaceDecoders`, pruning the side `options.prune` names). A sweep over ω fits the
 * largest once and averages prefixes (`averageMaps(fitted, ω)` equals the collapsed map of
 * `new InverseRelativeProjection({ omega: ω })`).
 */
export function fitSubspaceMaps(
  anchorsX: MatrixInput, anchorsY: MatrixInput,
  options: { omega: number; delta: number; seed: number; prune: PruneSide; rcond?: number },
): SubspaceMaps {
  const ax = toMatrix(anchorsX, "anchorsX");
  const ay = toMatrix(anchorsY, "anchorsY");
  assertParallelAnchors(ax, ay, 2);
  assertInteger(options.omega, "omega", 1, MAX_OMEGA);
  assertDelta(options.delta);
  assertSeed(options.seed);
  const source = anchorStats(ax, "anchorsX");
  const target = anchorStats(ay, "anchorsY");
  const unitX = centerAndNormalize(ax, source, "anchorsX");
  const unitY = centerAndNormalize(ay, target, "anchorsY");
  const gram = absoluteCosineGram(options.prune === "target" ? unitY : unitX);
  const draws = drawSubspaceDecoders(unitY, gram, { omega: options.omega, delta: options.delta, seed: options.seed, rcond: options.rcond });
  return { ax, ay, source, target, unitX, unitY, draws };
}

/**
 * The average of the first ω draws' terms of eq. 5, collapsed into one d_x×d_y matrix (anchor
 * completion): (1/ω)·Σ_s S_X,sᵀ·pinv(S_Y,sᵀ). Every S_X,s is a row selection of the source anchors,
 * so the sum is X̂ᵀ·Q with Q (k×d_y) the decoders' rows added into their anchors' rows: one product
 * however many subspaces there are.
 */
export function averageMaps(fitted: Pick<SubspaceMaps, "draws" | "unitX">, omega: number): Matrix {
  const { draws, unitX } = fitted;
  if (!Number.isInteger(omega) || omega < 1 || omega > draws.length) {
    throw new InvalidParameterError("omega", `expected 1..${draws.length} (the draws available), got ${omega}`);
  }
  const counts = new Map<DrawnSubspace, number>();
  for (let i = 0; i < omega; i++) counts.set(draws[i], (counts.get(draws[i]) ?? 0) + 1);
  const dy = draws[0].decoder.cols;
  const q = new Matrix(unitX.rows, dy);
  for (const [d, c] of counts) {
    const w = c / omega, dec = d.decoder.data;
    for (let r = 0; r < d.indices.length; r++) {
      const to = d.indices[r] * dy, from = r * dy;
      for (let j = 0; j < dy; j++) q.data[to + j] += w * dec[from + j];
    }
  }
  return matmulTransA(unitX, q);
}

/** Mean of a per-subspace number over the first ω draws. */
export function meanOverDraws(
  draws: readonly DrawnSubspace[], omega: number, f: (d: DrawnSubspace["diagnostics"]) => number,
): number {
  let s = 0;
  for (let i = 0; i < omega; i++) s += f(draws[i].diagnostics);
  return s / omega;
}

/**
 * Eq. 5 through the relative space, for several ω at once and without forming a d_x×d_y map:
 * every draw's term (x̂·S_Xᵀ)·D — the relative projection on the subspace's source anchors, then its
 * decoder — is added in draw order (each distinct subspace computed once), and at each ω of `omegas`
 * (ascending) the sum of the first ω terms, scaled by 1/ω and de-normalised into the target, is one
 * result. Two n×k_s products per distinct subspace: cheaper than anchor completion (`averageMaps` +
 * `applyIrpMap`, equal up to rounding) when each map serves few inputs, as in the ω×δ sweeps.
 * `xUnit`: inputs centred and normalised in the source space; `unitX`: the source's unit anchors;
 * `draws`: at least max(omegas) of them (`drawSubspaceDecoders`).
 */
export function translatePrefixes(
  xUnit: Matrix, unitX: Matrix, draws: readonly DrawnSubspace[], omegas: readonly number[], target: SpaceStats,
): Array<{ omega: number; translated: Matrix }> {
  const ascending = [...omegas].sort((p, q) => p - q);
  for (const omega of ascending) {
    if (!Number.isInteger(omega) || omega < 1 || omega > draws.length) {
      throw new InvalidParameterError("omegas", `expected integers in 1..${draws.length} (the draws available), got ${omega}`);
    }
  }
  const sum = new Matrix(xUnit.rows, target.mean.length);
  const terms = new Map<DrawnSubspace, Matrix>();
  const out: Array<{ omega: number; translated: Matrix }> = [];
  let drawn = 0;
  for (const omega of ascending) {
    for (; drawn < omega; drawn++) {
      const d = draws[drawn];
      let term = terms.get(d);
      if (!term) {
        term = matmul(matmul(xUnit, transpose(selectRows(unitX, d.indices))), d.decoder);
        terms.set(d, term);
      }
      addScaledInPlace(sum, term, 1);
    }
    out.push({ omega, translated: denormalize(scale(sum, 1 / omega), target) });
  }
  return out;
}

/**
 * IRP's transform with a given collapsed map: normalise in the source, one product, de-normalise.
 * A unit row whose image is zero up to rounding (it is orthogonal to every source anchor's span)
 * carries no direction and goes to the target centre (see `denormalize`).
 */
export function applyIrpMap(x: Matrix, source: SpaceStats, target: SpaceStats, map: Matrix): Matrix {
  const decoded = matmul(centerAndNormalize(x, source, "x"), map);
  return assertFiniteResult(denormalize(decoded, target, decodedZeroBelow(map)), "x", "the translation of x");
}

/**
 * The rounding level of a unit row times `map`: each of its d_y entries sums d_x products, each
 * rounded relative to ‖map‖_F at most, so below 1e-12·‖map‖_F (d_x·eps ≈ 5e-13 for d_x = 2,048) an
 * image is indistinguishable from zero.
 */
function decodedZeroBelow(map: Matrix): number {
  return 1e-12 * frobeniusNorm(map);
}
