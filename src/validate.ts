import { InvalidParameterError, ShapeMismatchError, TooFewAnchorsError, ZeroNormError } from "./errors";
import { Matrix, assertFiniteEntries, describeValue } from "./linalg/matrix";
import { checkSeed } from "./linalg/random";
export { SEED_MAX } from "./linalg/random";

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
  assertFiniteEntries(m, name);
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

export function assertInteger(value: number, name: string, min: number, max = Infinity): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Infinity ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new InvalidParameterError(name, `expected an integer ${range}, got ${describe(value)}`);
  }
}

/**
 * A seed: an integer in [0, 2^32 − 1] (numpy's `RandomState` range), returned as is. `Random` seeds
 * its state from 32 bits, so a larger or negative seed would silently alias another one (2^32 ≡ 0);
 * it is refused instead. The range and the check live with the generator (`checkSeed`).
 */
export function assertSeed(value: unknown, name = "seed"): number {
  return checkSeed(value, name);
}

/**
 * Checks an options object: undefined means "all defaults"; anything else must be a plain object
 * whose keys are all in `allowed` (a misspelt `{ omgea: 3 }` is an error naming the key, not a
 * silently ignored option). Returns the options (or {}) for destructuring.
 */
export function checkOptions<T extends object>(options: T | undefined, allowed: readonly string[], name = "options"): Partial<T> {
  if (options === undefined) return {};
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new InvalidParameterError(name, `expected an object of options (or nothing), got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      const near = allowed.find((a) => editDistance(a, key) <= 2);
      throw new InvalidParameterError(
        key,
        `unknown option${near ? ` (did you mean ${near}?)` : ""}; the options are ${allowed.join(", ")}`,
      );
    }
  }
  return options;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = t;
    }
  }
  return row[b.length];
}

/** A value as an error message shows it: numbers as themselves, anything else with its type. */
function describe(v: unknown): string {
  return typeof v === "number" ? String(v) : describeValue(v);
}

/** δ, the farthest-point-sampling stop threshold on the 1−|cos| distance. */
export function assertDelta(delta: number, name = "delta"): void {
  if (typeof delta !== "number" || !Number.isFinite(delta) || delta < 0 || delta >= 1) {
    throw new InvalidParameterError(name, `expected a number in [0, 1), got ${describe(delta)}`);
  }
}

/**
 * A translated matrix must be finite: a product or rescaling can overflow float64 even when every
 * input is finite (inputs near 1e300, target anchors of huge norm). `name` is the input at fault.
 */
export function assertFiniteResult(y: Matrix, name: string, what: string): Matrix {
  assertFiniteEntries(y, name, `${what} overflows float64 (the inputs or the target anchors are too large in magnitude; rescale them)`);
  return y;
}

export function assertNonZeroRows(norms: Float64Array, name: string, detail = ""): void {
  for (let i = 0; i < norms.length; i++) {
    if (!(norms[i] > 0)) throw new ZeroNormError(name, i, detail);
  }
}
