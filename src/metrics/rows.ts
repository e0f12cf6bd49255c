/**
 * Argument checks and row helpers shared by the metrics (metrics.ts, retrieval.ts): matrices or rows
 * as nested arrays, finite values, equal shapes, unit rows computed without overflow or underflow.
 */
import { InvalidParameterError, NonFiniteError, ShapeMismatchError, ZeroNormError } from "../errors";
import { Matrix } from "../linalg/matrix";
import { assertFinite, type MatrixInput } from "../validate";

export const assertFiniteMatrix = assertFinite;

/** A Matrix argument, or rows as nested arrays (converted, naming `name` in any error); empty is allowed here. */
export function matrixArg(x: MatrixInput, name: string): Matrix {
  if (x instanceof Matrix) return x;
  if (x === null || typeof x !== "object") {
    throw new InvalidParameterError(name, `expected a Matrix or an array of rows, got ${x === null ? "null" : typeof x}`);
  }
  return Matrix.from(x, name);
}

export function vectorArg(x: ArrayLike<number>, name: string): ArrayLike<number> {
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
export function powerOfTwoScaled(v: ArrayLike<number>): ArrayLike<number> {
  let amax = 0;
  for (let i = 0; i < v.length; i++) amax = Math.max(amax, Math.abs(v[i]));
  if (amax === 0 || (amax >= 2 ** -500 && amax <= 2 ** 500)) return v;
  const e = -Math.round(Math.log2(amax));
  const f1 = 2 ** Math.trunc(e / 2), f2 = 2 ** (e - Math.trunc(e / 2));
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] * f1 * f2;
  return out;
}

export function powerOfTwoScaledMatrix(m: Matrix): Matrix {
  const d = powerOfTwoScaled(m.data);
  return d === m.data ? m : new Matrix(m.rows, m.cols, d as Float64Array);
}

/** Vectors are reported as a single column: row = index, column = 0. */
export function assertFiniteVector(x: ArrayLike<number>, name: string): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (typeof v !== "number" || !Number.isFinite(v)) throw new NonFiniteError(name, i, 0, v);
  }
}

export function assertSameShape(a: Matrix, b: Matrix, nameA: string, nameB: string): void {
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
export function unitRows(m: Matrix, name: string): Matrix {
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

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
