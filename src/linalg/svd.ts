import { ConvergenceError, NonFiniteError } from "../errors";
import { Matrix, assertFiniteEntries, transpose } from "./matrix";
import { blasKernels, type Blas } from "./blas";
import { WARM, reserve, warmKernels, wasmKernels, type Exports } from "./wasm/kernels";

export interface SvdResult {
  /** m×r left singular vectors (r = min(m, n)); absent when `computeVectors` is false. */
  U?: Matrix;
  /** Singular values, r of them, in decreasing order. */
  s: Float64Array;
  /** n×r right singular vectors; absent when `computeVectors` is false. */
  V?: Matrix;
}

/** Bytes an SVD's arrays take (what a memo keeping it counts). */
export function svdResultBytes(r: SvdResult): number {
  return 8 * (r.s.length + (r.U?.data.length ?? 0) + (r.V?.data.length ?? 0));
}

/** Re-exported here, where it is thrown, for existing imports; the class lives in errors.ts. */
export { ConvergenceError };

/** Singular vectors as rows (column stores of U and V), as the algorithms produce them. */
interface StoresResult {
  Ut?: Matrix;
  s: Float64Array;
  Vt?: Matrix;
}

const EPS = 2 ** -52;
const TINY = 2 ** -966;
/**
 * The smallest normal double. A Householder vector whose norm is below it (a residual of rounding
 * at the bottom of the exponent range) is treated as zero: its reciprocal would be Infinity and the
 * reflector NaN, while dropping it perturbs A by less than 2^-1022 (the kernels do the same).
 */
const MIN_NORMAL = 2.2250738585072014e-308;

function hypot(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  if (a > b) {
    const r = b / a;
    return a * Math.sqrt(1 + r * r);
  }
  if (b !== 0) {
    const r = a / b;
    return b * Math.sqrt(1 + r * r);
  }
  return 0;
}

/**
 * Thin singular value decomposition A = U·diag(s)·Vᵀ by Householder bidiagonalisation and the
 * implicitly shifted QR iteration of Golub, Kahan and Reinsch (the algorithm of LINPACK/JAMA).
 * Backward stable, so rank-deficient and ill-conditioned input is handled correctly.
 *
 * Every array is kept transposed (columns of A, U and V are contiguous rows), so each Householder
 * reflection and Givens rotation walks memory contiguously.
 */
export function svd(a: Matrix, options: { computeVectors?: boolean } = {}): SvdResult {
  const want = options.computeVectors ?? true;
  const r = svdTransposed(a, want);
  if (!want) return { s: r.s };
  return { U: transpose(r.Ut!), s: r.s, V: transpose(r.Vt!) };
}

/**
 * `svd` with the singular vectors as rows: Uᵀ (r×m) and Vᵀ (r×n). This is how the algorithm
 * stores them, so callers that want rows (the pseudo-inverse's U_kᵀ) skip two transposes.
 */
export function svdTransposed(a: Matrix, want = true): { Ut?: Matrix; s: Float64Array; Vt?: Matrix } {
  assertFiniteInput(a);
  const blas = Math.min(a.rows, a.cols) > 0 ? blasKernels() : null;
  if (blas) return svdBlas(blas, a, want);
  const { wide, m, n, columns, qrFirst, scale } = tallColumnStore(a);
  const kernels = n > 0 ? wasmKernels() : null;
  const r = kernels ? svdWasm(kernels, columns, m, n, want, qrFirst)
    : qrFirst ? svdViaQr(columns, m, n, want) : svdColumns(columns, m, n, want);
  if (scale !== 0) for (let i = 0; i < r.s.length; i++) r.s[i] = timesPowerOfTwo(r.s[i], -scale);
  assertRepresentable(r.s, a);
  return wide ? { Ut: r.Vt, s: r.s, Vt: r.Ut } : r;
}

/**
 * NaN or ±Infinity has no SVD: the iteration would only spin until its step cap. Checked up front
 * (one pass, negligible beside the O(m·n²) decomposition) so the error names the entry.
 */
function assertFiniteInput(a: Matrix): void {
  assertFiniteEntries(a, "a");
}

/**
 * Singular values are computed on a copy scaled by a power of two; unscaled, σ_max of a matrix with
 * entries near ±1.8e308 can exceed the largest double (‖A‖₂ ≤ √(m·n)·max|a_ij|). Such a spectrum is
 * not representable: an error naming the largest entry, not an Infinity.
 */
function assertRepresentable(s: Float64Array, a: Matrix): void {
  if (s.length === 0 || Number.isFinite(s[0])) return;
  let at = 0;
  for (let i = 1; i < a.data.length; i++) if (Math.abs(a.data[i]) > Math.abs(a.data[at])) at = i;
  throw new NonFiniteError("a", Math.floor(at / a.cols), at % a.cols, s[0],
    `the largest singular value overflows float64 (entries up to ${Math.abs(a.data[at])}; rescale the matrix)`);
}

/**
 * The iteration needs m ≥ n: a wide A is decomposed through Aᵀ = V·S·Uᵀ. Columns are stored as
 * contiguous rows, so Aᵀ's column store is A's own row-major data. Entries beyond ~2^±400 are first
 * scaled by a power of two (exact) towards 1, as LAPACK's drivers do: the bidiagonalisation forms
 * products of two entries, which would overflow (or underflow to zero) otherwise.
 */
function tallColumnStore(a: Matrix): {
  wide: boolean; m: number; n: number; columns: Float64Array; qrFirst: boolean;
  /** The exponent e of the exact scaling by 2^e applied to the columns (0: none). */
  scale: number;
} {
  const wide = a.rows < a.cols;
  const m = wide ? a.cols : a.rows;
  const n = wide ? a.rows : a.cols;
  const columns = wide ? a.data.slice() : transpose(a).data;
  const scale = safeScale(columns);
  if (scale !== 0) for (let i = 0; i < columns.length; i++) columns[i] = timesPowerOfTwo(columns[i], scale);
  flushSubnormals(columns);
  return { wide, m, n, columns, qrFirst: m >= QR_FIRST_RATIO * n, scale };
}

/**
 * Entries below the smallest normal double (2^-1022) are set to zero. After `safeScale` the largest
 * entry is at least 2^-400, so this perturbs A by less than 2^-600·‖A‖ — far below the rounding of
 * any SVD — while a subnormal column norm would have no finite reciprocal and turn a Householder
 * reflector into NaN (a 2×21 matrix with entries 1e300 and 1e-21, scaled by 2^-997, did).
 */
function flushSubnormals(x: Float64Array): void {
  for (let i = 0; i < x.length; i++) if (Math.abs(x[i]) < MIN_NORMAL) x[i] = 0;
}

/**
 * The exponent e of a power of two bringing max |x| near 1 when it lies outside [2^-400, 2^400]; else
 * 0. For subnormal entries e exceeds 1023 (2^e itself is not a double), hence `timesPowerOfTwo`.
 */
function safeScale(x: Float64Array): number {
  let amax = 0;
  for (let i = 0; i < x.length; i++) {
    const v = Math.abs(x[i]);
    if (v > amax) amax = v;
  }
  if (amax === 0 || !Number.isFinite(amax) || (amax >= 2 ** -400 && amax <= 2 ** 400)) return 0;
  return -Math.round(Math.log2(amax));
}

/** x·2^e, exact unless it under- or overflows, for any integer e (in two steps beyond ±1000). */
function timesPowerOfTwo(x: number, e: number): number {
  if (e >= -1000 && e <= 1000) return x * 2 ** e;
  const half = Math.trunc(e / 2);
  return x * 2 ** half * 2 ** (e - half);
}

/** How many singular values (decreasing) exceed rcond·σ_max: the rank a pseudo-inverse keeps. */
export function numericalRank(s: Float64Array, rcond: number): number {
  const cutoff = rcond * (s.length > 0 ? s[0] : 0);
  let rank = 0;
  while (rank < s.length && s[rank] > cutoff) rank++;
  return rank;
}

/**
 * Tall matrices (m ≥ 1.5·n) are first reduced to their n×n triangular factor, A = Q·R, as LAPACK
 * does: the bidiagonalisation and every rotation of U then work on n-long vectors instead of m-long
 * ones, and U = Q·U_R costs one pass of n reflectors.
 */
const QR_FIRST_RATIO = 1.5;

function svdViaQr(columns: Float64Array, m: number, n: number, want: boolean): StoresResult {
  const tau = householderQr(columns, m, n);
  // R's column store: column j holds R[0..j, j].
  const rCols = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i <= j; i++) rCols[j * n + i] = columns[j * m + i];
  const inner = svdColumns(rCols, n, n, want);
  if (!want) return inner;
  // U = Q·[U_R; 0], built column by column in a column store (row j = column j of U).
  const uR = inner.Ut!.data;
  const uCols = new Float64Array(n * m);
  for (let j = 0; j < n; j++) uCols.set(uR.subarray(j * n, (j + 1) * n), j * m);
  for (let k = n - 1; k >= 0; k--) {
    const t = tau[k];
    if (t === 0) continue;
    const vk = k * m;
    for (let j = 0; j < n; j++) {
      const uj = j * m;
      const w = uCols[uj + k] + dotRange2(columns, vk, uCols, uj, k + 1, m);
      uCols[uj + k] -= t * w;
      axpyRange2(uCols, uj, -t * w, columns, vk, k + 1, m);
    }
  }
  return { Ut: new Matrix(n, m, uCols), s: inner.s, Vt: inner.Vt };
}

/**
 * The same algorithm (QR-first for tall input, then Golub–Kahan–Reinsch) in the WebAssembly
 * kernels of src/linalg/wasm/kernels.c, which follow `householderQr` and `svdColumns` step by step —
 * except that with vectors and ≥ 48 columns the bidiagonal's SVD is divide and conquer (Gu and
 * Eisenstat, as LAPACK's gesdd) instead of the QR iteration: same values, ~3× fewer flops for U, V.
 */
function svdWasm(
  k: Exports, columns: Float64Array, m: number, n: number, want: boolean, qrFirst: boolean,
  pinv?: { rcond: number; wide: boolean; scale: number },
): StoresResult & { pinv?: Matrix; rank?: number } {
  const mi = qrFirst ? n : m; // rows of the matrix the GKR iteration sees
  warmKernels(k, want || qrFirst ? WARM.singularVectors : WARM.singularValues);
  const { ptr, view } = reserve(k, [
    m * n, n, qrFirst ? n * n : 0, Math.min(mi + 1, n) + 1, n + 1, mi, want ? n * mi : 0, want ? n * n : 0, n, n, n, n,
    want && qrFirst ? n * m : 0, k.qr_scratch_size(m, n), want ? n * n : 0, 2 * n, want ? k.log_scratch_size(n) : 0,
    pinv ? n * m : 0, pinv ? k.dgemm_pack_a_size() : 0, pinv ? k.dgemm_pack_b_size() : 0, want ? k.dc_scratch_size(n) : 0,
  ]);
  const [pA, pTau, pR, pS, pE, pWork, pU, pV, pCsV, pSnV, pCsU, pSnU, pQU, pScratch, pVr, pTau2, pLog, pC, pPackA, pPackB, pDc] = ptr;
  view[0].set(columns);
  let pIn = pA;
  if (qrFirst) {
    k.householder_qr(pA, m, n, pTau, pScratch);
    // R's column store: column j holds R[0..j, j] (zeros below).
    const c = view[0], r = view[2];
    r.fill(0);
    for (let j = 0; j < n; j++) for (let i = 0; i <= j; i++) r[j * n + i] = c[j * m + i];
    pIn = pR;
  }
  const status = k.svd_columns(pIn, mi, n, want ? 3 : 0, pS, pE, pWork, pU, pV, pCsV, pSnV, pCsU, pSnU, pVr, pTau2, pScratch, pLog, want ? pDc : 0);
  if (status !== 0) throw new ConvergenceError("a", `SVD did not converge after ${75 * Math.max(n, 10)} QR steps`);
  // pinv(A) = c·pinv(c·A): with the singular values unscaled in place, the product below is pinv(A).
  if (pinv && pinv.scale !== 0) for (let i = 0; i < n; i++) view[3][i] = timesPowerOfTwo(view[3][i], -pinv.scale);
  const s = view[3].slice(0, Math.min(m, n));
  if (!want) return { s };
  if (qrFirst) {
    // U = Q·[U_R; 0], column by column.
    const uR = view[6], qu = view[12];
    qu.fill(0);
    for (let j = 0; j < n; j++) qu.set(uR.subarray(j * n, (j + 1) * n), j * m);
    k.apply_q(pA, m, n, pTau, pQU, n, pScratch);
  }
  const pUt = qrFirst ? pQU : pU, ut = qrFirst ? view[12] : view[6];
  if (pinv) {
    // pinv(T) = Σ_q v_q·u_qᵀ/s_q (n×m) for the tall T; a wide A = Tᵀ takes its transpose, Σ_q u_q·v_qᵀ/s_q.
    const rank = numericalRank(s, pinv.rcond);
    if (pinv.wide) k.pinv_from_rows(pUt, m, pV, n, pS, rank, pC, pPackA, pPackB);
    else k.pinv_from_rows(pV, n, pUt, m, pS, rank, pC, pPackA, pPackB);
    return { s, rank, pinv: pinv.wide ? new Matrix(m, n, view[17].slice()) : new Matrix(n, m, view[17].slice()) };
  }
  return { Ut: new Matrix(n, m, ut.slice()), s, Vt: new Matrix(n, n, view[7].slice()) };
}

/**
 * LAPACK's dgesdd (divide and conquer, numpy's `svd`) on a copy of A scaled as `tallColumnStore`
 * scales (exactly, by a power of two; subnormals flushed), so the two paths see the same matrix.
 * Row-major A is column-major Aᵀ = P·S·Qᵀ, so A = Q·S·Pᵀ: Vᵀ is P's column store as it is, and Uᵀ
 * the transpose of Qᵀ's column store (which is U, row-major).
 */
function svdBlas(blas: Blas, a: Matrix, want: boolean): StoresResult {
  const m = a.rows, n = a.cols, r = Math.min(m, n);
  const copy = a.data.slice();
  const scale = safeScale(copy);
  if (scale !== 0) for (let i = 0; i < copy.length; i++) copy[i] = timesPowerOfTwo(copy[i], scale);
  flushSubnormals(copy);
  const s = new Float64Array(r), p = new Float64Array(want ? n * r : 1), qt = new Float64Array(want ? r * m : 1);
  const info = blas.dgesdd(want, n, m, copy, s, p, qt);
  if (info > 0) throw new ConvergenceError("a", `SVD did not converge (LAPACK dgesdd: ${info} superdiagonals did not converge)`);
  if (info < 0) throw new Error(`dgesdd rejected argument ${-info} (a bug in latent-bridge's call)`);
  if (scale !== 0) for (let i = 0; i < r; i++) s[i] = timesPowerOfTwo(s[i], -scale);
  assertRepresentable(s, a);
  if (!want) return { s };
  return { Ut: transpose(new Matrix(m, r, qt)), s, Vt: new Matrix(r, n, p) };
}

/**
 * The pseudo-inverse (numpy's cut-off rcond·σ_max) computed in the WebAssembly kernels without
 * taking U and V out of their memory; null when the kernels are unavailable or the choice is "blas"
 * (then `pinvWithInfo` takes the SVD and one product, both the BLAS's, as numpy's `pinv` does).
 */
export function pinvWasm(a: Matrix, rcond: number): { pinv: Matrix; s: Float64Array; rank: number } | null {
  if (blasKernels()) return null;
  const kernels = Math.min(a.rows, a.cols) > 0 ? wasmKernels() : null;
  if (!kernels) return null;
  assertFiniteInput(a);
  const { wide, m, n, columns, qrFirst, scale } = tallColumnStore(a);
  const r = svdWasm(kernels, columns, m, n, true, qrFirst, { rcond, wide, scale });
  assertRepresentable(r.s, a);
  return { pinv: r.pinv!, s: r.s, rank: r.rank! };
}

/**
 * Householder QR in place on a column store (row j = column j of the m×n matrix). On return the
 * upper triangle holds R and below-diagonal entries of column k hold the reflector v_k (v_k[k] = 1
 * implicit); H_k = I − τ_k·v_k·v_kᵀ and Q = H_0·H_1·…·H_{n−1}.
 */
function householderQr(c: Float64Array, m: number, n: number): Float64Array {
  const tau = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const ck = k * m;
    let norm = 0;
    for (let i = k; i < m; i++) norm = hypot(norm, c[ck + i]);
    if (norm < MIN_NORMAL) continue; // zero, or subnormal (no finite reciprocal): H = I
    const x0 = c[ck + k];
    const beta = x0 >= 0 ? -norm : norm;
    const v0 = x0 - beta;
    const inv = 1 / v0;
    for (let i = k + 1; i < m; i++) c[ck + i] *= inv;
    tau[k] = (beta - x0) / beta;
    c[ck + k] = beta;
    for (let j = k + 1; j < n; j++) {
      const cj = j * m;
      const w = c[cj + k] + dotRange(c, ck, cj, k + 1, m);
      const tw = tau[k] * w;
      c[cj + k] -= tw;
      axpyRange(c, -tw, ck, cj, k + 1, m);
    }
  }
  return tau;
}

/** Singular values only (no vectors): the cheap path, used for condition numbers. */
export function singularValues(a: Matrix): Float64Array {
  return svd(a, { computeVectors: false }).s;
}

/**
 * The Golub–Kahan–Reinsch SVD of an m×n matrix (m ≥ n) given as a column store `At` (row j is
 * column j; overwritten).
 */
function svdColumns(At: Float64Array, m: number, n: number, want: boolean): StoresResult {
  const nu = n;
  const s = new Float64Array(Math.min(m + 1, n) + 1);
  const e = new Float64Array(n + 1);
  const work = new Float64Array(m);
  const Ut = want ? new Float64Array(nu * m) : new Float64Array(0);
  const Vt = want ? new Float64Array(n * n) : new Float64Array(0);

  const nct = Math.min(m - 1, n);
  const nrt = Math.max(0, Math.min(n - 2, m));
  for (let k = 0; k < Math.max(nct, nrt); k++) {
    const ck = k * m; // offset of column k
    if (k < nct) {
      let nrm = 0;
      for (let i = k; i < m; i++) nrm = hypot(nrm, At[ck + i]);
      if (nrm < MIN_NORMAL) nrm = 0; // see MIN_NORMAL
      if (nrm !== 0) {
        if (At[ck + k] < 0) nrm = -nrm;
        const inv = 1 / nrm;
        for (let i = k; i < m; i++) At[ck + i] *= inv;
        At[ck + k] += 1;
      }
      s[k] = -nrm;
    }
    for (let j = k + 1; j < n; j++) {
      const cj = j * m;
      if (k < nct && s[k] !== 0) {
        const t = -dotRange(At, ck, cj, k, m) / At[ck + k];
        axpyRange(At, t, ck, cj, k, m);
      }
      e[j] = At[cj + k];
    }
    if (want && k < nct) {
      for (let i = k; i < m; i++) Ut[ck + i] = At[ck + i];
    }
    if (k < nrt) {
      let nrm = 0;
      for (let i = k + 1; i < n; i++) nrm = hypot(nrm, e[i]);
      if (nrm < MIN_NORMAL) nrm = 0;
      if (nrm !== 0) {
        if (e[k + 1] < 0) nrm = -nrm;
        const inv = 1 / nrm;
        for (let i = k + 1; i < n; i++) e[i] *= inv;
        e[k + 1] += 1;
      }
      e[k] = -nrm;
      if (k + 1 < m && nrm !== 0) {
        for (let i = k + 1; i < m; i++) work[i] = 0;
        for (let j = k + 1; j < n; j++) {
          const ej = e[j];
          if (ej === 0) continue;
          axpyInto(work, ej, At, j * m, k + 1, m);
        }
        for (let j = k + 1; j < n; j++) {
          const t = -e[j] / e[k + 1];
          if (t === 0) continue;
          axpyFrom(At, j * m, t, work, k + 1, m);
        }
      }
      if (want) {
        const vk = k * n;
        for (let i = k + 1; i < n; i++) Vt[vk + i] = e[i];
      }
    }
  }

  // The bidiagonal matrix of order p.
  let p = Math.min(n, m + 1);
  if (nct < n) s[nct] = At[nct * m + nct];
  if (m < p) s[p - 1] = 0;
  if (nrt + 1 < p) e[nrt] = At[(p - 1) * m + nrt];
  e[p - 1] = 0;

  if (want) {
    for (let j = nct; j < nu; j++) {
      Ut.fill(0, j * m, (j + 1) * m);
      Ut[j * m + j] = 1;
    }
    for (let k = nct - 1; k >= 0; k--) {
      const uk = k * m;
      if (s[k] !== 0) {
        for (let j = k + 1; j < nu; j++) {
          const uj = j * m;
          const t = -dotRange(Ut, uk, uj, k, m) / Ut[uk + k];
          if (t !== 0) axpyRange(Ut, t, uk, uj, k, m);
        }
        for (let i = k; i < m; i++) Ut[uk + i] = -Ut[uk + i];
        Ut[uk + k] = 1 + Ut[uk + k];
        for (let i = 0; i < k; i++) Ut[uk + i] = 0;
      } else {
        Ut.fill(0, uk, uk + m);
        Ut[uk + k] = 1;
      }
    }
    for (let k = n - 1; k >= 0; k--) {
      const vk = k * n;
      if (k < nrt && e[k] !== 0) {
        for (let j = k + 1; j < n; j++) {
          const vj = j * n;
          const t = -dotRange(Vt, vk, vj, k + 1, n) / Vt[vk + k + 1];
          if (t !== 0) axpyRange(Vt, t, vk, vj, k + 1, n);
        }
      }
      Vt.fill(0, vk, vk + n);
      Vt[vk + k] = 1;
    }
  }

  // From here on U (m×nu) and V (n×n) are row-major, so a QR sweep's chain of rotations on
  // adjacent columns can be applied row by row with the running value kept in a register.
  const Ur = want ? transpose(new Matrix(nu, m, Ut)).data : Ut;
  const Vr = want ? transpose(new Matrix(n, n, Vt)).data : Vt;
  // Rotates columns c1 and c2 of a row-major rows×cols store (used by the rare deflation steps).
  const rotate = (X: Float64Array, rows: number, cols: number, c1: number, c2: number, cs: number, sn: number) => {
    for (let i = 0, o = 0; i < rows; i++, o += cols) {
      const x = X[o + c1], y = X[o + c2];
      X[o + c1] = cs * x + sn * y;
      X[o + c2] = -sn * x + cs * y;
    }
  };
  const csV = new Float64Array(n), snV = new Float64Array(n), csU = new Float64Array(n), snU = new Float64Array(n);

  const pp = p - 1;
  let iter = 0;
  const maxIter = 75 * Math.max(n, 10);
  while (p > 0) {
    let k: number;
    let kase: number;
    for (k = p - 2; k >= -1; k--) {
      if (k === -1) break;
      if (Math.abs(e[k]) <= TINY + EPS * (Math.abs(s[k]) + Math.abs(s[k + 1]))) {
        e[k] = 0;
        break;
      }
    }
    if (k === p - 2) {
      kase = 4;
    } else {
      let ks: number;
      for (ks = p - 1; ks >= k; ks--) {
        if (ks === k) break;
        const t = (ks !== p ? Math.abs(e[ks]) : 0) + (ks !== k + 1 ? Math.abs(e[ks - 1]) : 0);
        if (Math.abs(s[ks]) <= TINY + EPS * t) {
          s[ks] = 0;
          break;
        }
      }
      if (ks === k) kase = 3;
      else if (ks === p - 1) kase = 1;
      else {
        kase = 2;
        k = ks;
      }
    }
    k++;

    if (kase === 1) {
      // Deflate negligible s(p).
      let f = e[p - 2];
      e[p - 2] = 0;
      for (let j = p - 2; j >= k; j--) {
        const t = hypot(s[j], f);
        const cs = s[j] / t, sn = f / t;
        s[j] = t;
        if (j !== k) {
          f = -sn * e[j - 1];
          e[j - 1] = cs * e[j - 1];
        }
        if (want) rotate(Vr, n, n, j, p - 1, cs, sn);
      }
    } else if (kase === 2) {
      // Split at negligible s(k).
      let f = e[k - 1];
      e[k - 1] = 0;
      for (let j = k; j < p; j++) {
        const t = hypot(s[j], f);
        const cs = s[j] / t, sn = f / t;
        s[j] = t;
        f = -sn * e[j];
        e[j] = cs * e[j];
        if (want) rotate(Ur, m, nu, j, k - 1, cs, sn);
      }
    } else if (kase === 3) {
      // One implicit-shift QR step.
      const sc = Math.max(Math.abs(s[p - 1]), Math.abs(s[p - 2]), Math.abs(e[p - 2]), Math.abs(s[k]), Math.abs(e[k]));
      const sp = s[p - 1] / sc, spm1 = s[p - 2] / sc, epm1 = e[p - 2] / sc, sk = s[k] / sc, ek = e[k] / sc;
      const b = ((spm1 + sp) * (spm1 - sp) + epm1 * epm1) / 2;
      const c = sp * epm1 * (sp * epm1);
      let shift = 0;
      if (b !== 0 || c !== 0) {
        shift = Math.sqrt(b * b + c);
        if (b < 0) shift = -shift;
        shift = c / (b + shift);
      }
      let f = (sk + sp) * (sk - sp) + shift;
      let g = sk * ek;
      for (let j = k; j < p - 1; j++) {
        let t = hypot(f, g);
        let cs = f / t, sn = g / t;
        if (j !== k) e[j - 1] = t;
        f = cs * s[j] + sn * e[j];
        e[j] = cs * e[j] - sn * s[j];
        g = sn * s[j + 1];
        s[j + 1] = cs * s[j + 1];
        csV[j] = cs;
        snV[j] = sn;
        t = hypot(f, g);
        cs = f / t;
        sn = g / t;
        s[j] = t;
        f = cs * e[j] + sn * s[j + 1];
        s[j + 1] = -sn * e[j] + cs * s[j + 1];
        g = sn * e[j + 1];
        e[j + 1] = cs * e[j + 1];
        csU[j] = cs;
        snU[j] = sn;
      }
      e[p - 2] = f;
      if (want) {
        applyRotationChain(Vr, n, n, k, p - 1, csV, snV);
        // U has nu = n columns and m ≥ n rows, so every rotation in the chain applies.
        applyRotationChain(Ur, m, nu, k, p - 1, csU, snU);
      }
      iter++;
      if (iter > maxIter) throw new ConvergenceError("a", `SVD did not converge after ${maxIter} QR steps`);
    } else {
      // Convergence: make the singular value positive and move it into order.
      if (s[k] <= 0) {
        s[k] = s[k] < 0 ? -s[k] : 0;
        if (want) for (let i = 0; i <= pp; i++) Vr[i * n + k] = -Vr[i * n + k];
      }
      while (k < pp) {
        if (s[k] >= s[k + 1]) break;
        const t = s[k];
        s[k] = s[k + 1];
        s[k + 1] = t;
        if (want && k < n - 1) swapCols(Vr, n, n, k, k + 1);
        if (want && k < m - 1) swapCols(Ur, m, nu, k, k + 1);
        k++;
      }
      iter = 0;
      p--;
    }
  }

  const r = Math.min(m, n);
  const sv = s.slice(0, r);
  if (!want) return { s: sv };
  return { Ut: transpose(new Matrix(m, nu, Ur)), s: sv, Vt: transpose(new Matrix(n, n, Vr)) };
}

function swapCols(X: Float64Array, rows: number, cols: number, c1: number, c2: number): void {
  for (let i = 0, o = 0; i < rows; i++, o += cols) {
    const t = X[o + c1];
    X[o + c1] = X[o + c2];
    X[o + c2] = t;
  }
}

/**
 * Applies rotations j = from..to-1 (each on columns j, j+1, in order) to every row of a row-major
 * store. Walking one row at a time keeps the carried value in a register: one load and one store
 * per element instead of two of each per rotation.
 */
function applyRotationChain(
  X: Float64Array, rows: number, cols: number, from: number, to: number, cs: Float64Array, sn: Float64Array,
): void {
  for (let i = 0, o = 0; i < rows; i++, o += cols) {
    let x = X[o + from];
    for (let j = from; j < to; j++) {
      const y = X[o + j + 1];
      const c = cs[j], s = sn[j];
      X[o + j] = c * x + s * y;
      x = -s * x + c * y;
    }
    X[o + to] = x;
  }
}

// Small monomorphic kernels: V8 optimises (and inlines) these far better than the same loops
// written inside the large SVD routine.

/** Σ_{i∈[from,to)} X[o1+i]·X[o2+i]. */
function dotRange(X: Float64Array, o1: number, o2: number, from: number, to: number): number {
  let s0 = 0, s1 = 0;
  let i = from;
  for (; i + 1 < to; i += 2) {
    s0 += X[o1 + i] * X[o2 + i];
    s1 += X[o1 + i + 1] * X[o2 + i + 1];
  }
  if (i < to) s0 += X[o1 + i] * X[o2 + i];
  return s0 + s1;
}

/** X[dst+i] += t·X[src+i] for i ∈ [from, to). */
function axpyRange(X: Float64Array, t: number, src: number, dst: number, from: number, to: number): void {
  for (let i = from; i < to; i++) X[dst + i] += t * X[src + i];
}

/** y[i] += t·X[o+i] for i ∈ [from, to). */
function axpyInto(y: Float64Array, t: number, X: Float64Array, o: number, from: number, to: number): void {
  for (let i = from; i < to; i++) y[i] += t * X[o + i];
}

/** X[o+i] += t·y[i] for i ∈ [from, to). */
function axpyFrom(X: Float64Array, o: number, t: number, y: Float64Array, from: number, to: number): void {
  for (let i = from; i < to; i++) X[o + i] += t * y[i];
}

/** Σ_{i∈[from,to)} X[ox+i]·Y[oy+i]. */
function dotRange2(X: Float64Array, ox: number, Y: Float64Array, oy: number, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += X[ox + i] * Y[oy + i];
  return s;
}

/** Y[oy+i] += t·X[ox+i] for i ∈ [from, to). */
function axpyRange2(Y: Float64Array, oy: number, t: number, X: Float64Array, ox: number, from: number, to: number): void {
  for (let i = from; i < to; i++) Y[oy + i] += t * X[ox + i];
}
