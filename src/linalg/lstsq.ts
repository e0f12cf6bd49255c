import { ShapeMismatchError } from "../errors";
import { Matrix, assertFiniteEntries } from "./matrix";
import { matmul } from "./product";
import { pinvWithInfo, type PinvOptions } from "./pinv";
import type { MatrixContentMemo } from "./contentMemo";

/** Minimum-norm least-squares solution W of A·W ≈ B, through the pseudo-inverse of A. */
export function lstsq(a: Matrix, b: Matrix, options: PinvOptions & { memo?: MatrixContentMemo } = {}): { solution: Matrix; rank: number; cond: number } {
  if (a.rows !== b.rows) {
    throw new ShapeMismatchError("b", `expected ${a.rows} rows like a, got ${b.rows}`);
  }
  assertFiniteEntries(b, "b");
  // pinv(A) depends on A alone: a memo shares it between right-hand sides (bit for bit the same).
  const pinvOf = () => pinvWithInfo(a, { rcond: options.rcond });
  const info = options.memo ? options.memo.get(a, `pinv rcond=${options.rcond}`, pinvOf, (p) => 8 * p.pinv.data.length) : pinvOf();
  const solution = matmul(info.pinv, b);
  assertFiniteEntries(solution, "b", "the least-squares solution overflows float64 (rescale a or b)");
  return { solution, rank: info.rank, cond: info.condKept };
}
