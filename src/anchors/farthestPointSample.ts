import { Matrix } from "../linalg/matrix";
import { matmulTransB } from "../linalg/product";
import { Random } from "../linalg/random";
import { normalizeRows } from "../relative/normalize";
import { assertDelta, assertSeed, checkOptions, toMatrix, type MatrixInput } from "../validate";
import { InvalidParameterError, ShapeMismatchError } from "../errors";

/** cos between every pair of rows of `unitRows` (rows already L2-normalised): the k×k Gram matrix. */
export function cosineGram(unitRows: Matrix): Matrix {
  return matmulTransB(unitRows, unitRows);
}

/**
 * |cos| between every pair of rows of `unitRows` (rows already L2-normalised), as a k×k row-major
 * array. FPS only ever needs these numbers, so one product serves all ω subspaces. `signed`: their
 * `cosineGram`, when the caller has it (IRP also reads it for the pruned subspaces' pseudo-inverses).
 */
export function absoluteCosineGram(unitRows: Matrix, signed: Matrix = cosineGram(unitRows)): Float64Array {
  if (signed.rows !== unitRows.rows || signed.cols !== unitRows.rows) {
    throw new ShapeMismatchError("signed", `expected the ${unitRows.rows}×${unitRows.rows} cosine Gram matrix of the rows, got ${signed.rows}×${signed.cols}`);
  }
  return signed.data.map(Math.abs);
}

/**
 * Greedy farthest point sampling (Eldar et al. 1997) with the distance 1−|cos| of the IRP paper
 * (eq. 3), on a precomputed |cos| Gram matrix of k points. Starts at `first`, repeatedly adds the
 * point farthest from the selected set, and stops when that distance falls below δ. Every pair of
 * selected points is therefore at distance ≥ δ; with δ = 0 all points are kept.
 * Returns the selected indices in ascending order.
 */
export function farthestPointSampleFromGram(absCos: Float64Array, k: number, delta: number, first: number): Int32Array {
  const minDist = new Float64Array(k);
  const selected = new Uint8Array(k);
  let count = 0;
  let next = first;
  for (;;) {
    selected[next] = 1;
    count++;
    const row = next * k;
    let best = -1;
    let bestDist = -Infinity;
    for (let i = 0; i < k; i++) {
      if (selected[i]) continue;
      // |cos| can exceed 1 by a rounding error; distances are clamped at 0.
      const d = Math.max(0, 1 - absCos[row + i]);
      const m = count === 1 ? d : Math.min(minDist[i], d);
      minDist[i] = m;
      if (m > bestDist) {
        bestDist = m;
        best = i;
      }
    }
    if (best < 0 || bestDist < delta) break;
    next = best;
  }
  const out = new Int32Array(count);
  for (let i = 0, c = 0; i < k; i++) if (selected[i]) out[c++] = i;
  return out;
}

export interface FarthestPointSampleOptions {
  /** Stop threshold δ ∈ [0, 1) on the 1−|cos| distance. */
  delta: number;
  /** Seed for the random first point, an integer in [0, 2^32 − 1] (ignored when `first` is given). Default 0. */
  seed?: number;
  /** Index of the first point; overrides `seed`. */
  first?: number;
}

/** Farthest point sampling of the rows of `points` (any scale; rows are normalised here). */
export function farthestPointSample(points: MatrixInput, options: FarthestPointSampleOptions): Int32Array {
  const p = toMatrix(points, "points");
  if (options === undefined) throw new InvalidParameterError("options", "expected { delta, seed?, first? }: delta (δ) has no default here");
  const o = checkOptions(options, ["delta", "seed", "first"]);
  assertDelta(o.delta as number);
  let first: number;
  if (o.first !== undefined) {
    if (!Number.isInteger(o.first) || o.first < 0 || o.first >= p.rows) {
      throw new InvalidParameterError("first", `expected an index in 0..${p.rows - 1}, got ${o.first}`);
    }
    first = o.first;
  } else {
    first = new Random(assertSeed(o.seed ?? 0)).int(p.rows);
  }
  const unit = normalizeRows(p, "points");
  return farthestPointSampleFromGram(absoluteCosineGram(unit), p.rows, o.delta as number, first);
}

/** One distinct anchor subset and how many of the ω draws produced it. */
export interface AnchorSubspace {
  indices: Int32Array;
  multiplicity: number;
}

/**
 * The ω draws of pruned anchor subspaces (§3.3, "Anchor Subspaces"), in draw order: draw i runs FPS
 * from the i-th random first point of `Random(seed)`, so the draws for ω are a prefix of those for any
 * larger ω. Draws that prune to the same index set return the very same Int32Array, so callers can
 * compute each distinct subspace once.
 */
export function drawAnchorSubspaces(absCos: Float64Array, k: number, omega: number, delta: number, seed: number): Int32Array[] {
  const rng = new Random(seed);
  const byFirst = new Map<number, Int32Array>();
  const byKey = new Map<string, Int32Array>();
  const draws: Int32Array[] = [];
  for (let i = 0; i < omega; i++) {
    const first = rng.int(k);
    let indices = byFirst.get(first);
    if (!indices) {
      const fresh = farthestPointSampleFromGram(absCos, k, delta, first);
      const key = fresh.join(",");
      indices = byKey.get(key) ?? fresh;
      byKey.set(key, indices);
      byFirst.set(first, indices);
    }
    draws.push(indices);
  }
  return draws;
}

/** The distinct subspaces among the ω draws, each with how many draws produced it. */
export function anchorSubspaces(absCos: Float64Array, k: number, omega: number, delta: number, seed: number): AnchorSubspace[] {
  const counts = new Map<Int32Array, number>();
  for (const d of drawAnchorSubspaces(absCos, k, omega, delta, seed)) counts.set(d, (counts.get(d) ?? 0) + 1);
  return [...counts].map(([indices, multiplicity]) => ({ indices, multiplicity }));
}
