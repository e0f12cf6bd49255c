import { Matrix, frobeniusNorm } from "../linalg/matrix";
import { matmul, matmulTransA, matmulTransB } from "../linalg/product";
import { numericalRank, svd } from "../linalg/svd";
import { defaultRcond } from "../linalg/pinv";
import type { MatrixContentMemo } from "../linalg/contentMemo";
import { anchorStats, centerAndScale, unscaleInPlace, type SpaceStats } from "../relative/normalize";
import { DegenerateAnchorsError, InvalidParameterError } from "../errors";
import {
  assertCols, assertFiniteResult, assertMemo, assertParallelAnchors, checkOptions, toMatrix, type MatrixInput,
} from "../validate";
import { requireFitted } from "./fitted";
import type { Translator, TranslatorDiagnostics } from "./translator";

/**
 * How the orthogonal map is computed (see `ProcrustesTranslator`):
 * - "auto" (default): the partial isometry on the anchors' span, which is THE Procrustes solution
 *   when that is unique; computed from the d_x×d_y cross-covariance when the anchors can span
 *   min(d_x, d_y) dimensions (then bit for bit the classical map), through the anchors' span otherwise.
 * - "full": the classical U·Vᵀ of the whole cross-covariance's SVD, whatever its rank. With fewer
 *   anchors than dimensions it is not unique, and the part of an input outside the anchors' span
 *   goes wherever that SVD's completion happens to send it.
 * - "anchor-span": always through the anchors' span (the thin SVDs of the k×d anchor matrices).
 */
export type ProcrustesVariant = "auto" | "full" | "anchor-span";

export const PROCRUSTES_VARIANTS: readonly ProcrustesVariant[] = ["auto", "full", "anchor-span"];

export interface ProcrustesOptions {
  /** How the map is computed; default "auto" (see `ProcrustesVariant`). */
  variant?: ProcrustesVariant;
  /**
   * A memo shared with other fits (`new MatrixContentMemo()`): the normalised anchors' row spaces by
   * content, so a study fitting many pairs over the same anchors runs each anchor set's SVD once. The
   * map is the same bit for bit with or without it. Used on the anchors' span only.
   */
  memo?: MatrixContentMemo;
}

/** A row space as the span computation reads it: V (d × r) and U·S (k × r). */
export interface RowSpace { v: Matrix; us: Matrix }



export interface ProcrustesDiagnostics extends TranslatorDiagnostics {
  method: "procrustes";
  paddedDim: number;
  variant: ProcrustesVariant;
  /** Which computation ran: the d_x×d_y cross-covariance's SVD, or the anchors' span. */
  computedBy: "cross-covariance" | "anchor-span";
  /** Numerical rank of the cross-covariance X̃ᵀỸ (numpy's cut-off). */
  rank: number;
  /**
   * Whether the orthogonal Procrustes solution is unique: rank = min(d_x, d_y). When it is not,
   * "full" returned one arbitrary completion, "auto" and "anchor-span" the partial isometry.
   */
  unique: boolean;
}

/** The fitted map on normalised vectors: a d_x×d_y matrix, or kept factored as left·rightᵀ. */
type FittedMap = { rotation: Matrix } | { left: Matrix; right: Matrix };

interface ProcrustesState {
  source: SpaceStats;
  target: SpaceStats;
  map: FittedMap;
  diagnostics: ProcrustesDiagnostics;
}

/**
 * Direct translation by orthogonal Procrustes (Maiorca et al. 2023): each space is centred on its
 * anchor mean and divided by its anchors' mean norm; the smaller space is zero-padded to the larger
 * dimension; the orthogonal map between the padded anchors is estimated in closed form; outputs are
 * cut to the target dimension and given back the target scale and centre. Recovers any
 * rotation/reflection plus translation plus isotropic scaling exactly.
 *
 * Padding is never materialised: a padded source row only meets the first d_x rows of the D×D map
 * and only its first d_y columns are kept, and that block is exactly U·Vᵀ from the thin SVD of the
 * d_x×d_y cross-covariance X̃ᵀỸ = U·S·Vᵀ (the zero block's singular vectors pair with each other).
 *
 * Uniqueness. With k anchors X̃ᵀỸ has rank r ≤ min(k − 1, d_x, d_y) (centring removes one). When
 * r = min(d_x, d_y) the solution is unique. When r is smaller — always when k ≤ min(d_x, d_y) —
 * any orthonormal completion of the singular vectors of the zero singular values is optimal too: on
 * the anchors' span every solution gives the same X̃·R, and off it each sends the input somewhere
 * else. The well-defined answer is the partial isometry R = U_r·V_rᵀ (first r singular vectors),
 * which drops what lies outside the anchors' span instead of sending it to an arbitrary direction.
 * That is what "auto" (the default) and "anchor-span" return; "full" keeps the classical U·Vᵀ.
 *
 * Through the anchors' span. With the thin SVDs X̃ = Ua·Sa·Vaᵀ, Ỹ = Ub·Sb·Vbᵀ (rank r_x, r_y),
 * X̃ᵀỸ = Va·(Sa·Uaᵀ·Ub·Sb)·Vbᵀ, and the SVD of the small r_x×r_y middle matrix M = Um·S·Vmᵀ gives
 * X̃ᵀỸ = (Va·Um)·S·(Vb·Vm)ᵀ: R = (Va·Um_r)·(Vb·Vm_r)ᵀ, kept factored. The cost is that of two k×d
 * SVDs instead of a d_x×d_y one: 5 anchors of 4,000-d spaces take milliseconds instead of minutes.
 */
export class ProcrustesTranslator implements Translator {
  readonly method = "procrustes" as const;
  readonly variant: ProcrustesVariant;
  private readonly memo?: MatrixContentMemo;
  private state?: ProcrustesState;

  constructor(options?: ProcrustesOptions) {
    const o = checkOptions(options, ["variant", "memo"]);
    this.variant = o.variant ?? "auto";
    if (!PROCRUSTES_VARIANTS.includes(this.variant)) {
      throw new InvalidParameterError("variant", `expected one of ${PROCRUSTES_VARIANTS.join(", ")}, got ${JSON.stringify(this.variant)}`);
    }
    this.memo = assertMemo(o.memo);
  }

  fit(anchorsX: MatrixInput, anchorsY: MatrixInput): this {
    const t0 = performance.now();
    const ax = toMatrix(anchorsX, "anchorsX");
    const ay = toMatrix(anchorsY, "anchorsY");
    assertParallelAnchors(ax, ay, 2);
    const source = anchorStats(ax, "anchorsX");
    const target = anchorStats(ay, "anchorsY");
    const xs = centerAndScale(ax, source), ys = centerAndScale(ay, target);
    const minDim = Math.min(ax.cols, ay.cols);
    const viaSpan = this.variant === "anchor-span" || (this.variant === "auto" && ax.rows - 1 < minDim);
    const { map, rank } = viaSpan ? spanMap(xs, ys, this.memo) : crossCovarianceMap(xs, ys, this.variant === "full");
    this.state = {
      source, target, map,
      diagnostics: {
        method: this.method, sourceDim: ax.cols, targetDim: ay.cols, anchors: ax.rows, paddedDim: Math.max(ax.cols, ay.cols),
        variant: this.variant, computedBy: viaSpan ? "anchor-span" : "cross-covariance", rank, unique: rank === minDim,
        fitSeconds: (performance.now() - t0) / 1000,
      },
    };
    return this;
  }

  transform(x: MatrixInput): Matrix {
    const s = requireFitted(this.state, this.method);
    const xm = toMatrix(x, "x");
    assertCols(xm, s.source.mean.length, "x", "the source dimension seen in fit");
    const xs = centerAndScale(xm, s.source);
    const y = "rotation" in s.map ? matmul(xs, s.map.rotation) : matmulTransB(matmul(xs, s.map.left), s.map.right);
    return assertFiniteResult(unscaleInPlace(y, s.target), "x", "the translation of x");
  }

  /** The d_x×d_y map on normalised vectors (formed on demand when it is kept factored). */
  get rotation(): Matrix {
    const { map } = requireFitted(this.state, this.method);
    return "rotation" in map ? map.rotation : matmulTransB(map.left, map.right);
  }

  get diagnostics(): ProcrustesDiagnostics {
    return requireFitted(this.state, this.method).diagnostics;
  }

  /** Everything `fit` computed (what `saveTranslator` writes, translate/persist.ts). */
  get fittedState(): ProcrustesFittedState {
    return requireFitted(this.state, this.method);
  }

  /** An estimator with these options in the state `fittedState` gave (`loadTranslator`): no refit, the same transform bit for bit. */
  static fromFittedState(options: ProcrustesOptions | undefined, state: ProcrustesFittedState): ProcrustesTranslator {
    const t = new ProcrustesTranslator(options);
    t.state = state;
    return t;
  }
}

/** The state a ProcrustesTranslator's `fit` computes: the map kept as one matrix or factored as left·rightᵀ. */
export type ProcrustesFittedState = ProcrustesState;
export type { FittedMap as ProcrustesMap };

/**
 * A cross-covariance X̃ᵀỸ whose largest singular value is within its own rounding of zero (each
 * entry sums k products, rounded relative to ‖X̃‖_F·‖Ỹ‖_F at most): the anchor sets are uncorrelated,
 * every rotation fits them equally badly, and the SVD's singular vectors would be noise.
 */
function assertCorrelated(sMax: number, xs: Matrix, ys: Matrix): void {
  const rounding = Math.max(xs.rows, xs.cols, ys.cols) * Number.EPSILON * frobeniusNorm(xs) * frobeniusNorm(ys);
  if (!(sMax > rounding)) {
    throw new DegenerateAnchorsError(
      "anchorsY",
      "the cross-covariance of the two anchor sets is zero up to rounding (the spaces' anchors are uncorrelated), so no rotation is preferred over any other",
    );
  }
}

/**
 * U·Vᵀ from the SVD of the d_x×d_y cross-covariance. `complete`: all min(d_x, d_y) singular vector
 * pairs ("full"); else the first r (the partial isometry; the same matrix when r = min(d_x, d_y)).
 */
function crossCovarianceMap(xs: Matrix, ys: Matrix, complete: boolean): { map: FittedMap; rank: number } {
  const { U, s, V } = svd(matmulTransA(xs, ys));
  assertCorrelated(s[0], xs, ys);
  const rank = numericalRank(s, defaultRcond(xs.cols, ys.cols));
  if (complete || rank === s.length) return { map: { rotation: matmulTransB(U!, V!) }, rank };
  return { map: { rotation: matmulTransB(firstColumns(U!, rank), firstColumns(V!, rank)) }, rank };
}

/** The partial isometry through the anchors' span (see the class comment), factored. */
function spanMap(xs: Matrix, ys: Matrix, memo?: MatrixContentMemo): { map: FittedMap; rank: number } {
  const space = (a: Matrix) => (memo ? memo.get(a, "procrustes row space", () => rowSpace(a), (r) => 8 * (r.v.data.length + r.us.data.length)) : rowSpace(a));
  const x = space(xs), y = space(ys);
  // M = (Ua·Sa)ᵀ·(Ub·Sb): r_x × r_y.
  const m = svd(matmulTransA(x.us, y.us));
  assertCorrelated(m.s[0], xs, ys);
  const rank = numericalRank(m.s, defaultRcond(x.us.cols, y.us.cols));
  const um = rank === m.s.length ? m.U! : firstColumns(m.U!, rank);
  const vm = rank === m.s.length ? m.V! : firstColumns(m.V!, rank);
  return { map: { left: matmul(x.v, um), right: matmul(y.v, vm) }, rank };
}

/** Row space of a k×d matrix: V (d × r) and U·S (k × r) of its thin SVD, r = numerical rank (numpy's tolerance). */
function rowSpace(a: Matrix): RowSpace {
  const { U, s, V } = svd(a);
  const r = numericalRank(s, defaultRcond(a.rows, a.cols));
  const v = new Matrix(a.cols, r), us = new Matrix(a.rows, r);
  const n = s.length;
  for (let i = 0; i < a.cols; i++) for (let j = 0; j < r; j++) v.data[i * r + j] = V!.data[i * n + j];
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < r; j++) us.data[i * r + j] = U!.data[i * n + j] * s[j];
  return { v, us };
}

function firstColumns(a: Matrix, r: number): Matrix {
  const out = new Matrix(a.rows, r);
  for (let i = 0; i < a.rows; i++) out.data.set(a.data.subarray(i * a.cols, i * a.cols + r), i * r);
  return out;
}
