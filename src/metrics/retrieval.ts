/**
 * Retrieval metrics: for each row i of `translated`, every row of `targets` is ranked by cosine
 * similarity to it; the rank of the true target i is 1 + (number of target rows with strictly higher
 * similarity), so ties are resolved in the query's favour. Top-k accuracy counts ranks ≤ k; mean
 * reciprocal rank averages 1/rank (≥ top-1 accuracy).
 *
 * Similarities come from matrix products of the L2-normalised rows (`matmulTransB`), processed in
 * blocks of query rows so memory stays O(block·n) rather than O(n²).
 */
import { InvalidParameterError } from "../errors";
import { Matrix } from "../linalg/matrix";
import { matmulTransB } from "../linalg/product";
import type { MatrixInput } from "../validate";
import { assertFiniteMatrix, assertSameShape, matrixArg, unitRows } from "./rows";

/** Rows of `translated` ranked against all of `targets` per block, bounding memory to BLOCK×n scores. */
const RETRIEVAL_BLOCK_ROWS = 512;

/**
 * The rank of each query's true target, counting higher-scoring targets only up to `cap` (a rank
 * beyond cap is reported as cap + 1: enough for top-k, exact for cap ≥ n − 1). Checks both matrices.
 */
function trueTargetRanks(translated: MatrixInput, targets: MatrixInput, cap: number, what: string): Int32Array {
  const q0 = matrixArg(translated, "translated");
  const t0 = matrixArg(targets, "targets");
  assertSameShape(q0, t0, "translated", "targets");
  const n = q0.rows;
  if (n === 0) throw new InvalidParameterError("translated", `expected at least one row; ${what} over zero items is undefined`);
  assertFiniteMatrix(q0, "translated");
  assertFiniteMatrix(t0, "targets");
  const q = unitRows(q0, "translated");
  const t = unitRows(t0, "targets");
  const d = q.cols;
  const ranks = new Int32Array(n);
  for (let r0 = 0; r0 < n; r0 += RETRIEVAL_BLOCK_ROWS) {
    const r1 = Math.min(n, r0 + RETRIEVAL_BLOCK_ROWS);
    const sims = matmulTransB(Matrix.fromFlat(r1 - r0, d, q.data.subarray(r0 * d, r1 * d)), t).data; // (r1−r0)×n
    for (let i = r0; i < r1; i++) {
      const off = (i - r0) * n, own = sims[off + i];
      let higher = 0;
      for (let j = 0; j < n && higher < cap; j++) if (sims[off + j] > own) higher++;
      ranks[i] = 1 + higher;
    }
  }
  return ranks;
}

/**
 * Top-k retrieval accuracy: the fraction of queries whose true target ranks ≤ k (see the module comment).
 *
 * @param translated - n×d queries (e.g. source embeddings translated into the target space).
 * @param targets - n×d targets; row i is the correct match for query i.
 * @param k - Integer in [1, n]. Defaults to 1.
 * @returns Fraction of queries whose true target is in the top k, in [0, 1].
 * @throws ShapeMismatchError if the shapes differ (argument `"targets"`).
 * @throws InvalidParameterError if there are no rows or `k` is not an integer in [1, n].
 * @throws NonFiniteError if either matrix contains NaN or ±Infinity.
 * @throws ZeroNormError if a row of either matrix is all zeros.
 */
export function topKRetrievalAccuracy(translated: MatrixInput, targets: MatrixInput, k = 1): number {
  const n = matrixArg(translated, "translated").rows;
  if (n > 0 && (!Number.isInteger(k) || k < 1 || k > n)) {
    throw new InvalidParameterError("k", `expected an integer in [1, ${n}], got ${k}`);
  }
  return shareWithin(trueTargetRanks(translated, targets, k, "retrieval"), k);
}

/**
 * Mean reciprocal rank: the mean of 1/rank of each query's true target (see the module comment).
 *
 * @param translated - n×d queries; @param targets - n×d targets, row i the correct match for query i.
 * @returns The mean of 1/rank over the queries, in [1/n, 1].
 * @throws ShapeMismatchError if the shapes differ (argument `"targets"`); InvalidParameterError if
 *   there are no rows; NonFiniteError for NaN/±Infinity; ZeroNormError for an all-zero row.
 */
export function meanReciprocalRank(translated: MatrixInput, targets: MatrixInput): number {
  return reciprocalRankMean(trueTargetRanks(translated, targets, Infinity, "a rank"));
}

/** The share of queries whose true target ranks ≤ k. */
function shareWithin(ranks: Int32Array, k: number): number {
  let hits = 0;
  for (const r of ranks) if (r <= k) hits++;
  return hits / ranks.length;
}

function reciprocalRankMean(ranks: Int32Array): number {
  let sum = 0;
  for (const r of ranks) sum += 1 / r;
  return sum / ranks.length;
}

/** Top-k accuracies at each requested k and the mean reciprocal rank, from one ranking. */
export interface RetrievalScores {
  /** `topK[i]` is `topKRetrievalAccuracy(translated, targets, ks[i])`. */
  topK: number[];
  /** `meanReciprocalRank(translated, targets)`. */
  mrr: number;
}

/**
 * Top-k accuracy at every k of `ks` and the mean reciprocal rank, equal to `topKRetrievalAccuracy`
 * and `meanReciprocalRank` called apart (the same ranks), with one similarity product instead of
 * one per metric: an evaluation reporting several of them ranks the queries once.
 *
 * @throws as `topKRetrievalAccuracy` (argument `"ks[i]"` for a bad k) and `meanReciprocalRank`.
 */
export function retrievalScores(translated: MatrixInput, targets: MatrixInput, ks: readonly number[] = [1]): RetrievalScores {
  const n = matrixArg(translated, "translated").rows;
  if (!Array.isArray(ks)) throw new InvalidParameterError("ks", `expected an array of integers in [1, ${n}], got ${typeof ks}`);
  ks.forEach((k, i) => {
    if (n > 0 && (!Number.isInteger(k) || k < 1 || k > n)) throw new InvalidParameterError(`ks[${i}]`, `expected an integer in [1, ${n}], got ${k}`);
  });
  const ranks = trueTargetRanks(translated, targets, Infinity, "retrieval");
  return { topK: ks.map((k) => shareWithin(ranks, k)), mrr: reciprocalRankMean(ranks) };
}
