import { ShapeMismatchError } from "../errors";
import { Matrix, assertFiniteEntries } from "./matrix";
import { matmul } from "./product";
import { pinvWithInfo, type PinvOptions } from "./pinv";

/** Minimum-norm least-squares solution W of A·W ≈ B, through the pseudo-inverse of A. */
export function lstsq(a: Matrix, b: Matrix, options: PinvOptions = {}): { solution: Matrix; rank: number; cond: number } {
  if (a.rows !== b.rows) {
    throw new ShapeMismatchError("b", `expected ${a.rows} rows like a, got ${b.rows}`);
  }
  assertFiniteEntries(b, "b");
  const info = pinvWithInfo(a, options);
  const solution = matmul(info.pinv, b);
  assertFiniteEntries(solution, "b", "the least-squares solution overflows float64 (rescale a or b)");
  return { solution, rank: info.rank, cond: info.condKept };
}
