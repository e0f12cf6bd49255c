import type { Matrix } from "../linalg/matrix";
import { rowNorms } from "../linalg/matrix";
import { accuracy } from "../eval/metrics";
import { rescaleInject } from "./rescaleInject";

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
