/**
 * The pseudo-inverse of a well-conditioned matrix through its small Gram matrix, for the pruned
 * anchor sets of IRP (k anchors of d dimensions, k ≪ d): with p = min(m, n),
 *
 *   m ≥ n:  pinv(A) = (AᵀA)⁻¹·Aᵀ        m < n:  pinv(A) = Aᵀ·(A·Aᵀ)⁻¹ = ((A·Aᵀ)⁻¹·A)ᵀ
 *
 * one p×p Gram matrix G, its eigenvalues (the singular values of a symmetric positive semidefinite
 * matrix are its eigenvalues, σ_i(A)²), a Cholesky factor G = L·Lᵀ and G⁻¹ = L⁻ᵀ·L⁻¹, then one
 * product — about a fifth of the work of the SVD of A, most of it in matrix products.
 *
 * When it is exact, and the fallback. Forming G squares the condition number: the computed G is
 * AᵀA + E with ‖E‖ ≲ γ·eps·σ_max² (γ ≤ the inner length max(m, n), typically its square root), so
 * every eigenvalue carries an absolute error ~γ·eps·λ_max, σ_min = √λ_min a relative one
 * ~½·γ·eps·κ², and G⁻¹ (hence the pseudo-inverse) a relative one ~(γ + p)·eps·κ², κ = σ_max/σ_min.
 * The SVD's own error is ~eps·κ. The Gram path is therefore taken only when
 *
 *   (m + n)·eps·κ² ≤ GRAM_ERROR_BOUND = 1e-9
 *
 * (κ ≤ 69 for a 170×768 matrix, ≤ 44 for 256×2,048); its results then match the SVD path's to
 * 1e-9 relative (max |difference| / max |entry|) even with the worst-case constant, and measured
 * ones are 0.1–30·eps·κ² (≤ 1e-11 at the bound; the tests check ≤ 1e-10 there). Otherwise — ill-conditioned,
 * rank-deficient, or a singular value near the cut-off — the SVD path (`pinvWithInfo`) decides, so
 * numpy's cut-off semantics are the SVD's exactly: on the Gram path σ_min is far above any default
 * cut-off rcond·σ_max = max(m, n)·eps·σ_max, and a caller's larger rcond takes the SVD path unless
 * σ_min exceeds rcond·σ_max by a margin (1e-6 relative) far beyond the Gram's error in σ_min.
 * The decision reads only the computed eigenvalues, so it is deterministic: the same matrix takes
 * the same path with the same bits.
 */
import { ShapeMismatchError } from "../errors";
import { Matrix, assertFiniteEntries, transpose } from "./matrix";
import { matmul } from "./product";
import { singularValues } from "./svd";
import { pinvWithInfo, resolveRcond, type PinvOptions, type PinvResult } from "./pinv";
import { blasKernels } from "./blas";
import { reserve, wasmKernels } from "./wasm/kernels";

/** Largest (m + n)·eps·κ² for which the Gram path is taken (see the file comment). */
export const GRAM_ERROR_BOUND = 1e-9;

/**
 * The Gram path is tried only for matrices at least this far from square (max(m, n) ≥ 2·min(m, n)):
 * there it costs half the SVD or less, while closer to square the Gram matrix and its eigenvalues
 * cost a good part of the SVD — a loss whenever the fallback is taken, as it is for most square
 * matrices (IRP's unpruned anchors among them).
 */
export const MIN_ASPECT = 2;

/** The smallest normal float64: a Gram eigenvalue below it has no reliable reciprocal. */
const MIN_NORMAL = 2 ** -1022;

/** A caller's cut-off must sit this far (relative) below σ_min for the Gram path to be taken. */
const CUTOFF_MARGIN = 1e-6;

export interface GramPinvResult extends PinvResult {
  /** Which computation produced it: the Gram matrix's Cholesky factor, or the SVD (the fallback). */
  path: "gram" | "svd";
}

/** `pinvWithInfo` through the Gram matrix when that is as exact (see the file comment), else through the SVD. */
export function pinvByGram(a: Matrix, options: PinvOptions = {}): GramPinvResult {
  const rcond = resolveRcond(options.rcond, a.rows, a.cols);
  const p = Math.min(a.rows, a.cols), q = Math.max(a.rows, a.cols);
  let gram: GramPinvResult | null = null;
  if (p > 0 && q >= MIN_ASPECT * p) {
    assertFiniteEntries(a, "a");
    // A power of two brings the largest entry near 1, so that squaring neither overflows nor
    // underflows; exact, and undone on the result (pinv(c·A) = pinv(A)/c).
    let amax = 0;
    for (let i = 0; i < a.data.length; i++) amax = Math.max(amax, Math.abs(a.data[i]));
    const e = amax > 0 ? -Math.round(Math.log2(amax)) : 0;
    const c = 2 ** e;
    const scaled = e === 0 ? a : new Matrix(a.rows, a.cols, a.data.map((v) => v * c));
    // pinv(A) = pinv(Bᵀ) for B = Aᵀ (tall A), pinv(Bᵀ)ᵀ for B = A (wide A).
    const tall = a.rows >= a.cols;
    gram = amax > 0 ? pinvOfRowsByGram(tall ? transpose(scaled) : scaled, { rcond }) : null;
    if (gram) {
      if (!tall) gram.pinv = transpose(gram.pinv);
      if (e !== 0) {
        for (let i = 0; i < gram.pinv.data.length; i++) gram.pinv.data[i] *= c;
        for (let i = 0; i < p; i++) gram.singularValues[i] /= c;
        assertFiniteEntries(gram.pinv, "a", "the pseudo-inverse overflows float64 (rescale the matrix)");
      }
    }
  }
  return gram ?? { ...pinvWithInfo(a, { rcond }), path: "svd" };
}

/**
 * pinv(Bᵀ) = (B·Bᵀ)⁻¹·B (p×q, the same shape as B) for B with at least `MIN_ASPECT` times as many
 * columns as rows, with its spectrum — or null when the Gram path is not exact enough (see the
 * file comment), and then the caller takes the SVD. `options.gram` is B·Bᵀ when the caller has it (IRP reads each
 * pruned subspace's from the Gram matrix of all the anchors, which farthest point sampling
 * needed anyway); otherwise it is computed here. No rescaling: B's rows should have norms within
 * 1e±150 (IRP's are unit rows; `pinvByGram` rescales any matrix).
 */
export function pinvOfRowsByGram(
  b: Matrix, options: { rcond?: number; gram?: Matrix; /** Default `MIN_ASPECT`; 1 admits square B (tests). */ minAspect?: number } = {},
): GramPinvResult | null {
  const p = b.rows, q = b.cols;
  const rcond = resolveRcond(options.rcond, b.rows, b.cols);
  if (p === 0 || q < (options.minAspect ?? MIN_ASPECT) * p) return null;
  const g = options.gram ?? matmul(b, transpose(b));
  if (g.rows !== p || g.cols !== p) throw new ShapeMismatchError("gram", `expected ${p}×${p} (B·Bᵀ), got ${g.rows}×${g.cols}`);
  // Null for a Gram matrix that overflowed (rows beyond ~1e154), and below for a zero or subnormal one.
  for (let i = 0; i < g.data.length; i++) if (!Number.isFinite(g.data[i])) return null;
  const lambda = singularValues(g);
  const lmax = lambda[0], lmin = lambda[p - 1];
  if (!(lmin >= MIN_NORMAL) || (p + q) * Number.EPSILON * (lmax / lmin) > GRAM_ERROR_BOUND) return null;
  const sigma = lambda.map(Math.sqrt);
  if (!(sigma[p - 1] > rcond * sigma[0] * (1 + CUTOFF_MARGIN))) return null;
  const w = inverseCholeskyFactor(g.data, p);
  if (!w) return null;
  // G⁻¹ = L⁻ᵀ·L⁻¹, then G⁻¹·B.
  const wm = new Matrix(p, p, w);
  const out = matmul(matmul(transpose(wm), wm), b);
  assertFiniteEntries(out, "b", "the pseudo-inverse overflows float64 (rescale the matrix)");
  const cond = sigma[0] / sigma[p - 1];
  return { pinv: out, rank: p, singularValues: sigma, condKept: cond, condFull: cond, path: "gram" };
}

/**
 * L⁻¹ (row-major, lower triangular) of the Cholesky factor of the symmetric positive definite p×p
 * matrix `g` (its lower triangle is read), or null when a pivot is not positive. In WebAssembly
 * (`inverse_cholesky`, the same loops: the same bits) when the kernels are loaded; LAPACK's (blocked)
 * with the kernel choice "blas".
 */
function inverseCholeskyFactor(g: Float64Array, p: number): Float64Array | null {
  const blas = blasKernels();
  if (blas) {
    const w = g.slice();
    return blas.inverseCholesky(w, p) ? w : null;
  }
  const kernels = wasmKernels();
  if (kernels) {
    const { ptr, view } = reserve(kernels, [p * p, p * p, p * p]);
    view[0].set(g);
    return kernels.inverse_cholesky(ptr[0], p, ptr[1], ptr[2]) ? view[2].slice() : null;
  }
  const l = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    const rj = j * p;
    let d = g[rj + j];
    for (let k = 0; k < j; k++) d -= l[rj + k] * l[rj + k];
    if (!(d > 0)) return null;
    const ljj = Math.sqrt(d);
    l[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < p; i++) {
      const ri = i * p;
      let s = g[ri + j];
      for (let k = 0; k < j; k++) s -= l[ri + k] * l[rj + k];
      l[ri + j] = s * inv;
    }
  }
  // W = L⁻¹ row by row: W_i = (e_i − Σ_{k<i} L_ik·W_k)/L_ii, each W_k zero beyond column k.
  const w = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    const ri = i * p;
    for (let k = 0; k < i; k++) {
      const f = l[ri + k];
      if (f === 0) continue;
      const rk = k * p;
      for (let j = 0; j <= k; j++) w[ri + j] -= f * w[rk + j];
    }
    w[ri + i] += 1;
    const inv = 1 / l[ri + i];
    for (let j = 0; j <= i; j++) w[ri + j] *= inv;
  }
  return w;
}
