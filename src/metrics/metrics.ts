/**
 * Evaluation metrics for latent-space translation: per-row cosine similarity, mean squared error,
 * classification accuracy, Pearson correlation, linear CKA; retrieval (top-k accuracy, mean reciprocal
 * rank) in retrieval.ts.
 *
 * Every function is pure, validates its inputs and throws a typed error naming the argument at fault
 * (`ShapeMismatchError`, `InvalidParameterError`, `NonFiniteError`, `ZeroNormError`) instead of
 * returning NaN.
 */
import { InvalidParameterError, NonFiniteError, ShapeMismatchError } from "../errors";
import { Matrix } from "../linalg/matrix";
import { matmulTransA } from "../linalg/product";
import type { MatrixInput } from "../validate";
import {
  assertFiniteMatrix, assertFiniteVector, assertSameShape, clamp, matrixArg, powerOfTwoScaled, powerOfTwoScaledMatrix, unitRows, vectorArg,
} from "./rows";

export { meanReciprocalRank, retrievalScores, topKRetrievalAccuracy, type RetrievalScores } from "./retrieval";

// ---------------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------------

/** Options of {@link cosineSimilarities} and {@link meanCosineSimilarity}. */
export interface CosineOptions {
  /**
   * Subtract this vector (length d) from every row of both matrices first: the cosine of the
   * directions around `centre` (e.g. the target anchors' mean), the same numbers as passing the two
   * centred matrices, without forming them.
   */
  centre?: ArrayLike<number>;
}

/**
 * Cosine similarity between row i of `a` and row i of `b`, for every i (after subtracting
 * `options.centre` from both, if given).
 *
 * @param a - n×d matrix.
 * @param b - n×d matrix (same shape as `a`).
 * @returns Length-n array of cosines in [-1, 1].
 * @throws ShapeMismatchError if the shapes differ (argument `"b"`), or `centre` is not of length d.
 * @throws NonFiniteError if either matrix (or `centre`) contains NaN or ±Infinity.
 * @throws ZeroNormError if a row of either matrix is all zeros (cosine is undefined there); with a
 *   centre, a row equal to it.
 */
export function cosineSimilarities(a: MatrixInput, b: MatrixInput, options: CosineOptions = {}): Float64Array {
  a = matrixArg(a, "a");
  b = matrixArg(b, "b");
  assertSameShape(a, b, "a", "b");
  const centre = options.centre === undefined ? undefined : centreArg(options.centre, a.cols);
  const out = new Float64Array(a.rows);
  // The common case in one pass per row and no copies; anything unusual (a non-finite entry, a zero
  // row) takes the reference path below, which throws the error that names it.
  if (rowCosinesFused(a, b, centre, out)) return out;
  if (centre) {
    a = centred(a, centre);
    b = centred(b, centre);
  }
  assertFiniteMatrix(a, "a");
  assertFiniteMatrix(b, "b");
  const ua = unitRows(a, "a");
  const ub = unitRows(b, "b");
  const { rows, cols } = a;
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += ua.data[off + j] * ub.data[off + j];
    out[i] = clamp(s, -1, 1);
  }
  return out;
}

function centreArg(centre: ArrayLike<number>, d: number): Float64Array {
  vectorArg(centre, "centre");
  if (centre.length !== d) throw new ShapeMismatchError("centre", `expected length ${d} (the matrices' columns), got ${centre.length}`);
  assertFiniteVector(centre, "centre");
  return Float64Array.from(centre);
}

function centred(m: Matrix, centre: Float64Array): Matrix {
  const { rows, cols, data } = m;
  const out = new Float64Array(data.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = data[i * cols + j] - centre[j];
  return new Matrix(rows, cols, out);
}

/**
 * The reference path's numbers bit for bit (`unitRows`' scaling by the row's largest |entry|, then by
 * the reciprocal of the scaled norm, summed in the same order), row by row without materialising the
 * unit (or centred) rows; false, with `out` partly written, at the first row the reference path
 * would reject or whose scaled sum of squares is not finite.
 */
function rowCosinesFused(a: Matrix, b: Matrix, centre: Float64Array | undefined, out: Float64Array): boolean {
  const { rows, cols } = a, ad = a.data, bd = b.data;
  // One row of each side (centred if asked), reused: the reference path's copies are whole matrices.
  const ra = new Float64Array(cols), rb = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    let maxA = 0, maxB = 0;
    if (centre) {
      for (let j = 0; j < cols; j++) {
        const va = ad[off + j] - centre[j], vb = bd[off + j] - centre[j];
        ra[j] = va;
        rb[j] = vb;
        maxA = Math.max(maxA, Math.abs(va));
        maxB = Math.max(maxB, Math.abs(vb));
      }
    } else {
      for (let j = 0; j < cols; j++) {
        const va = ad[off + j], vb = bd[off + j];
        ra[j] = va;
        rb[j] = vb;
        maxA = Math.max(maxA, Math.abs(va));
        maxB = Math.max(maxB, Math.abs(vb));
      }
    }
    // NaN fails every comparison, ±Infinity the first two, a zero row the last two.
    if (!(maxA < Infinity && maxB < Infinity && maxA > 0 && maxB > 0)) return false;
    let sa = 0, sb = 0;
    for (let j = 0; j < cols; j++) {
      const va = ra[j] / maxA, vb = rb[j] / maxB;
      ra[j] = va;
      rb[j] = vb;
      sa += va * va;
      sb += vb * vb;
    }
    const invA = 1 / Math.sqrt(sa), invB = 1 / Math.sqrt(sb);
    let s = 0;
    for (let j = 0; j < cols; j++) s += (ra[j] * invA) * (rb[j] * invB);
    out[i] = clamp(s, -1, 1);
  }
  return true;
}

/**
 * Mean over rows of {@link cosineSimilarities} (after subtracting `options.centre` from both, if given).
 *
 * @param a - n×d matrix, n ≥ 1.
 * @param b - n×d matrix (same shape as `a`).
 * @throws InvalidParameterError if the matrices have no rows (the mean is undefined).
 * @throws ShapeMismatchError, NonFiniteError, ZeroNormError as for {@link cosineSimilarities}.
 */
export function meanCosineSimilarity(a: MatrixInput, b: MatrixInput, options: CosineOptions = {}): number {
  a = matrixArg(a, "a");
  b = matrixArg(b, "b");
  assertSameShape(a, b, "a", "b");
  if (a.rows === 0) {
    throw new InvalidParameterError("a", "expected at least one row; the mean cosine of zero rows is undefined");
  }
  const cos = cosineSimilarities(a, b, options);
  let s = 0;
  for (let i = 0; i < cos.length; i++) s += cos[i];
  return s / cos.length;
}

/**
 * Mean squared error over all entries: (1 / (n·d)) Σᵢⱼ (aᵢⱼ − bᵢⱼ)².
 *
 * @param a - n×d matrix with at least one entry.
 * @param b - n×d matrix (same shape as `a`).
 * @throws ShapeMismatchError if the shapes differ (argument `"b"`).
 * @throws InvalidParameterError if the matrices have no entries.
 * @throws NonFiniteError if either matrix contains NaN or ±Infinity.
 */
export function meanSquaredError(a: MatrixInput, b: MatrixInput): number {
  a = matrixArg(a, "a");
  b = matrixArg(b, "b");
  assertSameShape(a, b, "a", "b");
  if (a.data.length === 0) {
    throw new InvalidParameterError("a", `expected at least one entry, got a ${a.rows}×${a.cols} matrix`);
  }
  assertFiniteMatrix(a, "a");
  assertFiniteMatrix(b, "b");
  let s = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = a.data[i] - b.data[i];
    s += d * d;
  }
  const mse = s / a.data.length;
  return Number.isFinite(mse) ? mse : scaledMeanSquaredError(a, b);
}

/** The MSE when the plain sum of squares overflowed: differences divided by max |entry| first. */
function scaledMeanSquaredError(a: Matrix, b: Matrix): number {
  let amax = 0, at = 0;
  for (let i = 0; i < a.data.length; i++) {
    const m = Math.max(Math.abs(a.data[i]), Math.abs(b.data[i]));
    if (m > amax) [amax, at] = [m, i];
  }
  let t = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = a.data[i] / amax - b.data[i] / amax;
    t += d * d;
  }
  const mse = ((t / a.data.length) * amax) * amax;
  if (!Number.isFinite(mse)) {
    throw new NonFiniteError("b", Math.floor(at / a.cols), at % a.cols, mse,
      `the mean squared error overflows float64 (entries up to ${amax}); rescale both matrices`);
  }
  return mse;
}

/**
 * Fraction of positions where `predicted[i] === truth[i]`.
 *
 * @param predicted - Predicted labels (finite numbers).
 * @param truth - True labels, same length as `predicted`.
 * @returns Accuracy in [0, 1].
 * @throws ShapeMismatchError if the lengths differ (argument `"truth"`).
 * @throws InvalidParameterError if the inputs are empty.
 * @throws NonFiniteError if a label is NaN or ±Infinity.
 */
export function accuracy(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  predicted = vectorArg(predicted, "predicted");
  truth = vectorArg(truth, "truth");
  if (predicted.length !== truth.length) {
    throw new ShapeMismatchError(
      "truth",
      `expected the same length as predicted (${predicted.length}), got ${truth.length}`,
    );
  }
  if (predicted.length === 0) {
    throw new InvalidParameterError("predicted", "expected at least one label; accuracy of zero items is undefined");
  }
  assertFiniteVector(predicted, "predicted");
  assertFiniteVector(truth, "truth");
  let correct = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === truth[i]) correct++;
  return correct / predicted.length;
}

/**
 * Index of the largest score in each row (the predicted class). Ties go to the lowest index.
 * ±Infinity scores are allowed (e.g. log-probabilities of zero); NaN is not.
 *
 * @param scores - n×c matrix of class scores, c ≥ 1.
 * @returns Length-n array of column indices.
 * @throws InvalidParameterError if `scores` has no columns.
 * @throws NonFiniteError if a score is NaN.
 */
export function argmaxRows(scores: MatrixInput): Int32Array {
  scores = matrixArg(scores, "scores");
  const { rows, cols, data } = scores;
  if (cols === 0) {
    throw new InvalidParameterError("scores", `expected at least one column (class), got ${rows}×${cols}`);
  }
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    let best = 0;
    let bestVal = data[off];
    if (Number.isNaN(bestVal)) throw new NonFiniteError("scores", i, 0, bestVal);
    for (let j = 1; j < cols; j++) {
      const v = data[off + j];
      if (Number.isNaN(v)) throw new NonFiniteError("scores", i, j, v);
      if (v > bestVal) {
        bestVal = v;
        best = j;
      }
    }
    out[i] = best;
  }
  return out;
}

/**
 * Pearson correlation coefficient between `x` and `y`.
 *
 * @param x - At least two finite numbers, not all equal.
 * @param y - Same length as `x`, finite, not all equal.
 * @returns Correlation in [-1, 1].
 * @throws ShapeMismatchError if the lengths differ (argument `"y"`).
 * @throws InvalidParameterError if there are fewer than two values, or if either input is constant
 *   (zero variance: the correlation is undefined).
 * @throws NonFiniteError if a value is NaN or ±Infinity.
 */
export function pearsonCorrelation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  x = vectorArg(x, "x");
  y = vectorArg(y, "y");
  if (x.length !== y.length) {
    throw new ShapeMismatchError("y", `expected the same length as x (${x.length}), got ${y.length}`);
  }
  if (x.length < 2) {
    throw new InvalidParameterError("x", `expected at least 2 values, got ${x.length}`);
  }
  assertFiniteVector(x, "x");
  assertFiniteVector(y, "y");
  const dx = centredScaled(powerOfTwoScaled(x), "x");
  const dy = centredScaled(powerOfTwoScaled(y), "y");
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < dx.length; i++) {
    sxy += dx[i] * dy[i];
    sxx += dx[i] * dx[i];
    syy += dy[i] * dy[i];
  }
  return clamp(sxy / Math.sqrt(sxx * syy), -1, 1);
}

/**
 * Deviations from the mean, divided by their largest magnitude (correlation is scale-invariant, and
 * this keeps the sums of squares away from overflow and underflow).
 * Constancy is tested on the raw values: the floating-point mean of a constant vector need not equal
 * its entries exactly, which would otherwise leave spurious ~1e-17 deviations.
 */
function centredScaled(v: ArrayLike<number>, name: string): Float64Array {
  const n = v.length;
  let constant = true;
  for (let i = 1; i < n && constant; i++) if (v[i] !== v[0]) constant = false;
  if (constant) {
    throw new InvalidParameterError(
      name,
      `all ${n} values equal ${v[0]}; Pearson correlation is undefined for constant input (zero variance)`,
    );
  }
  let mean = 0;
  for (let i = 0; i < n; i++) mean += v[i];
  mean /= n;
  const d = new Float64Array(n);
  let maxAbs = 0;
  for (let i = 0; i < n; i++) {
    d[i] = v[i] - mean;
    maxAbs = Math.max(maxAbs, Math.abs(d[i]));
  }
  for (let i = 0; i < n; i++) d[i] /= maxAbs;
  return d;
}

/**
 * Columns of `m` minus their means, then the whole matrix divided by its Frobenius norm (CKA is
 * invariant to isotropic scaling; this keeps the d×d products in range).
 * @throws InvalidParameterError if every column is constant (the centred representation is zero).
 */
function centredColumnsUnitFrobenius(m: Matrix, name: string): Matrix {
  const { rows, cols, data } = m;
  let degenerate = true;
  for (let j = 0; j < cols && degenerate; j++) {
    const first = data[j];
    for (let i = 1; i < rows; i++) {
      if (data[i * cols + j] !== first) {
        degenerate = false;
        break;
      }
    }
  }
  if (degenerate) {
    throw new InvalidParameterError(
      name,
      `every column is constant across the ${rows} rows, so the centred representation is zero and CKA is undefined`,
    );
  }
  const mean = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    for (let j = 0; j < cols; j++) mean[j] += data[off + j];
  }
  for (let j = 0; j < cols; j++) mean[j] /= rows;
  const out = new Float64Array(data.length);
  let maxAbs = 0;
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = data[off + j] - mean[j];
      out[off + j] = v;
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
  }
  let s = 0;
  for (let k = 0; k < out.length; k++) {
    out[k] /= maxAbs;
    s += out[k] * out[k];
  }
  const inv = 1 / Math.sqrt(s);
  for (let k = 0; k < out.length; k++) out[k] *= inv;
  return new Matrix(rows, cols, out);
}

function frobeniusSquared(m: Matrix): number {
  let s = 0;
  for (let k = 0; k < m.data.length; k++) s += m.data[k] * m.data[k];
  return s;
}

/**
 * Linear centred kernel alignment (Kornblith et al., 2019) between two representations of the same
 * n items. With X and Y column-centred,
 *
 *   CKA(X, Y) = ‖YᵀX‖²_F / (‖XᵀX‖_F · ‖YᵀY‖_F),
 *
 * computed from the d×d cross products (O(n·d²)), never the n×n Gram matrices. The value lies in
 * [0, 1]; it is invariant to orthogonal transforms and isotropic scaling of either representation.
 *
 * @param x - n×d1 representation, n ≥ 2, finite, not every column constant.
 * @param y - n×d2 representation of the same items (same row count; d2 may differ from d1).
 * @throws ShapeMismatchError if the row counts differ (argument `"y"`).
 * @throws InvalidParameterError if n < 2 or a representation is constant in every column.
 * @throws NonFiniteError if either matrix contains NaN or ±Infinity.
 */
export function linearCka(x: MatrixInput, y: MatrixInput): number {
  x = matrixArg(x, "x");
  y = matrixArg(y, "y");
  if (x.rows !== y.rows) {
    throw new ShapeMismatchError(
      "y",
      `expected the same number of rows as x (${x.rows} items), got ${y.rows}`,
    );
  }
  if (x.rows < 2) {
    throw new InvalidParameterError("x", `expected at least 2 rows (items), got ${x.rows}`);
  }
  assertFiniteMatrix(x, "x");
  assertFiniteMatrix(y, "y");
  const xc = centredColumnsUnitFrobenius(powerOfTwoScaledMatrix(x), "x");
  const yc = centredColumnsUnitFrobenius(powerOfTwoScaledMatrix(y), "y");
  const cross = frobeniusSquared(matmulTransA(yc, xc)); // ‖YᵀX‖²_F, d2×d1
  const xx = Math.sqrt(frobeniusSquared(matmulTransA(xc, xc))); // ‖XᵀX‖_F, d1×d1
  const yy = Math.sqrt(frobeniusSquared(matmulTransA(yc, yc))); // ‖YᵀY‖_F, d2×d2
  return clamp(cross / (xx * yy), 0, 1);
}
