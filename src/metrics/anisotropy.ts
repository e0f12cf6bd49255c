/**
 * Anisotropy of an embedding space: the mean cosine similarity between DIFFERENT items, before and
 * after centring on the items' mean (the paper quotes 0.93 for its English encoder and 0.98 for
 * XLM-R before centring — embeddings crowded in a narrow cone, which IRP's centring removes).
 *
 * Exact over all n(n−1) ordered pairs, in O(n·d): with u_i = x_i/‖x_i‖,
 *   Σ_{i≠j} cos(x_i, x_j) = ‖Σ_i u_i‖² − n,   so the mean is (‖Σ u_i‖² − n) / (n(n−1)).
 * Rows of norm zero (no direction: a text without a known word) are left out, and the mean that is
 * subtracted is the mean of the other rows.
 */
import { InvalidParameterError } from "../errors";
import { assertFinite } from "../validate";
import type { Matrix } from "../linalg/matrix";

export interface Anisotropy {
  /** Mean cosine between different items as embedded. */
  meanCosine: number;
  /** The same after subtracting the items' mean vector. */
  meanCosineCentred: number;
  /** Items with a direction (non-zero rows) used before centring. */
  items: number;
}

/** Mean cosine over ordered pairs of different non-zero rows of `x` (or of `x − shift`). */
function meanPairCosine(x: Matrix, shift?: Float64Array): { mean: number; used: number } {
  const d = x.cols;
  const sum = new Float64Array(d);
  const row = new Float64Array(d);
  let used = 0;
  for (let i = 0; i < x.rows; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const v = x.data[i * d + j] - (shift ? shift[j] : 0);
      row[j] = v;
      s += v * v;
    }
    if (!(s > 0)) continue;
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < d; j++) sum[j] += row[j] * inv;
    used++;
  }
  if (used < 2) return { mean: NaN, used };
  let total = 0;
  for (let j = 0; j < d; j++) total += sum[j] * sum[j];
  return { mean: (total - used) / (used * (used - 1)), used };
}

/**
 * The anisotropy of `x` (items as rows; see the module comment).
 * @throws InvalidParameterError for fewer than two non-zero rows; NonFiniteError for a non-finite value.
 */
export function anisotropy(x: Matrix): Anisotropy {
  assertFinite(x, "x");
  const before = meanPairCosine(x);
  if (before.used < 2) throw new InvalidParameterError("x", `anisotropy needs at least two non-zero rows, got ${before.used}`);
  const mean = new Float64Array(x.cols);
  for (let i = 0; i < x.rows; i++) {
    const r = x.data.subarray(i * x.cols, (i + 1) * x.cols);
    if (r.some((v) => v !== 0)) for (let j = 0; j < x.cols; j++) mean[j] += r[j] / before.used;
  }
  return { meanCosine: before.mean, meanCosineCentred: meanPairCosine(x, mean).mean, items: before.used };
}
