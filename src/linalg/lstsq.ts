import { ShapeMismatchError } from "../errors";
import { Matrix } from "./matrix";
import { matmul } from "./product";
import { pinvWithInfo, type PinvOptions } from "./pinv";

/** Minimum-norm least-squares solution W of A·W ≈ B, through the pseudo-inverse of A. */
export function lstsq(a: Matrix, b: Matrix, options: PinvOptions = {}): { solution: Matrix; rank: number; cond: number } {
  if (a.rows !== b.rows) {
    throw new ShapeMismatchError("b", `expected ${a.rows} rows like a, got ${b.rows}`);
  }
  const info = pinvWithInfo(a, options);
  return { solution: matmul(info.pinv, b), rank: info.rank, cond: info.condKept };
}
