import { InvalidParameterError, ShapeMismatchError, TooFewAnchorsError, ZeroNormError } from "./errors";
import { Matrix, assertFiniteEntries, describeEntry } from "./linalg/matrix";
import { checkSeed } from "./linalg/random";
import { MatrixContentMemo } from "./linalg/contentMemo";
import { PRECISIONS, type Precision } from "./linalg/product";
export { SEED_MAX } from "./linalg/random";

/** What public functions accept as a matrix: our Matrix, or rows as nested arrays. */
export type MatrixInput = Matrix | ArrayLike<ArrayLike<number>>;

/** Converts and checks a user-supplied matrix: rectangular, non-empty, finite. */
/**
 * `x` as a non-empty Matrix of finite numbers. `finite: false` leaves the finiteness check to the
 * caller — for a caller whose first pass over the data detects a non-finite entry anyway and then
 * calls `assertFinite` (IRP's transform: `centerAndNormalizeInto`), saving a pass.
 */
export function toMatrix(x: MatrixInput, name: string, options: { finite?: boolean } = {}): Matrix {
  let m: Matrix;
  if (x instanceof Matrix) m = x;
  else if (x !== null && typeof x === "object" && typeof (x as ArrayLike<unknown>).length === "number") m = Matrix.from(x, name);
  else throw new InvalidParameterError(name, `expected a Matrix or an array of rows, got ${typeof x}`);
  if (m.rows === 0 || m.cols === 0) {
    throw new ShapeMismatchError(name, `expected a non-empty matrix, got ${m.rows}×${m.cols}`);
  }
  if (options.finite !== false) assertFinite(m, name);
  return m;
}

/**
 * `x` as a Matrix (our class, or an object of its shape: integer rows and cols and a row-major
 * Float64Array of rows·cols values) holding only finite numbers. Unlike `toMatrix`, nested arrays
 * are refused: for functions whose callers already hold matrices (heads, evaluators).
 */
export function assertMatrix(x: unknown, name: string): Matrix {
  const m = x as Matrix | null | undefined;
  if (
    m === null || m === undefined || typeof m !== "object" || !Number.isInteger(m.rows) || !Number.isInteger(m.cols) ||
    !(m.data instanceof Float64Array) || m.data.length !== m.rows * m.cols
  ) {
    throw new InvalidParameterError(name, `expected a Matrix (rows × cols, row-major Float64Array), got ${describeValue(x)}`);
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

/** A `memo` option: absent, or a `MatrixContentMemo`. */
export function assertMemo(memo: MatrixContentMemo | undefined, name = "memo"): MatrixContentMemo | undefined {
  if (memo !== undefined && !((memo as unknown) instanceof MatrixContentMemo)) {
    throw new InvalidParameterError(name, `expected a MatrixContentMemo (new MatrixContentMemo()), got ${describe(memo)}`);
  }
  return memo;
}

/** Anchors of the two spaces must be the same items: same count, at least `min` of them. */
export function assertParallelAnchors(ax: Matrix, ay: Matrix, min: number, xName = "anchorsX", yName = "anchorsY"): void {
  if (ax.rows !== ay.rows) {
    throw new ShapeMismatchError(
      yName,
      `anchor counts differ between spaces: ${xName} has ${ax.rows} rows, ${yName} has ${ay.rows}; anchors must be the same items embedded in both spaces`,
    );
  }
  if (ax.rows < min) {
    throw new TooFewAnchorsError(xName, `expected at least ${min} anchors, got ${ax.rows}`);
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
  return typeof v === "number" ? String(v) : describeEntry(v);
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

// ---------------------------------------------------------------------------------------------
// Parameter domains shared by the estimators, the experiment layer and the CLI.

/** Whose anchors farthest point sampling prunes (IRP's `prune`). */
export type PruneSide = "source" | "target";
export const PRUNE_SIDES: readonly PruneSide[] = ["source", "target"];

/** `value` as one of `allowed` (strings), or an InvalidParameterError listing them. */
export function assertOneOf<T extends string>(value: unknown, allowed: readonly T[], name: string): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    const expected = allowed.length === 2 ? `"${allowed[0]}" or "${allowed[1]}"` : `one of ${allowed.map((a) => `"${a}"`).join(", ")}`;
    throw new InvalidParameterError(name, `expected ${expected}, got ${typeof value === "string" ? JSON.stringify(value) : String(value)}`);
  }
  return value as T;
}

export function assertPruneSide(value: unknown, name = "prune"): PruneSide {
  if (value !== "source" && value !== "target") {
    throw new InvalidParameterError(name, `expected "source" or "target", got ${String(value)}`);
  }
  return value;
}

/** A product's arithmetic (`Precision` in linalg/product.ts): "float64" (undefined) or "float32". */
export function assertPrecision(value: unknown, name = "precision"): Precision {
  return value === undefined ? "float64" : assertOneOf(value, PRECISIONS, name);
}

/** The pseudo-inverse's relative cut-off: undefined (numpy's default) or a finite number ≥ 0. */
export function assertRcond(value: unknown, name = "rcond"): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !(value >= 0 && Number.isFinite(value))) {
    throw new InvalidParameterError(name, `expected a finite number ≥ 0, got ${String(value)}`);
  }
  return value;
}

/** IRP's ridge λ: a finite number ≥ 0 (0 is the plain pseudo-inverse). */
export function assertRidge(value: unknown, name = "ridge"): number {
  if (typeof value !== "number" || !(value >= 0 && Number.isFinite(value))) {
    throw new InvalidParameterError(name, `expected a finite number ≥ 0 (λ of the ridge-regularised inverse), got ${String(value)}`);
  }
  return value;
}

/** A non-empty list of distinct seeds. */
export function checkSeeds(seeds: unknown, name = "seeds"): number[] {
  if (!Array.isArray(seeds) || seeds.length === 0) throw new InvalidParameterError(name, "expected a non-empty array of integer seeds");
  seeds.forEach((s, i) => assertSeed(s, `${name}[${i}]`));
  if (new Set(seeds).size !== seeds.length) throw new InvalidParameterError(name, `seeds must be distinct, got [${seeds.join(", ")}]`);
  return seeds as number[];
}

/** A non-empty list of distinct values, each passing `check(value, "name[i]")` (a grid axis: ω, δ…). */
export function checkDistinctValues(values: unknown, name: string, check: (v: number, name: string) => void): number[] {
  if (!Array.isArray(values) || values.length === 0) throw new InvalidParameterError(name, "expected a non-empty array");
  values.forEach((v, i) => check(v as number, `${name}[${i}]`));
  if (new Set(values).size !== values.length) throw new InvalidParameterError(name, `values must be distinct, got [${values.join(", ")}]`);
  return values as number[];
}

export function assertBoolean(value: unknown, name: string): boolean {
  if (typeof value !== "boolean") throw new InvalidParameterError(name, `expected a boolean, got ${String(value)}`);
  return value;
}

/** How a value that should have been a matrix or an array is described in an error. */
export function describeValue(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array (wrap nested arrays with Matrix.from)";
  return typeof x;
}

/**
 * Class labels as Int32Array: one per row, integers ≥ 0, and < numClasses when that is given.
 * @throws InvalidParameterError (not an array, non-integer, out of range) or ShapeMismatchError
 *   (wrong count), naming `name`; `what` says what the count follows ("row of x", "item").
 */
export function checkLabels(labels: unknown, rows: number, name: string, options: { numClasses?: number; what?: string } = {}): Int32Array {
  const l = labels as ArrayLike<unknown> | null | undefined;
  if (l === null || l === undefined || typeof l !== "object" || typeof l.length !== "number") {
    throw new InvalidParameterError(name, `expected an array of integer class labels, got ${describeValue(labels)}`);
  }
  if (l.length !== rows) {
    throw new ShapeMismatchError(name, `expected ${rows} labels (one per ${options.what ?? "row of x"}), got ${l.length}`);
  }
  const { numClasses } = options;
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = l[i];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
      throw new InvalidParameterError(name, `labels must be integers ≥ 0 (class indices); element ${i} is ${String(v)}`);
    }
    if (numClasses !== undefined && v >= numClasses) {
      throw new InvalidParameterError(name, `element ${i} is ${v}, outside the ${numClasses} classes 0..${numClasses - 1}`);
    }
    out[i] = v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Fields of the trained encoders' and heads' specs.

/** Names that go into file names and cache keys: letters, digits, '.', '_', '+' or '-'. */
export const SAFE_NAME = /^[A-Za-z0-9._+-]+$/;

/** `value` as a non-empty name of letters, digits, '.', '_', '+' or '-' (safe in file names and cache keys). */
export function assertSafeName(value: unknown, name: string): string {
  if (typeof value !== "string" || !SAFE_NAME.test(value)) {
    throw new InvalidParameterError(name, `expected a name of letters, digits, '.', '_', '+' or '-', got ${JSON.stringify(value)}`);
  }
  return value;
}

export function isPositiveInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1;
}

/** `value` as a finite number > 0 (a learning rate…). */
export function assertPositiveNumber(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new InvalidParameterError(name, `expected a finite number > 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * `value` as a number in [0, 1] with each end open or closed as `bounds` says ("[)": 0 ≤ v < 1, the
 * default; "()", "[]"): a fraction of training steps, a share of tokens, a floor. `what` names it
 * in the message ("a fraction of the steps").
 */
export function assertFraction(value: unknown, name: string, bounds: "[)" | "()" | "[]" = "[)", what = "a fraction"): number {
  const v = value as number;
  const inside = typeof value === "number" && (bounds[0] === "[" ? v >= 0 : v > 0) && (bounds[1] === "]" ? v <= 1 : v < 1);
  if (!inside) throw new InvalidParameterError(name, `expected ${what} in ${bounds[0]}0, 1${bounds[1]}, got ${describe(value)}`);
  return v;
}

/** A batch size: `value` (default `fallback` when undefined) as an integer ≥ 1. */
export function checkBatchSize(value: unknown, fallback: number, name = "batchSize"): number {
  const size = value ?? fallback;
  assertInteger(size as number, name, 1);
  return size as number;
}

/** A transformer layer: 0 (the embeddings) … depth (after block `depth`). */
export function assertLayerIndex(layer: unknown, depth: number, name = "layer"): number {
  if (typeof layer !== "number" || !Number.isInteger(layer) || layer < 0 || layer > depth) {
    throw new InvalidParameterError(name, `expected a layer in 0…${depth} (0 = embeddings, l = after block l), got ${describe(layer)}`);
  }
  return layer;
}

/** Something with `predict(x: Matrix)`: a trained head. */
export function assertPredictor<T extends { predict: unknown }>(head: T, name = "head"): T {
  if (head === null || typeof head !== "object" || typeof head.predict !== "function") {
    throw new InvalidParameterError(name, "expected a trained head with predict(x: Matrix) (e.g. a ClassificationHead)");
  }
  return head;
}

/** A non-empty list of factors, each a finite number > 0 (the α of a rescaling grid). */
export function checkFactors(values: unknown, name: string): number[] {
  if (!Array.isArray(values) || values.length === 0) throw new InvalidParameterError(name, "expected a non-empty array of factors > 0");
  values.forEach((v, i) => assertPositiveNumber(v, `${name}[${i}]`));
  return values as number[];
}
