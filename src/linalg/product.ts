import { ShapeMismatchError } from "../errors";
import { Matrix, transpose } from "./matrix";
import { blasKernels, type Blas } from "./blas";
import { reserve, wasmKernels } from "./wasm/kernels";

/** Below this many multiply-adds the copy into WebAssembly memory costs more than it saves. */
const WASM_MIN_WORK = 32 * 32 * 32;

/**
 * The fewest rows (a multiple of 4) a block of A needs so that A_block·B, for any B with k·n ≥
 * `minInnerTimesCols`, runs on the same kernel as A·B for any taller A — so that the rows of the
 * products of consecutive blocks are bit for bit the rows of the whole product. Both kernels compute
 * each row independently of the others, except that the TypeScript one treats the last rows·mod 4
 * rows apart: blocks of a multiple of 4 rows (the last one excepted) keep those rows at the end.
 * (What streaming a file through a translator block by block relies on: translate/transformFile.ts.)
 */
export function minRowsForSameKernel(minInnerTimesCols: number): number {
  return 4 * Math.max(1, Math.ceil(Math.ceil(WASM_MIN_WORK / Math.max(1, minInnerTimesCols)) / 4));
}

/**
 * C = A·B. The bulk is computed in 4×4 register tiles: for each block of 256 inner indices a 4-wide
 * panel of B is packed contiguously, and sixteen accumulators stay in registers while the panel is
 * swept, so each load feeds four multiply-adds (about twice a plain i-p-j loop's speed in V8). Leftover rows and columns (sizes not divisible by 4) use a plain loop.
 * Large products go to the WebAssembly SIMD kernel (`dgemm` in src/linalg/wasm/kernels.c, same blocking with
 * f64x2 registers) when it is available, or to the machine's BLAS with the kernel choice "blas".
 */
export function matmul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) {
    throw new ShapeMismatchError("b", `cannot multiply ${a.rows}×${a.cols} by ${b.rows}×${b.cols}`);
  }
  const m = a.rows, k = a.cols, n = b.cols;
  const A = a.data, B = b.data;
  const blas = m * k * n >= WASM_MIN_WORK ? blasKernels() : null;
  if (blas) return blasProduct(blas, false, false, a, b, m, n, k);
  const kernels = m * k * n >= WASM_MIN_WORK ? wasmKernels() : null;
  if (kernels) {
    const { ptr, view } = reserve(kernels, [m * k, k * n, m * n, kernels.dgemm_pack_a_size(), kernels.dgemm_pack_b_size()]);
    view[0].set(A);
    view[1].set(B);
    kernels.dgemm(ptr[0], ptr[1], ptr[2], m, k, n, ptr[3], ptr[4]);
    return new Matrix(m, n, view[2].slice());
  }
  const C = new Float64Array(m * n);
  const m4 = m - (m % 4), n4 = n - (n % 4);
  const KB = 256;
  const panel = new Float64Array(KB * 4);
  for (let p0 = 0; p0 < k; p0 += KB) {
    const p1 = Math.min(k, p0 + KB), kl = p1 - p0;
    for (let j = 0; j < n4; j += 4) {
      for (let p = 0; p < kl; p++) {
        const bo = (p0 + p) * n + j, q = 4 * p;
        panel[q] = B[bo];
        panel[q + 1] = B[bo + 1];
        panel[q + 2] = B[bo + 2];
        panel[q + 3] = B[bo + 3];
      }
      for (let i = 0; i < m4; i += 4) {
        const a0 = i * k + p0, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (let p = 0, q = 0; p < kl; p++, q += 4) {
          const b0 = panel[q], b1 = panel[q + 1], b2 = panel[q + 2], b3 = panel[q + 3];
          const x0 = A[a0 + p], x1 = A[a1 + p], x2 = A[a2 + p], x3 = A[a3 + p];
          c00 += x0 * b0; c01 += x0 * b1; c02 += x0 * b2; c03 += x0 * b3;
          c10 += x1 * b0; c11 += x1 * b1; c12 += x1 * b2; c13 += x1 * b3;
          c20 += x2 * b0; c21 += x2 * b1; c22 += x2 * b2; c23 += x2 * b3;
          c30 += x3 * b0; c31 += x3 * b1; c32 += x3 * b2; c33 += x3 * b3;
        }
        let o = i * n + j;
        C[o] += c00; C[o + 1] += c01; C[o + 2] += c02; C[o + 3] += c03; o += n;
        C[o] += c10; C[o + 1] += c11; C[o + 2] += c12; C[o + 3] += c13; o += n;
        C[o] += c20; C[o + 1] += c21; C[o + 2] += c22; C[o + 3] += c23; o += n;
        C[o] += c30; C[o + 1] += c31; C[o + 2] += c32; C[o + 3] += c33;
      }
    }
  }
  // Leftover rows (all columns) and leftover columns (the first m4 rows).
  for (let i = m4; i < m; i++) rowTimesMatrix(A, i * k, B, k, n, 0, n, C, i * n);
  if (n4 < n) for (let i = 0; i < m4; i++) rowTimesMatrix(A, i * k, B, k, n, n4, n, C, i * n);
  return new Matrix(m, n, C);
}

/**
 * The arithmetic of a product: "float64" (the default everywhere) or "float32" — operands rounded to
 * float32 and multiplied with float32 SIMD (twice the width), each partial sum of up to 256 terms
 * accumulated in float32 and the partial sums added in float64 (`sgemm_f64` in kernels.c). Its error
 * per entry is at most `float32ProductErrorBound(k)`·Σ_p |A_ip|·|B_pj| (including the rounding of
 * the operands) — the tests check it on adversarial data. Where the WebAssembly kernels are
 * unavailable or the product is small, "float32" is computed in float64 (within the bound too).
 */
export type Precision = "float64" | "float32";
export const PRECISIONS: readonly Precision[] = ["float64", "float32"];

/** Inner length of the float32 partial sums (KC in kernels.c). */
const FLOAT32_BLOCK = 256;

/**
 * The bound c with |C̃_ij − C_ij| ≤ c·Σ_p |A_ip|·|B_pj| for the "float32" product of inner length
 * k: (min(k, 256) + 3)·2⁻²⁴ — two roundings of the operands, one per term of a float32 partial sum
 * (γ_256, the classical dot-product bound), one for the second-order terms; widening a partial sum
 * to float64 is exact — plus k·2⁻⁵³ for the float64 sum of the partial sums.
 */
export function float32ProductErrorBound(k: number): number {
  return (Math.min(k, FLOAT32_BLOCK) + 3) * 2 ** -24 + k * 2 ** -53;
}

/**
 * A·B for an m×k A that the caller writes (`fillA`, given the row-major buffer) straight into the
 * kernel's memory, and a C that `useC` reads there before anything else runs: saves allocating A
 * and copying A and C (two and a half full-size arrays for a tall A). With "float64" the result is
 * `matmul`'s, bit for bit; with "float32" `fillA` gets a Float32Array (see `Precision`). `useC`
 * must not call the kernels (C lives in their memory) and must copy what it keeps. With the kernel
 * choice "blas" a float64 product is the BLAS's (A and C then live in two reused buffers, so `useC`
 * must still copy what it keeps); a float32 one stays on the WebAssembly kernel, whose error bound
 * `float32ProductErrorBound` states.
 */
export function productWithRows<T>(
  m: number, k: number, b: Matrix, fillA: (a: Float64Array | Float32Array) => void, useC: (c: Matrix) => T, precision: Precision = "float64",
): T {
  if (b.rows !== k) throw new ShapeMismatchError("b", `cannot multiply ${m}×${k} by ${b.rows}×${b.cols}`);
  const n = b.cols;
  const blas = precision === "float64" && m * k * n >= WASM_MIN_WORK ? blasKernels() : null;
  if (blas) {
    const a = scratch(0, m * k), c = scratch(1, m * n);
    fillA(a);
    blas.dgemm(false, false, m, n, k, a, b.data, c);
    return useC(new Matrix(m, n, c));
  }
  const kernels = m * k * n >= WASM_MIN_WORK ? wasmKernels() : null;
  if (!kernels) {
    const a = new Float64Array(m * k);
    fillA(a);
    return useC(matmul(new Matrix(m, k, a), b));
  }
  const single = precision === "float32";
  const doubles = (count: number) => (single ? Math.ceil(count / 2) : count);
  const { ptr, view } = reserve(kernels, [doubles(m * k), doubles(k * n), m * n, kernels.dgemm_pack_a_size(), kernels.dgemm_pack_b_size()]);
  if (single) {
    const buffer = kernels.memory.buffer;
    fillA(new Float32Array(buffer, ptr[0], m * k));
    new Float32Array(buffer, ptr[1], k * n).set(b.data);
    kernels.sgemm_f64(ptr[0], ptr[1], ptr[2], m, k, n, ptr[3], ptr[4]);
  } else {
    fillA(view[0]);
    view[1].set(b.data);
    kernels.dgemm(ptr[0], ptr[1], ptr[2], m, k, n, ptr[3], ptr[4]);
  }
  return useC(new Matrix(m, n, view[2]));
}

/** op(A)·op(B) by the BLAS into a new matrix (shapes checked by the caller). */
function blasProduct(blas: Blas, transA: boolean, transB: boolean, a: Matrix, b: Matrix, m: number, n: number, k: number): Matrix {
  const c = new Float64Array(m * n);
  blas.dgemm(transA, transB, m, n, k, a.data, b.data, c);
  return new Matrix(m, n, c);
}

/**
 * Two buffers `productWithRows` reuses across calls with the BLAS (a file streamed through a
 * translator calls it once per block): grown to the largest call, never shrunk — as the
 * WebAssembly kernels' memory. Views of the first `length` entries.
 */
const scratchBuffers: Float64Array[] = [new Float64Array(0), new Float64Array(0)];
function scratch(which: 0 | 1, length: number): Float64Array {
  if (scratchBuffers[which].length < length) scratchBuffers[which] = new Float64Array(length);
  return scratchBuffers[which].subarray(0, length);
}

/** C[co + j] = Σ_p A[ao + p]·B[p, j] for j in [j0, j1). */
function rowTimesMatrix(
  A: Float64Array, ao: number, B: Float64Array, k: number, n: number, j0: number, j1: number, C: Float64Array, co: number,
): void {
  for (let p = 0; p < k; p++) {
    const x = A[ao + p];
    if (x === 0) continue;
    const bo = p * n;
    for (let j = j0; j < j1; j++) C[co + j] += x * B[bo + j];
  }
}

/** A·Bᵀ without the caller building Bᵀ. */
export function matmulTransB(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.cols) {
    throw new ShapeMismatchError("b", `cannot multiply ${a.rows}×${a.cols} by the transpose of ${b.rows}×${b.cols}`);
  }
  const blas = a.rows * a.cols * b.rows >= WASM_MIN_WORK ? blasKernels() : null;
  if (blas) return blasProduct(blas, false, true, a, b, a.rows, b.rows, a.cols);
  return matmul(a, transpose(b));
}

/** Aᵀ·B without the caller building Aᵀ. */
export function matmulTransA(a: Matrix, b: Matrix): Matrix {
  if (a.rows !== b.rows) {
    throw new ShapeMismatchError("b", `cannot multiply the transpose of ${a.rows}×${a.cols} by ${b.rows}×${b.cols}`);
  }
  const blas = a.rows * a.cols * b.cols >= WASM_MIN_WORK ? blasKernels() : null;
  if (blas) return blasProduct(blas, true, false, a, b, a.cols, b.cols, a.rows);
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
