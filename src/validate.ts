import {
  InvalidParameterError, NonFiniteError, ShapeMismatchError, TooFewAnchorsError, ZeroNormError,
} from "./errors";
import { Matrix } from "./linalg/matrix";

/** What public functions accept as a matrix: our Matrix, or rows as nested arrays. */
export type MatrixInput = Matrix | ArrayLike<ArrayLike<number>>;

/** Converts and checks a user-supplied matrix: rectangular, non-empty, finite. */
export function toMatrix(x: MatrixInput, name: string): Matrix {
  let m: Matrix;
  if (x instanceof Matrix) m = x;
  else if (x !== null && typeof x === "object" && typeof (x as ArrayLike<unknown>).length === "number") m = Matrix.from(x, name);
  else throw new InvalidParameterError(name, `expected a Matrix or an array of rows, got ${typeof x}`);
  if (m.rows === 0 || m.cols === 0) {
    throw new ShapeMismatchError(name, `expected a non-empty matrix, got ${m.rows}×${m.cols}`);
  }
  assertFinite(m, name);
  return m;
}

export function assertFinite(m: Matrix, name: string): void {
  const d = m.data;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i])) {
      throw new NonFiniteError(name, Math.floor(i / m.cols), i % m.cols, d[i]);
    }
  }
}

export function assertCols(m: Matrix, cols: number, name: string, what = "the fitted dimension"): void {
  if (m.cols !== cols) {
    throw new ShapeMismatchError(name, `expected ${cols} columns (${what}), got ${m.cols}`);
  }
}

/** Anchors of the two spaces must be the same items: same count, at least `min` of them. */
export function assertParallelAnchors(ax: Matrix, ay: Matrix, min: number): void {
  if (ax.rows !== ay.rows) {
    throw new ShapeMismatchError(
      "anchorsY",
      `anchor counts differ between spaces: anchorsX has ${ax.rows} rows, anchorsY has ${ay.rows}; anchors must be the same items embedded in both spaces`,
    );
  }
  if (ax.rows < min) {
    throw new TooFewAnchorsError("anchorsX", `expected at least ${min} anchors, got ${ax.rows}`);
  }
}

export function assertInteger(value: number, name: string, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new InvalidParameterError(name, `expected an integer ≥ ${min}, got ${value}`);
  }
}

/** δ, the farthest-point-sampling stop threshold on the 1−|cos| distance. */
export function assertDelta(delta: number, name = "delta"): void {
  if (typeof delta !== "number" || !Number.isFinite(delta) || delta < 0 || delta >= 1) {
    throw new InvalidParameterError(name, `expected a number in [0, 1), got ${delta}`);
  }
}

export function assertNonZeroRows(norms: Float64Array, name: string, detail = ""): void {
  for (let i = 0; i < norms.length; i++) {
    if (!(norms[i] > 0)) throw new ZeroNormError(name, i, detail);
  }
}
