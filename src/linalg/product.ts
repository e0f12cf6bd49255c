import { ShapeMismatchError } from "../errors";
import { Matrix, transpose } from "./matrix";

/**
 * C = A·B. Row-major i-p-j order with four rows of A per pass, so each streamed row of B feeds four
 * multiply-adds and every inner loop walks memory contiguously (the pattern V8 optimises best).
 */
export function matmul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) {
    throw new ShapeMismatchError("b", `cannot multiply ${a.rows}×${a.cols} by ${b.rows}×${b.cols}`);
  }
  const m = a.rows, k = a.cols, n = b.cols;
  const A = a.data, B = b.data;
  const C = new Float64Array(m * n);
  // Column blocks keep the four C rows and the slice of B in cache for wide matrices.
  const JB = 512;
  for (let j0 = 0; j0 < n; j0 += JB) {
    const j1 = Math.min(n, j0 + JB);
    let i = 0;
    for (; i + 3 < m; i += 4) {
      const c0 = i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
      const a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
      for (let p = 0; p < k; p++) {
        const x0 = A[a0 + p], x1 = A[a1 + p], x2 = A[a2 + p], x3 = A[a3 + p];
        if (x0 === 0 && x1 === 0 && x2 === 0 && x3 === 0) continue;
        const bo = p * n;
        for (let j = j0; j < j1; j++) {
          const bv = B[bo + j];
          C[c0 + j] += x0 * bv;
          C[c1 + j] += x1 * bv;
          C[c2 + j] += x2 * bv;
          C[c3 + j] += x3 * bv;
        }
      }
    }
    for (; i < m; i++) {
      const c0 = i * n, a0 = i * k;
      for (let p = 0; p < k; p++) {
        const x0 = A[a0 + p];
        if (x0 === 0) continue;
        const bo = p * n;
        for (let j = j0; j < j1; j++) C[c0 + j] += x0 * B[bo + j];
      }
    }
  }
  return new Matrix(m, n, C);
}

/** A·Bᵀ without the caller building Bᵀ. */
export function matmulTransB(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.cols) {
    throw new ShapeMismatchError("b", `cannot multiply ${a.rows}×${a.cols} by the transpose of ${b.rows}×${b.cols}`);
  }
  return matmul(a, transpose(b));
}

/** Aᵀ·B without the caller building Aᵀ. */
export function matmulTransA(a: Matrix, b: Matrix): Matrix {
  if (a.rows !== b.rows) {
    throw new ShapeMismatchError("b", `cannot multiply the transpose of ${a.rows}×${a.cols} by ${b.rows}×${b.cols}`);
  }
  return matmul(transpose(a), b);
}

/** y = A·x for a vector x. */
export function matvec(a: Matrix, x: ArrayLike<number>): Float64Array {
  if (x.length !== a.cols) throw new ShapeMismatchError("x", `expected length ${a.cols}, got ${x.length}`);
  const out = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    const off = i * a.cols;
    for (let j = 0; j < a.cols; j++) s += a.data[off + j] * x[j];
    out[i] = s;
  }
  return out;
}

export function dot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}
