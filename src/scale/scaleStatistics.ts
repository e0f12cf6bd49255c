import { rowNorms, type Matrix } from "../linalg/matrix";
import { InvalidParameterError } from "../errors";
import { toMatrix, type MatrixInput } from "../validate";

export interface ScaleStatistics {
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Quantiles at 1%, 5%, 25%, 50%, 75%, 95%, 99% (linear interpolation, numpy's default). */
  quantiles: Record<"q01" | "q05" | "q25" | "q50" | "q75" | "q95" | "q99", number>;
  /** Sample skewness (Fisher–Pearson, biased: m3 / m2^1.5). 0 for a Gaussian. */
  skewness: number;
  /** Excess kurtosis (m4 / m2² − 3, biased). 0 for a Gaussian. */
  excessKurtosis: number;
  /** Share of values more than 3 standard deviations from the mean (0.27% for a Gaussian). */
  outlierShare: number;
}

/** The L2 norm ("scale") of every embedding. */
export function embeddingScales(x: MatrixInput): Float64Array {
  return rowNorms(toMatrix(x, "x"));
}

/** Quantile q ∈ [0,1] of sorted values, linear interpolation between order statistics. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new InvalidParameterError("values", "expected at least one value");
  if (!(q >= 0 && q <= 1)) throw new InvalidParameterError("q", `expected a number in [0, 1], got ${q}`);
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Distribution statistics of a sample (the paper's Fig. 5 asks whether embedding scales are
 * Gaussian-like: one mode, a well-defined mean, few outliers).
 */
export function scaleStatistics(values: ArrayLike<number>): ScaleStatistics {
  const n = values.length;
  if (n < 2) throw new InvalidParameterError("values", `expected at least 2 values, got ${n}`);
  let mean = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw new InvalidParameterError("values", `expected finite values, found ${v} at ${i}`);
    mean += v;
  }
  mean /= n;
  let m2 = 0, m3 = 0, m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  const std = Math.sqrt(m2);
  const sorted = Float64Array.from(values).sort();
  let outliers = 0;
  for (let i = 0; i < n; i++) if (Math.abs(values[i] - mean) > 3 * std) outliers++;
  const q = (p: number) => quantileSorted(sorted, p);
  return {
    count: n, mean, std, min: sorted[0], max: sorted[n - 1],
    quantiles: { q01: q(0.01), q05: q(0.05), q25: q(0.25), q50: q(0.5), q75: q(0.75), q95: q(0.95), q99: q(0.99) },
    skewness: m2 > 0 ? m3 / Math.pow(m2, 1.5) : 0,
    excessKurtosis: m2 > 0 ? m4 / (m2 * m2) - 3 : 0,
    outlierShare: outliers / n,
  };
}

/** Scale statistics of a set of embeddings (rows). */
export function embeddingScaleStatistics(x: Matrix | MatrixInput): ScaleStatistics {
  return scaleStatistics(embeddingScales(x));
}
