import type { Matrix } from "../linalg/matrix";
import { rowNorms } from "../linalg/matrix";
import { accuracy } from "../metrics/metrics";
import { rescaleInject } from "./rescaleInject";
import { InvalidParameterError } from "../errors";

/** Anything that predicts a class per row (a trained, frozen classification head). */
export interface Predictor {
  predict(x: Matrix): ArrayLike<number>;
}

export interface RescalePoint {
  alpha: number;
  accuracy: number;
}

/**
 * Accuracy of a frozen classifier when every input embedding is rescale-injected to norm α, for
 * each α of the grid (Fig. 4), plus the accuracy on the untouched inputs as the reference.
 */
export function rescaleSweep(head: Predictor, x: Matrix, labels: ArrayLike<number>, alphas: number[]): { points: RescalePoint[]; original: number; meanScale: number } {
  const norms = rowNorms(x);
  let meanScale = 0;
  for (let i = 0; i < norms.length; i++) meanScale += norms[i] / norms.length;
  return {
    points: alphas.map((alpha) => ({ alpha, accuracy: accuracy(head.predict(rescaleInject(x, alpha)), labels) })),
    original: accuracy(head.predict(x), labels),
    meanScale,
  };
}

export interface AggregatedPoint {
  alpha: number;
  mean: number;
  std: number;
}

/** Mean and (population) standard deviation of accuracy per α over several runs (seeds) on the same grid. */
export function aggregateSweeps(runs: ReadonlyArray<{ points: RescalePoint[] }>): AggregatedPoint[] {
  if (runs.length === 0) return [];
  const grid = runs[0].points.map((p) => p.alpha);
  for (const r of runs) {
    if (r.points.length !== grid.length || r.points.some((p, i) => p.alpha !== grid[i])) {
      throw new InvalidParameterError("runs", "every run must use the same α grid");
    }
  }
  return grid.map((alpha, i) => {
    const v = runs.map((r) => r.points[i].accuracy);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) * (b - mean), 0) / v.length);
    return { alpha, mean, std };
  });
}

/**
 * The widest contiguous α-interval around `center` (a grid point) over which accuracy stays within
 * `tolerance` of the accuracy at `center`; how "scale invariant" a classifier is, in one number pair.
 */
export function invariantInterval(points: ReadonlyArray<{ alpha: number; mean: number }>, center: number, tolerance: number): { low: number; high: number; reference: number } {
  let c = 0;
  for (let i = 1; i < points.length; i++) if (Math.abs(Math.log(points[i].alpha / center)) < Math.abs(Math.log(points[c].alpha / center))) c = i;
  const reference = points[c].mean;
  let lo = c, hi = c;
  while (lo > 0 && Math.abs(points[lo - 1].mean - reference) <= tolerance) lo--;
  while (hi < points.length - 1 && Math.abs(points[hi + 1].mean - reference) <= tolerance) hi++;
  return { low: points[lo].alpha, high: points[hi].alpha, reference };
}
