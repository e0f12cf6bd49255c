import { Matrix, padCols } from "../src/linalg/matrix";
import { matmul } from "../src/linalg/product";
import { Random } from "../src/linalg/random";
import { svd } from "../src/linalg/svd";
import { blasKernels } from "../src/linalg/blas";
import { setKernels, type KernelChoice } from "../src/linalg/kernelChoice";
import { resetKernels } from "../src/linalg/wasm/kernels";

export function randomMatrix(rows: number, cols: number, seed: number, scale = 1): Matrix {
  const rng = new Random(seed);
  const m = new Matrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = scale * rng.normal();
  return m;
}

/** A Haar-ish random orthogonal matrix (left singular vectors of a Gaussian matrix). */
export function randomOrthogonal(n: number, seed: number): Matrix {
  return svd(randomMatrix(n, n, seed)).U!;
}

/** Correlated points: Gaussian scores on a few directions with decaying weights, plus noise. */
export function correlatedPoints(rows: number, cols: number, rank: number, seed: number, noise = 0.05): Matrix {
  const basis = randomMatrix(rank, cols, seed + 1);
  const scores = randomMatrix(rows, rank, seed + 2);
  for (let i = 0; i < rows; i++) for (let r = 0; r < rank; r++) scores.data[i * rank + r] *= 1 / (1 + r);
  const out = matmul(scores, basis);
  const eps = randomMatrix(rows, cols, seed + 3, noise);
  for (let i = 0; i < out.data.length; i++) out.data[i] += eps.data[i];
  return out;
}

/** Y = [X 0]·Q + t: the target space is a padded, rotated, shifted copy of the source. */
export function rotatedCopy(x: Matrix, targetDim: number, seed: number, shift = 0): { y: Matrix; q: Matrix } {
  const q = randomOrthogonal(targetDim, seed);
  const y = matmul(padCols(x, targetDim), q);
  if (shift !== 0) for (let i = 0; i < y.data.length; i++) y.data[i] += shift * ((i % targetDim) % 3 - 1);
  return { y, q };
}

export function topRows(m: Matrix, n: number): Matrix {
  return new Matrix(n, m.cols, m.data.slice(0, n * m.cols));
}

export function bottomRows(m: Matrix, n: number): Matrix {
  return new Matrix(n, m.cols, m.data.slice((m.rows - n) * m.cols));
}

/** Mean cosine between corresponding rows after centring both on `meanA`/`meanB`. */
export function meanCenteredCosine(a: Matrix, b: Matrix, meanA: Float64Array, meanB: Float64Array): number {
  let total = 0;
  for (let i = 0; i < a.rows; i++) {
    let d = 0, na = 0, nb = 0;
    for (let j = 0; j < a.cols; j++) {
      const x = a.get(i, j) - meanA[j], y = b.get(i, j) - meanB[j];
      d += x * y;
      na += x * x;
      nb += y * y;
    }
    total += d / Math.sqrt(na * nb);
  }
  return total / a.rows;
}

/** Runs f with the numeric kernels `choice` (setKernels overrides LATENT_BRIDGE_KERNELS), then restores the environment's choice. */
export function withKernels<T>(choice: KernelChoice, f: () => T): T {
  setKernels(choice);
  try {
    return f();
  } finally {
    setKernels(undefined);
  }
}

let blasLoadable: boolean | undefined;
/** Whether the kernel choice "blas" loads here (koffi and a BLAS with LAPACK); test/linalg-blas.test.ts requires it on CI. */
export function blasAvailable(): boolean {
  if (blasLoadable === undefined) {
    try {
      blasLoadable = withKernels("blas", () => blasKernels() !== null);
    } catch {
      blasLoadable = false;
    } finally {
      resetKernels();
    }
  }
  return blasLoadable;
}

/** Every kernel choice this machine runs: the tests of a numeric contract run on each. */
export function kernelsHere(): KernelChoice[] {
  return blasAvailable() ? ["wasm", "js", "blas"] : ["wasm", "js"];
}
