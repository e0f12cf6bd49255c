/**
 * The spectral arithmetic behind IRP's variants (options of `InverseRelativeProjection`).
 *
 * One subspace's unit target anchors S_Y (k×d_y) have the thin SVD S_Y = U·Σ·Vᵀ. IRP decodes relative
 * coordinates with pinv(S_Yᵀ) = U·Σ⁻¹·Vᵀ, and its collapsed map is S_Xᵀ·pinv(S_Yᵀ) = (pinv(S_Y)·S_X)ᵀ:
 * the transpose of the least-squares map from the target anchors to the source anchors (a reverse
 * regression). If S_Y = S_X·W that is W⁻ᵀ, so every anisotropic scaling of W is inverted instead of
 * applied. The variants change the filter applied to Σ:
 *
 *   plain     U·Σ⁻¹·Vᵀ                          the pseudo-inverse (the paper)
 *   ridge λ   U·Σ·(Σ² + λ)⁻¹·Vᵀ = (S_Y·S_Yᵀ + λI)⁻¹·S_Y   λ → 0: the pseudo-inverse; λ → ∞: S_Y/λ, so
 *             the map tends to S_Xᵀ·S_Y, the anchors' cross-covariance (un-orthogonalised Procrustes)
 *   whitened  U·Vᵀ = (S_Y·S_Yᵀ)^(-1/2)·S_Y, and on the source side S_Xᵀ is replaced by
 *             S_Xᵀ·(S_X·S_Xᵀ)^(-1/2) = polar(S_X)ᵀ: the relative space is whitened with each side's own
 *             anchor Gram matrix. Under IRP's own assumption (equal relative spaces, S_X·S_Xᵀ = S_Y·S_Yᵀ)
 *             this equals plain IRP; when S_Y = S_X·A (a linear image of the unit anchors) the map is
 *             orthogonal.
 *
 * Each of these keeps IRP's defining property: the source side reads only source anchors, the target
 * side only target anchors. `polarOfProduct` (the orthogonalised collapsed map) does not: it is a
 * joint fit of both sides, like Procrustes.
 */
import { Matrix } from "../linalg/matrix";
import { matmul, matmulTransA, matmulTransB } from "../linalg/product";
import { defaultRcond } from "../linalg/pinv";
import { numericalRank, svd, svdResultBytes } from "../linalg/svd";
import type { MatrixContentMemo } from "../linalg/contentMemo";
import { InvalidParameterError } from "../errors";
import { assertBoolean, assertRidge } from "../validate";

/** IRP's variant options at their values (all at their defaults: the paper's IRP). */
export interface IrpVariant {
  /** λ of the ridge-regularised inverse (0: the pseudo-inverse). */
  ridge: number;
  /** Whitened relative space (polar factors of both sides' anchors). */
  whiten: boolean;
  /** Polar factor of the collapsed map. */
  orthogonalize: boolean;
}

/** The variant options with their defaults, validated (the one place they are checked). */
export function resolveIrpVariant(options: { ridge?: number; whiten?: boolean; orthogonalize?: boolean }): IrpVariant {
  const ridge = assertRidge(options.ridge ?? 0);
  const whiten = assertBoolean(options.whiten ?? false, "whiten");
  const orthogonalize = assertBoolean(options.orthogonalize ?? false, "orthogonalize");
  if (whiten && ridge > 0) {
    throw new InvalidParameterError("ridge", `whitening replaces the inverse of the target anchors; expected ridge = 0 with whiten, got ${ridge}`);
  }
  return { ridge, whiten, orthogonalize };
}

/** True when every variant option is at its default (the paper's IRP). */
export function isPlainIrp(v: IrpVariant): boolean {
  return v.ridge === 0 && !v.whiten && !v.orthogonalize;
}

/** How a subspace's singular values are filtered: 1/σ (plain), σ/(σ² + λ) (ridge) or 1 (whitened). */
export interface SpectralFilter {
  /** λ ≥ 0 of the ridge filter σ/(σ² + λ); 0 is the pseudo-inverse. */
  ridge: number;
  /** Filter 1: the polar factor U·Vᵀ (the whitened relative space). */
  whiten: boolean;
}

export interface SpectralResult {
  /** U·f(Σ)·Vᵀ, the same shape as the input (k×d). */
  matrix: Matrix;
  /** Singular values above the cut-off (the numerical rank). */
  rank: number;
  /** σ_max/σ_min over the kept spectrum. */
  condKept: number;
  /** σ_max/σ_min over the full spectrum (Infinity when rank-deficient). */
  condFull: number;
}

/**
 * U·f(Σ)·Vᵀ for the unit anchors `s` (k×d, thin SVD U·Σ·Vᵀ), keeping only singular values above
 * rcond·σ_max (numpy's pseudo-inverse cut-off by default; the others are filtered to 0). With the
 * ridge filter this is the decoder (S·Sᵀ + λI)⁻¹·S, with the whitening filter the polar factor of S.
 */
export function filteredSpectrum(s: Matrix, filter: SpectralFilter, rcond?: number, memo?: MatrixContentMemo): SpectralResult {
  // The SVD is the filter's only expensive part and does not depend on the filter: a ridge path or a
  // variant sweep over the same subspaces shares it through `memo`.
  const { U, s: sigma, V } = memo ? memo.get(s, "svd", () => svd(s), svdResultBytes) : svd(s);
  const rank = numericalRank(sigma, rcond ?? defaultRcond(s.rows, s.cols));
  const r = sigma.length;
  // (U·f(Σ)) restricted to the kept rank, then one product with V_rankᵀ.
  const uf = new Matrix(s.rows, rank);
  for (let q = 0; q < rank; q++) {
    const sv = sigma[q];
    const f = filter.whiten ? 1 : filter.ridge > 0 ? sv / (sv * sv + filter.ridge) : 1 / sv;
    for (let i = 0; i < s.rows; i++) uf.data[i * rank + q] = U!.data[i * r + q] * f;
  }
  const vr = new Matrix(s.cols, rank);
  for (let i = 0; i < s.cols; i++) for (let q = 0; q < rank; q++) vr.data[i * rank + q] = V!.data[i * r + q];
  return {
    matrix: matmulTransB(uf, vr),
    rank,
    condKept: rank === 0 ? NaN : sigma[0] / sigma[rank - 1],
    condFull: r === 0 ? NaN : sigma[r - 1] === 0 ? Infinity : sigma[0] / sigma[r - 1],
  };
}

/** Columns 0..rank−1 of V (n×r) and, scaled by the singular values, of U: the row space of a k×d matrix. */
function rowSpace(a: Matrix): { v: Matrix; us: Matrix } {
  const { U, s, V } = svd(a);
  const rank = numericalRank(s, defaultRcond(a.rows, a.cols));
  const r = s.length;
  const v = new Matrix(a.cols, rank), us = new Matrix(a.rows, rank);
  for (let i = 0; i < a.cols; i++) for (let q = 0; q < rank; q++) v.data[i * rank + q] = V!.data[i * r + q];
  for (let i = 0; i < a.rows; i++) for (let q = 0; q < rank; q++) us.data[i * rank + q] = U!.data[i * r + q] * s[q];
  return { v, us };
}

/**
 * The polar factor of M = leftᵀ·right (left m×d_x, right m×d_y) over M's numerical range: with the
 * thin SVD M = P·Σ·Qᵀ, P_r·Q_rᵀ for the r singular values above numpy's cut-off. Computed through the
 * factors (one SVD of each and one of an r_l×r_r middle matrix, as `ProcrustesTranslator` does through the anchors' span),
 * never through an SVD of the d_x×d_y matrix itself. The part of a vector outside M's row space is
 * dropped (sent to 0) rather than completed by an arbitrary orthonormal basis, which is what makes
 * the result unique when M has rank < min(d_x, d_y) (fewer anchors than dimensions).
 */
export function polarOfProduct(left: Matrix, right: Matrix): Matrix {
  const l = rowSpace(left), r = rowSpace(right);
  // M = V_l·(U_l·S_l)ᵀ·(U_r·S_r)·V_rᵀ = V_l·K·V_rᵀ, K = r_l×r_r.
  if (l.v.cols === 0 || r.v.cols === 0) return new Matrix(left.cols, right.cols);
  const { U, s, V } = svd(matmulTransA(l.us, r.us));
  const rank = numericalRank(s, defaultRcond(left.cols, right.cols));
  const n = s.length;
  const uk = new Matrix(U!.rows, rank), vk = new Matrix(V!.rows, rank);
  for (let i = 0; i < U!.rows; i++) for (let q = 0; q < rank; q++) uk.data[i * rank + q] = U!.data[i * n + q];
  for (let i = 0; i < V!.rows; i++) for (let q = 0; q < rank; q++) vk.data[i * rank + q] = V!.data[i * n + q];
  return matmulTransB(matmul(l.v, uk), matmul(r.v, vk));
}
