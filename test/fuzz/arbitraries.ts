/**
 * Shared set-up of the property-based fuzz suite (fast-check): the fixed seed, the number of runs
 * (`FUZZ_RUNS`, default 300 per property; the CLI property runs a quarter of it), and generators
 * of the inputs issue 13 is about — matrices with NaN/±Inf, zero and duplicate rows, constant rows,
 * extreme scales (1e±300), rank deficiency, tiny and wide shapes.
 *
 *   FUZZ_RUNS=5000 npx vitest run test/fuzz        # a long local run
 *   FUZZ_SEED=123 npx vitest run test/fuzz          # another fixed seed
 */
import fc from "fast-check";
import { expect } from "vitest";
import { LatentBridgeError } from "../../src/errors";
import { Matrix } from "../../src/linalg/matrix";
import { Random } from "../../src/linalg/random";

export const FUZZ_RUNS = Math.max(1, Number(process.env.FUZZ_RUNS ?? 300) || 300);
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261213) || 20261213;

/** fc.assert parameters: the fixed seed and `runs` cases (default FUZZ_RUNS). */
export function params(runs = FUZZ_RUNS): { seed: number; numRuns: number; endOnFailure: boolean } {
  return { seed: FUZZ_SEED, numRuns: runs, endOnFailure: true };
}

/** Vitest timeout of a property running `runs` cases of about `msPerCase` each (with a 5× margin). */
export function timeoutFor(runs: number, msPerCase: number): number {
  return Math.max(60_000, 5 * runs * msPerCase);
}

/** Entries a fuzzer plants into otherwise ordinary matrices. */
export const SPECIAL_VALUES = [NaN, Infinity, -Infinity, 0, -0, Number.MAX_VALUE, -Number.MAX_VALUE, 5e-324, 2.2250738585072014e-308, 1e300, -1e300, 1e-300];

/** Overall scales: ordinary, and the extremes where squares overflow or underflow. */
export const SCALES = [1, 1, 1, 1e-300, 1e-170, 1e-160, 1e-20, 1e20, 1e160, 1e200, 1e300, 1e307];

export type MatrixKind = "gaussian" | "lowRank" | "duplicateRows" | "zeroRows" | "constant" | "allZero" | "integers" | "offset";

export interface MatrixSpec {
  rows: number;
  cols: number;
  kind: MatrixKind;
  rank: number;
  scale: number;
  seed: number;
  /** [flat index (mod size), value] pairs planted after generation. */
  specials: [number, number][];
}

const KINDS: MatrixKind[] = ["gaussian", "gaussian", "lowRank", "duplicateRows", "zeroRows", "constant", "allZero", "integers", "offset"];

/** A matrix spec: shapes from 1×1 to tall (40 rows) or wide (300 columns). */
export function matrixSpec(o: { maxRows?: number; maxCols?: number; minRows?: number; specials?: boolean } = {}): fc.Arbitrary<MatrixSpec> {
  const maxRows = o.maxRows ?? 40, maxCols = o.maxCols ?? 300, minRows = o.minRows ?? 1;
  return fc.record({
    rows: fc.oneof(fc.integer({ min: minRows, max: Math.min(maxRows, 6) }), fc.integer({ min: minRows, max: maxRows })),
    cols: fc.oneof(fc.integer({ min: 1, max: Math.min(maxCols, 6) }), fc.integer({ min: 1, max: Math.min(maxCols, 24) }), fc.integer({ min: 1, max: maxCols })),
    kind: fc.constantFrom(...KINDS),
    rank: fc.integer({ min: 1, max: 4 }),
    scale: fc.constantFrom(...SCALES),
    seed: fc.nat(),
    specials: o.specials === false
      ? fc.constant([] as [number, number][])
      : fc.oneof(
        { weight: 3, arbitrary: fc.constant([] as [number, number][]) },
        { weight: 1, arbitrary: fc.array(fc.tuple(fc.nat(), fc.constantFrom(...SPECIAL_VALUES)), { minLength: 1, maxLength: 3 }) },
      ),
  });
}

/** Builds the matrix a spec describes (deterministic in the spec). */
export function buildMatrix(s: MatrixSpec, shape?: { rows?: number; cols?: number }): Matrix {
  const rows = shape?.rows ?? s.rows, cols = shape?.cols ?? s.cols;
  const rng = new Random(s.seed % 2 ** 32);
  const m = new Matrix(rows, cols);
  const d = m.data;
  switch (s.kind) {
    case "gaussian":
    case "zeroRows":
    case "duplicateRows":
    case "offset":
      for (let i = 0; i < d.length; i++) d[i] = rng.normal();
      break;
    case "lowRank": {
      const r = Math.min(s.rank, rows, cols);
      const a = Array.from({ length: rows * r }, () => rng.normal()), b = Array.from({ length: r * cols }, () => rng.normal());
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
        let v = 0;
        for (let q = 0; q < r; q++) v += a[i * r + q] * b[q * cols + j];
        d[i * cols + j] = v;
      }
      break;
    }
    case "constant": {
      const row = Array.from({ length: cols }, () => rng.normal());
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) d[i * cols + j] = row[j];
      break;
    }
    case "allZero":
      break;
    case "integers":
      for (let i = 0; i < d.length; i++) d[i] = rng.int(3) - 1;
      break;
  }
  if (s.kind === "zeroRows") for (let i = 0; i < rows; i += 2) d.fill(0, i * cols, (i + 1) * cols);
  if (s.kind === "duplicateRows" && rows > 1) for (let i = 1; i < rows; i += 2) d.copyWithin(i * cols, (i - 1) * cols, i * cols);
  if (s.kind === "offset") for (let i = 0; i < d.length; i++) d[i] = d[i] * 1e-9 + 1e3; // tiny spread around a large mean
  for (let i = 0; i < d.length; i++) d[i] *= s.scale;
  if (d.length > 0) for (const [at, v] of s.specials) d[at % d.length] = v;
  return m;
}

export const arbMatrix = (o?: Parameters<typeof matrixSpec>[0]): fc.Arbitrary<Matrix> => matrixSpec(o).map((s) => buildMatrix(s));

/**
 * Runs `f`: it must return (then `check` the result) or throw one of this library's typed errors
 * (a LatentBridgeError), within `maxMs`. Anything else — a TypeError, a RangeError, a crash — fails.
 */
export function returnsOrThrowsTyped<T>(f: () => T, check: (r: T) => void, maxMs = 5000): void {
  const t0 = performance.now();
  let result: T | undefined;
  let threw: unknown;
  let ok = false;
  try {
    result = f();
    ok = true;
  } catch (e) {
    threw = e;
  }
  const ms = performance.now() - t0;
  expect(ms, "returned within the time bound").toBeLessThan(maxMs);
  if (!ok) {
    if (!(threw instanceof LatentBridgeError)) throw threw;
    expect(threw.argument.length).toBeGreaterThan(0);
    return;
  }
  check(result as T);
}

/** Every entry of every matrix (or number) is finite. */
export function expectFinite(...values: (Matrix | ArrayLike<number> | number | undefined)[]): void {
  for (const v of values) {
    if (v === undefined) continue;
    if (typeof v === "number") {
      expect(Number.isFinite(v), `finite number, got ${v}`).toBe(true);
      continue;
    }
    const data = v instanceof Matrix ? v.data : v;
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) expect.fail(`non-finite ${data[i]} at flat index ${i}`);
  }
}

/** A copy of the inputs' data, to check afterwards that nothing modified them. */
export function snapshot(...ms: Matrix[]): Float64Array[] {
  return ms.map((m) => m.data.slice());
}

export function expectUnchanged(ms: Matrix[], before: Float64Array[]): void {
  ms.forEach((m, i) => {
    const a = m.data, b = before[i];
    for (let j = 0; j < a.length; j++) if (!Object.is(a[j], b[j])) expect.fail(`input ${i} was modified at ${j}: ${b[j]} → ${a[j]}`);
  });
}
