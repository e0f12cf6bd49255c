import { InvalidParameterError, NonFiniteError, ShapeMismatchError } from "../errors";

/**
 * A dense, row-major matrix of doubles. Element (i, j) lives at `data[i * cols + j]`.
 * Kept deliberately small: the algorithms are free functions that take and return Matrices.
 */
export class Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;

  constructor(rows: number, cols: number, data?: Float64Array) {
    if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
      throw new InvalidParameterError("shape", `expected non-negative integers, got ${rows}×${cols}`);
    }
    if (data !== undefined && data.length !== rows * cols) {
      throw new ShapeMismatchError("data", `expected ${rows * cols} values for ${rows}×${cols}, got ${data.length}`);
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data ?? new Float64Array(rows * cols);
  }

  /**
   * Builds a matrix from nested arrays (rows of equal length). Every entry must be a number: null,
   * booleans, strings and bigints are refused (naming `name`, the row and the column) rather than
   * coerced to 0, 1 or whatever `Number()` makes of them.
   */
  static from(values: ArrayLike<ArrayLike<number>>, name = "values"): Matrix {
    if (!isArrayLike(values)) {
      throw new InvalidParameterError(name, `expected an array of rows, got ${describeEntry(values)}`);
    }
    const rows = values.length;
    const first = rows === 0 ? undefined : values[0];
    if (rows > 0 && !isArrayLike(first)) {
      throw new InvalidParameterError(
        name,
        `expected an array of rows (arrays of numbers), but row 0 is ${describeEntry(first)}; wrap one vector as [[…]], or use Matrix.fromFlat(rows, cols, values) for a flat row-major array`,
      );
    }
    const cols = rows === 0 ? 0 : (first as ArrayLike<number>).length;
    const m = new Matrix(rows, cols);
    for (let i = 0; i < rows; i++) {
      const r = values[i];
      if (!isArrayLike(r)) {
        throw new InvalidParameterError(name, `expected an array of rows (arrays of numbers), but row ${i} is ${describeEntry(r)}`);
      }
      if (r.length !== cols) {
        throw new ShapeMismatchError(name, `row ${i} has ${r.length} values, row 0 has ${cols}`);
      }
      for (let j = 0; j < cols; j++) {
        const v = r[j];
        if (typeof v !== "number") {
          throw new InvalidParameterError(name, `expected numbers, found ${describeEntry(v)} at row ${i}, column ${j}`);
        }
        m.data[i * cols + j] = v;
      }
    }
    return m;
  }

  /** Wraps (without copying) a flat row-major buffer; any numeric typed array is converted to Float64. */
  static fromFlat(rows: number, cols: number, values: ArrayLike<number>): Matrix {
    const data = values instanceof Float64Array ? values : Float64Array.from(values);
    return new Matrix(rows, cols, data);
  }

  static zeros(rows: number, cols: number): Matrix {
    return new Matrix(rows, cols);
  }

  static identity(n: number, m = n): Matrix {
    const out = new Matrix(n, m);
    for (let i = 0; i < Math.min(n, m); i++) out.data[i * m + i] = 1;
    return out;
  }

  get shape(): [number, number] {
    return [this.rows, this.cols];
  }

  get(i: number, j: number): number {
    return this.data[i * this.cols + j];
  }

  set(i: number, j: number, v: number): void {
    this.data[i * this.cols + j] = v;
  }

  /** A view (no copy) of row i. */
  row(i: number): Float64Array {
    return this.data.subarray(i * this.cols, (i + 1) * this.cols);
  }

  clone(): Matrix {
    return new Matrix(this.rows, this.cols, this.data.slice());
  }

  toArrays(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.row(i)));
    return out;
  }
}

function isArrayLike(x: unknown): x is ArrayLike<unknown> {
  return x !== null && typeof x === "object" && typeof (x as ArrayLike<unknown>).length === "number";
}

/** How an unexpected value reads in an error message: `null`, `a string ("3")`, `a boolean (true)`… */
export function describeEntry(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (typeof v === "string") return `a string (${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)})`;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return `a ${typeof v} (${String(v)})`;
  if (Array.isArray(v)) return "an array";
  return `a ${typeof v}`;
}

export function transpose(a: Matrix): Matrix {
  const { rows, cols, data } = a;
  const out = new Float64Array(rows * cols);
  // Blocked so both the reads and the writes stay within a few cache lines.
  const B = 32;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(i0 + B, rows);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(j0 + B, cols);
      for (let i = i0; i < i1; i++) {
        const ri = i * cols;
        for (let j = j0; j < j1; j++) out[j * rows + i] = data[ri + j];
      }
    }
  }
  return new Matrix(cols, rows, out);
}

/** Rows `indices` of `a`, in that order. */
export function selectRows(a: Matrix, indices: ArrayLike<number>): Matrix {
  const out = new Matrix(indices.length, a.cols);
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r];
    if (!Number.isInteger(i) || i < 0 || i >= a.rows) {
      throw new InvalidParameterError("indices", `row index ${i} is outside 0..${a.rows - 1}`);
    }
    out.data.set(a.row(i), r * a.cols);
  }
  return out;
}

/** The rows and the columns `indices` of the square `a`, in that order: a[indices, indices]. */
export function principalSubmatrix(a: Matrix, indices: ArrayLike<number>): Matrix {
  if (a.rows !== a.cols) throw new ShapeMismatchError("a", `expected a square matrix, got ${a.rows}×${a.cols}`);
  const rows = selectRows(a, indices), k = indices.length, n = a.cols;
  const out = new Matrix(k, k);
  for (let r = 0; r < k; r++) for (let c = 0; c < k; c++) out.data[r * k + c] = rows.data[r * n + indices[c]];
  return out;
}

/** Columns `[start, end)` of `a`. */
export function sliceCols(a: Matrix, start: number, end: number): Matrix {
  const w = end - start;
  const out = new Matrix(a.rows, w);
  for (let i = 0; i < a.rows; i++) out.data.set(a.data.subarray(i * a.cols + start, i * a.cols + end), i * w);
  return out;
}

/** `a` with zero columns appended up to `cols` columns (used to compare spaces of different sizes). */
export function padCols(a: Matrix, cols: number): Matrix {
  if (cols < a.cols) throw new InvalidParameterError("cols", `cannot pad ${a.cols} columns down to ${cols}`);
  if (cols === a.cols) return a.clone();
  const out = new Matrix(a.rows, cols);
  for (let i = 0; i < a.rows; i++) out.data.set(a.row(i), i * cols);
  return out;
}

export function add(a: Matrix, b: Matrix): Matrix {
  assertSameShape(a, b, "b");
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = a.data[i] + b.data[i];
  return new Matrix(a.rows, a.cols, out);
}

export function sub(a: Matrix, b: Matrix): Matrix {
  assertSameShape(a, b, "b");
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = a.data[i] - b.data[i];
  return new Matrix(a.rows, a.cols, out);
}

export function scale(a: Matrix, s: number): Matrix {
  const out = new Float64Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = a.data[i] * s;
  return new Matrix(a.rows, a.cols, out);
}

/** In place: a += s * b. */
export function addScaledInPlace(a: Matrix, b: Matrix, s: number): void {
  assertSameShape(a, b, "b");
  const ad = a.data, bd = b.data;
  for (let i = 0; i < ad.length; i++) ad[i] += s * bd[i];
}

export function frobeniusNorm(a: Matrix): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += a.data[i] * a.data[i];
  return s >= SQUARES_UNDERFLOW && s < Infinity ? Math.sqrt(s) : scaledNorm(a.data, 0, a.data.length);
}

export function maxAbsDiff(a: Matrix, b: Matrix): number {
  assertSameShape(a, b, "b");
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

/**
 * Mean of the rows: a 1×cols vector. A column whose plain sum overflows (entries near ±1.8e308) is
 * summed again as Σ x/n, which cannot overflow; other columns keep the plain sum, bit for bit.
 */
export function columnMeans(a: Matrix): Float64Array {
  const mean = new Float64Array(a.cols);
  for (let i = 0; i < a.rows; i++) {
    const off = i * a.cols;
    for (let j = 0; j < a.cols; j++) mean[j] += a.data[off + j];
  }
  for (let j = 0; j < a.cols; j++) {
    mean[j] /= a.rows;
    if (!Number.isFinite(mean[j])) {
      let s = 0;
      for (let i = 0; i < a.rows; i++) s += a.data[i * a.cols + j] / a.rows;
      mean[j] = s;
    }
  }
  return mean;
}

/** Below this a sum of squares may have lost terms to underflow (2^-1022 is the smallest normal double). */
const SQUARES_UNDERFLOW = 2 ** -900;

/**
 * Row L2 norms, without overflow or underflow (as LAPACK's dnrm2): the plain Σx² is kept when it
 * lies in [2^-900, ∞) — every row of ordinary data, bit for bit — and a row whose squares overflow
 * (|x| ≳ 1e154) or underflow (|x| ≲ 1e-154) is computed again as max|x|·‖x/max|x|‖. A norm is
 * Infinity only when the true norm exceeds the largest double.
 */
export function rowNorms(a: Matrix): Float64Array {
  const out = new Float64Array(a.rows);
  for (let i = 0; i < a.rows; i++) out[i] = rowNorm(a.data, i * a.cols, a.cols);
  return out;
}

/** ‖data[off .. off+n)‖ as `rowNorms` computes each row's (the same bits). */
export function rowNorm(data: Float64Array, off: number, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += data[off + j] * data[off + j];
  return normOfSquares(s, data, off, n);
}

/** `rowNorm` given its sum of squares s = Σ_j data[off + j]² (summed in that order): for callers that form it on the fly. */
export function normOfSquares(s: number, data: Float64Array, off: number, n: number): number {
  return s >= SQUARES_UNDERFLOW && s < Infinity ? Math.sqrt(s) : scaledNorm(data, off, n);
}

/** ‖data[off .. off+n)‖ as max|x|·‖x/max|x|‖ (exact 0 for a zero vector; NaN if an entry is NaN). */
export function scaledNorm(data: ArrayLike<number>, off: number, n: number): number {
  let amax = 0;
  for (let j = 0; j < n; j++) {
    const v = Math.abs(data[off + j]);
    if (v > amax || v !== v) amax = v;
  }
  if (amax === 0 || !Number.isFinite(amax)) return amax;
  let s = 0;
  for (let j = 0; j < n; j++) {
    const v = data[off + j] / amax;
    s += v * v;
  }
  return amax * Math.sqrt(s);
}

/**
 * Throws a NonFiniteError naming `name` and the first NaN/±Infinity entry (with `expected` as the
 * message's first words: "expected finite numbers" for inputs, "… overflows float64" for results).
 */
export function assertFiniteEntries(m: Matrix, name: string, expected?: string): void {
  const d = m.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i])) throw new NonFiniteError(name, Math.floor(i / m.cols), i % m.cols, d[i], expected);
  }
}

export function assertSameShape(a: Matrix, b: Matrix, name: string): void {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new ShapeMismatchError(name, `expected shape ${a.rows}×${a.cols}, got ${b.rows}×${b.cols}`);
  }
}
