import { Matrix, columnMeans, rowNorms } from "../linalg/matrix";
import { assertCols, assertNonZeroRows } from "../validate";
import { ZeroNormError } from "../errors";

/**
 * The statistics IRP keeps for one space, all taken from its anchors: the anchor mean (the centre)
 * and the mean L2 norm of the centred anchors (the scale restored after decoding).
 */
export interface SpaceStats {
  mean: Float64Array;
  meanNorm: number;
}

export function anchorStats(anchors: Matrix): SpaceStats {
  const mean = columnMeans(anchors);
  const centred = center(anchors, mean);
  const norms = rowNorms(centred);
  let s = 0;
  for (let i = 0; i < norms.length; i++) s += norms[i];
  return { mean, meanNorm: s / norms.length };
}

/** x − mean, row by row. */
export function center(x: Matrix, mean: Float64Array): Matrix {
  const out = new Float64Array(x.data.length);
  const d = x.cols;
  for (let i = 0; i < x.rows; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) out[o + j] = x.data[o + j] - mean[j];
  }
  return new Matrix(x.rows, d, out);
}

/**
 * Rows of x scaled to unit L2 norm. A zero row has no direction, so it is an error naming `name`
 * (never a silent NaN).
 */
export function normalizeRows(x: Matrix, name: string, detail = "", zeroBelow?: Float64Array): Matrix {
  const norms = rowNorms(x);
  assertNonZeroRows(norms, name, detail);
  if (zeroBelow) {
    for (let i = 0; i < norms.length; i++) if (norms[i] <= zeroBelow[i]) throw new ZeroNormError(name, i, detail);
  }
  const out = new Float64Array(x.data.length);
  const d = x.cols;
  for (let i = 0; i < x.rows; i++) {
    const inv = 1 / norms[i];
    const o = i * d;
    for (let j = 0; j < d; j++) out[o + j] = x.data[o + j] * inv;
  }
  return new Matrix(x.rows, d, out);
}

/** Centre on `mean` then L2-normalise: step (1) of IRP in the paper (§4, experimental setting). */
export function centerAndNormalize(x: Matrix, mean: Float64Array, name: string): Matrix {
  assertCols(x, mean.length, name);
  // A row equal to the mean up to rounding has no direction either: its centred norm is then a few
  // ulps of the magnitudes that were subtracted.
  let meanNorm = 0;
  for (let j = 0; j < mean.length; j++) meanNorm += mean[j] * mean[j];
  meanNorm = Math.sqrt(meanNorm);
  const rowScale = rowNorms(x);
  const zeroBelow = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) zeroBelow[i] = 1e-12 * (rowScale[i] + meanNorm);
  return normalizeRows(center(x, mean), name, " after centring on the anchor mean", zeroBelow);
}

/**
 * (x − mean) / meanNorm: one scale factor for the whole space (the orthogonal Procrustes baseline's
 * normalisation), unlike `centerAndNormalize`, which normalises every row.
 */
export function centerAndScale(x: Matrix, stats: SpaceStats): Matrix {
  const out = center(x, stats.mean);
  const f = 1 / stats.meanNorm;
  for (let i = 0; i < out.data.length; i++) out.data[i] *= f;
  return out;
}

/** The inverse of `centerAndScale`, in place: y·meanNorm + mean. */
export function unscaleInPlace(y: Matrix, stats: SpaceStats): Matrix {
  const d = y.cols;
  for (let i = 0; i < y.rows; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) y.data[o + j] = y.data[o + j] * stats.meanNorm + stats.mean[j];
  }
  return y;
}

/**
 * Step (4) of IRP: give each decoded row the target scale and add the target centre. Rows are first
 * brought to unit norm (the decoder's scale is not meaningful, §3.4); a row decoded as exactly zero
 * has no direction and is mapped to the centre itself.
 */
export function denormalize(y: Matrix, stats: SpaceStats): Matrix {
  const out = new Float64Array(y.data.length);
  const d = y.cols;
  const norms = rowNorms(y);
  for (let i = 0; i < y.rows; i++) {
    const f = norms[i] > 0 ? stats.meanNorm / norms[i] : 0;
    const o = i * d;
    for (let j = 0; j < d; j++) out[o + j] = y.data[o + j] * f + stats.mean[j];
  }
  return new Matrix(y.rows, d, out);
}
