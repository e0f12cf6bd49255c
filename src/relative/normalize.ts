import { Matrix, columnMeans, normOfSquares, rowNorm, rowNorms } from "../linalg/matrix";
import { assertCols, assertFinite, assertFiniteResult, assertNonZeroRows } from "../validate";
import { DegenerateAnchorsError, NonFiniteError, ZeroNormError } from "../errors";

/**
 * The statistics IRP keeps for one space, all taken from its anchors: the anchor mean (the centre)
 * and the mean L2 norm of the centred anchors (the scale restored after decoding).
 */
export interface SpaceStats {
  mean: Float64Array;
  meanNorm: number;
  /**
   * The largest L2 norm of an anchor before centring: the scale of the rounding error in `mean`
   * (and so of how close to the mean a row must be to have no direction). Absent in stats made
   * by hand; then only the row's own magnitude and the mean's count.
   */
  magnitude?: number;
}

/**
 * Rows closer to the mean than this, relative to the magnitudes that were subtracted, are the mean
 * up to rounding: their direction is noise. ~4500 ulps: far above the rounding of a mean of
 * thousands of rows, far below any real distance.
 */
const AT_MEAN = 1e-12;

/**
 * Mean, mean centred norm and magnitude of a set of anchors, with the checks every translator needs
 * before it can fit anything on them (`name` is the argument named in the errors):
 * - the anchors must spread: if every anchor equals the mean up to rounding (all identical, or
 *   all zero) no map is determined, and fitting one would fit rounding noise (DegenerateAnchorsError, a TooFewAnchorsError);
 * - centring and norms must stay inside float64: anchors of magnitude ~1e308 overflow
 *   (NonFiniteError saying so, not "zero norm" or a silent Infinity).
 * Norms are computed without overflow or underflow (see `rowNorms`), so anchors scaled by 1e200
 * or 1e-170 give the same directions as unscaled ones.
 */
export function anchorStats(anchors: Matrix, name = "anchors"): SpaceStats {
  const mean = columnMeans(anchors);
  const centred = center(anchors, mean);
  const d = centred.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i])) {
      throw new NonFiniteError(name, Math.floor(i / anchors.cols), i % anchors.cols, d[i],
        "centring on the anchor mean overflows float64 (entries near ±1.8e308); rescale the embeddings");
    }
  }
  const norms = rowNorms(centred);
  const raw = rowNorms(anchors);
  let magnitude = 0;
  for (let i = 0; i < raw.length; i++) {
    for (const [v, what] of [[norms[i], "centred "], [raw[i], ""]] as const) {
      if (v === Infinity) {
        throw new NonFiniteError(name, i, largestEntry(anchors, i), v,
          `the ${what}L2 norm of row ${i} overflows float64 (beyond 1.8e308); rescale the embeddings`);
      }
    }
    if (raw[i] > magnitude) magnitude = raw[i];
  }
  const meanLength = vectorNorm(mean);
  let spread = false;
  for (let i = 0; i < norms.length && !spread; i++) if (norms[i] > AT_MEAN * (raw[i] + meanLength)) spread = true;
  if (!spread) {
    throw new DegenerateAnchorsError(
      name,
      `all ${anchors.rows} anchors are equal up to rounding (no spread around their mean), so they determine no translation; anchors must be distinct items`,
    );
  }
  let s = 0;
  for (let i = 0; i < norms.length; i++) s += norms[i];
  let meanNorm = s / norms.length;
  if (!Number.isFinite(meanNorm)) {
    s = 0;
    for (let i = 0; i < norms.length; i++) s += norms[i] / norms.length;
    meanNorm = s;
  }
  return { mean, meanNorm, magnitude };
}

function largestEntry(m: Matrix, row: number): number {
  let best = 0;
  for (let j = 1; j < m.cols; j++) if (Math.abs(m.data[row * m.cols + j]) > Math.abs(m.data[row * m.cols + best])) best = j;
  return best;
}

function vectorNorm(v: Float64Array): number {
  return rowNorms(new Matrix(1, v.length, v))[0];
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
    const norm = norms[i], inv = 1 / norm;
    const o = i * d;
    if (hasExactReciprocal(inv)) for (let j = 0; j < d; j++) out[o + j] = x.data[o + j] * inv;
    else unitRowScaled(x.data, o, d, out);
  }
  return new Matrix(x.rows, d, out);
}

/**
 * out[o..o+d) = x/‖x‖ computed as (x/max|x|)/‖x/max|x|‖: for rows whose norm is subnormal (its
 * digits are gone: [5e-324, 5e-324] has "norm" 5e-324 and would become [1, 1]) or huge.
 */
function unitRowScaled(x: Float64Array, o: number, d: number, out: Float64Array): void {
  let amax = 0;
  for (let j = 0; j < d; j++) amax = Math.max(amax, Math.abs(x[o + j]));
  let s = 0;
  for (let j = 0; j < d; j++) {
    const v = x[o + j] / amax;
    out[o + j] = v;
    s += v * v;
  }
  const n = Math.sqrt(s);
  for (let j = 0; j < d; j++) out[o + j] /= n;
}

/**
 * Centre on the anchor mean then L2-normalise: step (1) of IRP in the paper (§4, experimental
 * setting). `centre` is the anchors' `SpaceStats` (or just their mean). A row equal to the mean up
 * to rounding has no direction: its centred norm is then a few ulps of the magnitudes that were
 * subtracted — the row's own, the mean's and (with stats) the anchors', whose rounding the mean
 * carries — and it is a ZeroNormError rather than a unit vector of noise.
 */
export function centerAndNormalize(x: Matrix, centre: SpaceStats | Float64Array, name: string): Matrix {
  const mean = centre instanceof Float64Array ? centre : centre.mean;
  const magnitude = centre instanceof Float64Array ? 0 : centre.magnitude ?? 0;
  assertCols(x, mean.length, name);
  const meanNorm = vectorNorm(mean);
  const rowScale = rowNorms(x);
  const zeroBelow = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) zeroBelow[i] = AT_MEAN * (rowScale[i] + meanNorm + magnitude);
  return normalizeRows(center(x, mean), name, " after centring on the anchor mean", zeroBelow);
}

/**
 * `centerAndNormalize` written into `out` (x.rows·x.cols entries, row-major) instead of a new
 * matrix — a product kernel's input buffer (`productWithRows`), which saves two full-size arrays
 * and a copy. Into a Float64Array the values are those of `centerAndNormalize`, bit for bit (the
 * same operations in the same order, row by row); into a Float32Array they are those values
 * rounded to float32. A row it would refuse makes it throw the very error `centerAndNormalize`
 * throws (it is then called to say which); a NaN or ±Infinity entry anywhere in x, `assertFinite`'s
 * (so a caller may skip that check up front: `toMatrix(x, name, { finite: false })`).
 */
export function centerAndNormalizeInto(x: Matrix, centre: SpaceStats, name: string, out: Float64Array | Float32Array): void {
  const mean = centre.mean, d = x.cols;
  assertCols(x, mean.length, name);
  const meanNorm = vectorNorm(mean), magnitude = centre.magnitude ?? 0;
  const row = out instanceof Float64Array ? null : new Float64Array(d);
  const dst = row ?? (out as Float64Array);
  for (let i = 0; i < x.rows; i++) {
    const o = i * d, at = row ? 0 : o;
    // Centring and the centred row's Σv² in one pass (rowNorm's sum, term for term).
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = x.data[o + j] - mean[j];
      dst[at + j] = v;
      s += v * v;
    }
    const norm = normOfSquares(s, dst, at, d);
    // The refusal threshold needs ‖x_i‖ only near it: ‖x_i‖ ≤ ‖x_i − mean‖ + ‖mean‖ (to rounding far
    // below the factor 2), so a row above 2·AT_MEAN·(norm + 2‖mean‖ + magnitude) passes for sure.
    const surelyAbove = norm > 2 * AT_MEAN * (norm + 2 * meanNorm + magnitude);
    if (!(norm > 0) || (!surelyAbove && norm <= AT_MEAN * (rowNorm(x.data, o, d) + meanNorm + magnitude))) {
      // A row holding NaN (norm NaN) or ±Infinity (norm and rowNorm Infinity) lands here too. Any
      // non-finite entry of x is reported first, as by a check up front, naming the first one.
      assertFinite(x, name);
      centerAndNormalize(x, centre, name); // throws the error for the first refused row
      throw new ZeroNormError(name, i, " after centring on the anchor mean");
    }
    const inv = 1 / norm;
    if (hasExactReciprocal(inv)) for (let j = 0; j < d; j++) dst[at + j] *= inv;
    else unitRowScaled(dst, at, d, dst);
    if (row) out.set(row, o);
  }
}

/**
 * (x − mean) / meanNorm: one scale factor for the whole space (the orthogonal Procrustes baseline's
 * normalisation), unlike `centerAndNormalize`, which normalises every row.
 */
export function centerAndScale(x: Matrix, stats: SpaceStats): Matrix {
  const out = center(x, stats.mean);
  const f = 1 / stats.meanNorm;
  if (hasExactReciprocal(f)) for (let i = 0; i < out.data.length; i++) out.data[i] *= f;
  else for (let i = 0; i < out.data.length; i++) out.data[i] /= stats.meanNorm;
  return out;
}

/**
 * Whether multiplying by the reciprocal 1/n is as good as dividing by n: not when n is subnormal
 * (1/n = Infinity) nor when n ≳ 4.5e307 (1/n is subnormal and has lost digits; entries near
 * 1.8e308 gave "unit" rows of norm 1.41). Ordinary norms multiply, bit for bit as before.
 */
function hasExactReciprocal(inv: number): boolean {
  return inv < Infinity && inv >= 2.2250738585072014e-308;
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
 * brought to unit norm (the decoder's scale is not meaningful, §3.4); a row decoded as zero — exactly,
 * or up to `zeroBelow` (the rounding level of the decoding product) — has no direction and is mapped
 * to the centre itself rather than to a direction of rounding noise. With `finite`, a result beyond
 * float64 is `assertFiniteResult(result, finite.name, finite.what)`'s error.
 */
export function denormalize(y: Matrix, stats: SpaceStats, zeroBelow = 0, finite?: { name: string; what: string }): Matrix {
  const out = new Float64Array(y.data.length);
  const d = y.cols;
  const norms = rowNorms(y);
  // With `finite`, the result is checked in the same pass: v·0 is 0 for every finite v, NaN otherwise.
  let nonFinite = 0;
  for (let i = 0; i < y.rows; i++) {
    const f = norms[i] > zeroBelow ? stats.meanNorm / norms[i] : 0;
    const o = i * d;
    for (let j = 0; j < d; j++) {
      const v = y.data[o + j] * f + stats.mean[j];
      out[o + j] = v;
      nonFinite += v * 0;
    }
  }
  const result = new Matrix(y.rows, d, out);
  if (finite && nonFinite !== 0) assertFiniteResult(result, finite.name, finite.what); // names the first bad entry
  return result;
}
