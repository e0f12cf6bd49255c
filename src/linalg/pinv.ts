import { InvalidParameterError } from "../errors";
import { Matrix, assertFiniteEntries } from "./matrix";
import { numericalRank, pinvWasm, singularValues, svdTransposed } from "./svd";
import { matmul } from "./product";

export interface PinvOptions {
  /**
   * Relative cut-off: singular values ≤ rcond·σ_max are treated as zero. Default, as numpy:
   * max(m, n)·eps.
   */
  rcond?: number;
}

export interface PinvResult {
  /** The n×m Moore–Penrose pseudo-inverse. */
  pinv: Matrix;
  /** Number of singular values kept (the numerical rank). */
  rank: number;
  /** All singular values, decreasing. */
  singularValues: Float64Array;
  /** σ_max/σ_min over the kept spectrum (1 for rank 1; NaN for the zero matrix). */
  condKept: number;
  /** σ_max/σ_min over the full spectrum (Infinity when rank-deficient). */
  condFull: number;
}

export function defaultRcond(rows: number, cols: number): number {
  return Math.max(rows, cols) * Number.EPSILON;
}

/** The cut-off a pseudo-inverse of a rows×cols matrix uses: `rcond` checked, or numpy's default. */
export function resolveRcond(rcond: number | undefined, rows: number, cols: number): number {
  const r = rcond ?? defaultRcond(rows, cols);
  if (!(r >= 0) || !Number.isFinite(r)) throw new InvalidParameterError("rcond", `expected a finite number ≥ 0, got ${r}`);
  return r;
}

/** Pseudo-inverse through the SVD, with numpy's default cut-off, plus the spectrum diagnostics. */
export function pinvWithInfo(a: Matrix, options: PinvOptions = {}): PinvResult {
  const rcond = resolveRcond(options.rcond, a.rows, a.cols);
  const fast = pinvWasm(a, rcond);
  if (fast) return result(fast.pinv, fast.rank, fast.s);
  const { Ut, s, Vt } = svdTransposed(a);
  const rank = numericalRank(s, rcond);
  // pinv = (V_k·diag(1/s_k))·U_kᵀ, one blocked product; U_kᵀ is the first k rows of Uᵀ.
  const n = a.cols, m = a.rows;
  const vs = new Matrix(n, rank);
  for (let q = 0; q < rank; q++) {
    const inv = 1 / s[q], row = Vt!.data.subarray(q * n, (q + 1) * n);
    for (let i = 0; i < n; i++) vs.data[i * rank + q] = row[i] * inv;
  }
  const out = matmul(vs, new Matrix(rank, m, Ut!.data.subarray(0, rank * m)));
  return result(out, rank, s);
}

/**
 * A kept singular value below ~1/1.8e308 (subnormal input) has a reciprocal beyond float64: the
 * pseudo-inverse is not representable, which is an error saying so rather than Infinity entries.
 */
function result(pinv: Matrix, rank: number, s: Float64Array): PinvResult {
  assertFiniteEntries(pinv, "a",
    `the pseudo-inverse overflows float64 (smallest kept singular value ${s[rank - 1]}; rescale the matrix or raise rcond)`);
  const r = s.length;
  return {
    pinv,
    rank,
    singularValues: s,
    condKept: rank === 0 ? NaN : s[0] / s[rank - 1],
    condFull: r === 0 ? NaN : s[r - 1] === 0 ? Infinity : s[0] / s[r - 1],
  };
}


export function pinv(a: Matrix, options: PinvOptions = {}): Matrix {
  return pinvWithInfo(a, options).pinv;
}

/**
 * 2-norm condition number σ_max/σ_min. With `kept`, only singular values above the pinv cut-off
 * count (the conditioning of what a pseudo-inverse actually inverts).
 */
export function conditionNumber(a: Matrix, options: PinvOptions & { kept?: boolean } = {}): number {
  const s = singularValues(a);
  if (s.length === 0 || s[0] === 0) return NaN;
  if (!options.kept) return s[s.length - 1] === 0 ? Infinity : s[0] / s[s.length - 1];
  const last = Math.max(1, numericalRank(s, options.rcond ?? defaultRcond(a.rows, a.cols))) - 1;
  return s[0] / s[last];
}
