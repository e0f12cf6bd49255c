/** Argument checks shared by the figure builders (typed errors that name the argument at fault). */
import { InvalidParameterError, ShapeMismatchError } from "../errors";

/** z must be a non-empty rectangular array of rows; returns [rows, cols]. NaN/null cells are allowed (gaps). */
export function checkGrid(z: ArrayLike<ArrayLike<number | null>>, argument = "z"): [number, number] {
  if (z === null || typeof z !== "object" || typeof z.length !== "number" || z.length === 0) {
    throw new ShapeMismatchError(argument, "expected a non-empty array of rows");
  }
  const cols = z[0]?.length;
  if (typeof cols !== "number" || cols === 0) {
    throw new ShapeMismatchError(argument, "expected non-empty rows");
  }
  for (let i = 0; i < z.length; i++) {
    const row = z[i];
    if (row === null || typeof row !== "object" || row.length !== cols) {
      throw new ShapeMismatchError(argument, `expected every row to have ${cols} values (row 0 has), row ${i} has ${row?.length ?? "none"}`);
    }
    for (let j = 0; j < cols; j++) {
      const v = row[j];
      if (v !== null && typeof v !== "number") {
        throw new InvalidParameterError(argument, `expected numbers (NaN or null for an empty cell), found ${typeof v} at row ${i}, column ${j}`);
      }
    }
  }
  return [z.length, cols];
}

export function checkLabels(labels: ArrayLike<number | string>, expected: number, argument: string, what: string): void {
  if (labels === null || typeof labels !== "object" || typeof labels.length !== "number") {
    throw new InvalidParameterError(argument, `expected an array of ${expected} labels (${what})`);
  }
  if (labels.length !== expected) {
    throw new ShapeMismatchError(argument, `expected ${expected} labels (${what}), got ${labels.length}`);
  }
}

export function checkSameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>, argA: string, argB: string): void {
  if (a.length !== b.length) {
    throw new ShapeMismatchError(argB, `expected ${a.length} values (as many as ${argA}), got ${b.length}`);
  }
}

export function checkPositiveInteger(v: number, argument: string): void {
  if (!Number.isInteger(v) || v < 1) {
    throw new InvalidParameterError(argument, `expected a positive integer, got ${v}`);
  }
}

export function checkNonEmpty(a: ArrayLike<unknown>, argument: string, what = "at least one entry"): void {
  if (a === null || typeof a !== "object" || typeof a.length !== "number" || a.length === 0) {
    throw new InvalidParameterError(argument, `expected ${what}`);
  }
}

/** Plain finite number or null (what plotly treats as a gap), from a possibly non-finite number. */
export function finiteOrNull(v: number | null | undefined): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** Labels as category strings (plotly category axes match annotations and ticks by string). */
export function categoryLabels(labels: ArrayLike<number | string>): string[] {
  return Array.from(labels, (l) => String(l));
}
