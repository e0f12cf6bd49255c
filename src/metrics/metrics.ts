/**
 * Evaluation metrics for latent-space translation: per-row cosine similarity, mean squared error,
 * classification accuracy, Pearson correlation, linear CKA and top-k retrieval accuracy.
 *
 * Every function is pure, validates its inputs and throws a typed error naming the argument at fault
 * (`ShapeMismatchError`, `InvalidParameterError`, `NonFiniteError`, `ZeroNormError`) instead of
 * returning NaN.
 */
import { InvalidParameterError, NonFiniteError, ShapeMismatchError, ZeroNormError } from "../errors";
import { Matrix } from "../linalg/matrix";
import { matmulTransA, matmulTransB } from "../linalg/product";
import { assertFinite, type MatrixInput } from "../validate";

/** Rows of `translated` ranked against all of `targets` per block, bounding memory to BLOCK×n scores. */
const RETRIEVAL_BLOCK_ROWS = 512;

// ---------------------------------------------------------------------------------------------------
// Validation helpers
// ---------------------------------------------------------------------------------------------------

const assertFiniteMatrix = assertFinite;

/** A Matrix argument, or rows as nested arrays (converted, naming `name` in any error); empty is allowed here. */
function matrixArg(x: MatrixInput, name: string): Matrix {
  if (x instanceof Matrix) return x;
  if (x === null || typeof x !== "object") {
    throw new InvalidParameterError(name, `expected a Matrix or an array of rows, got ${x === null ? "null" : typeof x}`);
  }
  return Matrix.from(x, name);
}

function vectorArg(x: ArrayLike<number>, name: string): ArrayLike<number> {
  if (x === null || typeof x !== "object" || typeof x.length !== "number") {
    throw new InvalidParameterError(name, `expected an array of numbers, got ${x === null ? "null" : typeof x}`);
  }
  return x;
}

/**
 * `v` times a power of two bringing max |v| near 1 when it lies outside [2^-500, 2^500], else `v`
 * itself: for the scale-invariant metrics (Pearson, CKA), whose means and deviations would
 * otherwise overflow (entries near ±1.8e308) or lose their squares to underflow.
 */
function powerOfTwoScaled(v: ArrayLike<number>): ArrayLike<number> {
  let amax = 0;
  for (let i = 0; i < v.length; i++) amax = Math.max(amax, Math.abs(v[i]));
  if (amax === 0 || (amax >= 2 ** -500 && amax <= 2 ** 500)) return v;
  const e = -Math.round(Math.log2(amax));
  const f1 = 2 ** Math.trunc(e / 2), f2 = 2 ** (e - Math.trunc(e / 2));
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] * f1 * f2;
  return out;
}

function powerOfTwoScaledMatrix(m: Matrix): Matrix {
  const d = powerOfTwoScaled(m.data);
  return d === m.data ? m : new Matrix(m.rows, m.cols, d as Float64Array);
}

/** Vectors are reported as a single column: row = index, column = 0. */
function assertFiniteVector(x: ArrayLike<number>, name: string): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (typeof v !== "number" || !Number.isFinite(v)) throw new NonFiniteError(name, i, 0, v);
  }
}

function assertSameShape(a: Matrix, b: Matrix, nameA: string, nameB: string): void {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new ShapeMismatchError(
      nameB,
      `expected the same shape as ${nameA} (${a.rows}×${a.cols}), got ${b.rows}×${b.cols}`,
    );
  }
}

/**
 * Rows of `m` scaled to unit L2 norm. Each row is first divided by its largest absolute entry so the
 * sum of squares neither overflows (entries ~1e200) nor underflows (entries ~1e-200).
 * @throws ZeroNormError if a row is all zeros (its direction, hence any cosine, is undefined).
 */
function unitRows(m: Matrix, name: string): Matrix {
  const { rows, cols, data } = m;
  const out = new Float64Array(data.length);
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    let maxAbs = 0;
    for (let j = 0; j < cols; j++) maxAbs = Math.max(maxAbs, Math.abs(data[off + j]));
    if (maxAbs === 0) {
      throw new ZeroNormError(name, i, ", so its cosine similarity is undefined");
    }
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const v = data[off + j] / maxAbs;
      out[off + j] = v;
      s += v * v;
    }
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < cols; j++) out[off + j] *= inv;
  }
  return new Matrix(rows, cols, out);
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

// ---------------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------------

/**
 * Cosine similarity between row i of `a` and row i of `b`, for every i.
 *
 * @param a - n×d matrix.
 * @param b - n×d matrix (same shape as `a`).
 * @returns Length-n array of cosines in [-1, 1].
 * @throws ShapeMismatchError if the shapes differ (argument `"b"`).
 * @throws NonFiniteError if either matrix contains NaN or ±Infinity.
 * @throws ZeroNormError if a row of either matrix is all zeros (cosine is undefined there).
 */
export function cosineSimilarities(a: MatrixInput, b: MatrixInput): Float64Array {
  a = matrixArg(a, "a");
  b = matrixArg(b, "b");
  assertSameShape(a, b, "a", "b");
  assertFiniteMatrix(a, "a");
  assertFiniteMatrix(b, "b");
  const ua = unitRows(a, "a");
  const ub = unitRows(b, "b");
  const { rows, cols } = a;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += ua.data[off + j] * ub.data[off + j];
    out[i] = clamp(s, -1, 1);
  }
  return out;
}

/**
 * Mean over rows of {@link cosineSimilarities}.
 *
 * @param a - n×d matrix, n ≥ 1.
 * @param b - n×d matrix (same shape as `a`).
 * @throws InvalidParameterError if the matrices have no rows (the mean is undefined).
 * @throws ShapeMismatchError, NonFiniteError, ZeroNormError as for {@link cosineSimilarities}.
 */
export function meanCosineSimilarity(a: MatrixInput, b: MatrixInput): number {
  a = matrixArg(a, "a");
  b = matrixArg(b, "b");
  assertSameShape(a, b, "a", "b");
  if (a.rows === 0) {
    throw new InvalidParameterError("a", "expected at least one row; the mean cosine of zero rows is undefined");
  }
  const cos = cosineSimilarities(a, b);
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

/**
 * Top-k retrieval accuracy: for each row i of `translated`, all rows of `targets` are ranked by cosine
 * similarity to it, and the query succeeds if target row i is among the top k. The rank of the true
 * target is 1 + (number of target rows with strictly higher similarity), so ties are resolved in the
 * query's favour; success means rank ≤ k.
 *
 * Similarities come from matrix products of the L2-normalised rows (`matmulTransB`), processed in
 * blocks of query rows so memory stays O(block·n) rather than O(n²).
 *
 * @param translated - n×d queries (e.g. source embeddings translated into the target space).
 * @param targets - n×d targets; row i is the correct match for query i.
 * @param k - Integer in [1, n]. Defaults to 1.
 * @returns Fraction of queries whose true target is in the top k, in [0, 1].
 * @throws ShapeMismatchError if the shapes differ (argument `"targets"`).
 * @throws InvalidParameterError if there are no rows or `k` is not an integer in [1, n].
 * @throws NonFiniteError if either matrix contains NaN or ±Infinity.
 * @throws ZeroNormError if a row of either matrix is all zeros.
 */
export function topKRetrievalAccuracy(translated: MatrixInput, targets: MatrixInput, k = 1): number {
  translated = matrixArg(translated, "translated");
  targets = matrixArg(targets, "targets");
  assertSameShape(translated, targets, "translated", "targets");
  const n = translated.rows;
  if (n === 0) {
    throw new InvalidParameterError("translated", "expected at least one row; retrieval over zero items is undefined");
  }
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new InvalidParameterError("k", `expected an integer in [1, ${n}], got ${k}`);
  }
  assertFiniteMatrix(translated, "translated");
  assertFiniteMatrix(targets, "targets");
  const q = unitRows(translated, "translated");
  const t = unitRows(targets, "targets");
  const d = q.cols;
  let hits = 0;
  for (let r0 = 0; r0 < n; r0 += RETRIEVAL_BLOCK_ROWS) {
    const r1 = Math.min(n, r0 + RETRIEVAL_BLOCK_ROWS);
    const block = Matrix.fromFlat(r1 - r0, d, q.data.subarray(r0 * d, r1 * d));
    const sims = matmulTransB(block, t).data; // (r1−r0)×n
    for (let i = r0; i < r1; i++) {
      const off = (i - r0) * n;
      const own = sims[off + i];
      let higher = 0;
      for (let j = 0; j < n && higher < k; j++) if (sims[off + j] > own) higher++;
      if (higher < k) hits++; // rank = 1 + higher ≤ k
    }
  }
  return hits / n;
}

// ---------------------------------------------------------------------------------------------------
// Retrieval rank (added for the "when does IRP work" study; kept apart from the metrics above)
// ---------------------------------------------------------------------------------------------------

/**
 * Mean reciprocal rank: for each row i of `translated`, all rows of `targets` are ranked by cosine
 * similarity to it and the query scores 1/rank of target row i, rank = 1 + (number of target rows
 * with strictly higher similarity) — ties resolved in the query's favour, as in
 * `topKRetrievalAccuracy`, so MRR ≥ top-1 accuracy.
 *
 * @param translated - n×d queries; @param targets - n×d targets, row i the correct match for query i.
 * @returns The mean of 1/rank over the queries, in [1/n, 1].
 * @throws ShapeMismatchError if the shapes differ (argument `"targets"`); InvalidParameterError if
 *   there are no rows; NonFiniteError for NaN/±Infinity; ZeroNormError for an all-zero row.
 */
export function meanReciprocalRank(translated: Matrix, targets: Matrix): number {
  assertSameShape(translated, targets, "translated", "targets");
  const n = translated.rows;
  if (n === 0) throw new InvalidParameterError("translated", "expected at least one row; a rank over zero items is undefined");
  assertFiniteMatrix(translated, "translated");
  assertFiniteMatrix(targets, "targets");
  const q = unitRows(translated, "translated");
  const t = unitRows(targets, "targets");
  const d = q.cols;
  let sum = 0;
  for (let r0 = 0; r0 < n; r0 += RETRIEVAL_BLOCK_ROWS) {
    const r1 = Math.min(n, r0 + RETRIEVAL_BLOCK_ROWS);
    const sims = matmulTransB(Matrix.fromFlat(r1 - r0, d, q.data.subarray(r0 * d, r1 * d)), t).data;
    for (let i = r0; i < r1; i++) {
      const off = (i - r0) * n, own = sims[off + i];
      let higher = 0;
      for (let j = 0; j < n; j++) if (sims[off + j] > own) higher++;
      sum += 1 / (1 + higher);
    }
  }
  return sum / n;
}
