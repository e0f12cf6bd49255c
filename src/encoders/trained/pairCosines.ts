/**
 * How well one space keeps translations together: parallel-pair against random-pair cosines of two
 * embeddings of the same items (e.g. the multilingual encoder's en and es embeddings of parallel
 * texts), and how often an item's nearest neighbour is its own translation.
 */
import { InvalidParameterError, ShapeMismatchError } from "../../errors";
import type { Matrix } from "../../linalg/matrix";
import { Random } from "../../linalg/random";

export interface PairCosines {
  /** Mean cosine of (a_i, b_i): translations of each other. */
  parallel: number;
  /** Mean cosine of (a_i, b_π(i)) for a seeded derangement π. */
  random: number;
  /** parallel − random. */
  margin: number;
  /** Fraction of a_i whose nearest b (cosine, among the pairs used) is b_i. */
  top1: number;
  /** Pairs used (rows where both embeddings are non-zero). */
  pairs: number;
}

/**
 * Parallel-pair vs random-pair cosines between two embeddings of the same items in ONE space
 * (e.g. the multilingual encoder's en and es embeddings of parallel texts). Rows that are zero in
 * either matrix (texts with no known term) are skipped.
 */
export function pairCosines(a: Matrix, b: Matrix, seed = 0): PairCosines {
  if (a.rows !== b.rows || a.cols !== b.cols) throw new ShapeMismatchError("b", `expected ${a.rows}×${a.cols} like a, got ${b.rows}×${b.cols}`);
  const keep: number[] = [];
  const unit = (m: Matrix, i: number): Float64Array | undefined => {
    const r = m.row(i);
    let s = 0;
    for (const v of r) s += v * v;
    if (!(s > 0)) return undefined;
    const inv = 1 / Math.sqrt(s);
    return r.map((v) => v * inv);
  };
  const ua: Float64Array[] = [], ub: Float64Array[] = [];
  for (let i = 0; i < a.rows; i++) {
    const x = unit(a, i), y = unit(b, i);
    if (x && y) {
      keep.push(i);
      ua.push(x);
      ub.push(y);
    }
  }
  const n = keep.length;
  if (n < 2) throw new InvalidParameterError("a", `need at least two items embedded to non-zero vectors in both matrices, got ${n}`);
  const dot = (x: Float64Array, y: Float64Array) => {
    let s = 0;
    for (let j = 0; j < x.length; j++) s += x[j] * y[j];
    return s;
  };
  // A derangement: a random permutation, then fix points swapped with their neighbour.
  const perm = new Random(seed).permutation(n);
  for (let i = 0; i < n; i++) {
    if (perm[i] === i) {
      const j = (i + 1) % n;
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
  }
  let par = 0, rnd = 0, hits = 0;
  for (let i = 0; i < n; i++) {
    const own = dot(ua[i], ub[i]);
    par += own;
    rnd += dot(ua[i], ub[perm[i]]);
    let better = 0;
    for (let j = 0; j < n && better === 0; j++) if (j !== i && dot(ua[i], ub[j]) > own) better++;
    if (better === 0) hits++;
  }
  return { parallel: par / n, random: rnd / n, margin: (par - rnd) / n, top1: hits / n, pairs: n };
}
