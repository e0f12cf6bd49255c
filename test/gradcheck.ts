/**
 * Numerical gradients for the tests of hand-written and composed tfjs gradients: central
 * differences (f(θ + h·e_i) − f(θ − h·e_i)) / 2h of a scalar loss at a few coordinates of each
 * input, compared with tfjs's gradient. In float32 the truncation error is O(h²) and the rounding
 * error ~1e-7·|f|/h, so h = 1e-2 gives about 4 significant digits on losses of order 1–10.
 */
import type * as TF from "@tensorflow/tfjs";
import type { Tf } from "../src/engine/tf";
import { Random } from "../src/linalg/random";

export interface GradCheck {
  /** Largest |numerical − analytic| over the checked coordinates, relative to max(1, |analytic|). */
  worst: number;
  checked: number;
}

/**
 * Compares tfjs's gradient of `loss(...inputs)` with central differences at `perInput` random
 * coordinates of every input (seeded). Inputs are float32 tensors; `loss` must return a scalar.
 */
export function gradCheck(tf: Tf, loss: (...xs: TF.Tensor[]) => TF.Scalar, inputs: TF.Tensor[], perInput = 6, h = 1e-2, seed = 0): GradCheck {
  const grads = tf.grads((...xs: TF.Tensor[]) => loss(...xs))(inputs);
  const analytic = grads.map((g) => g.dataSync() as Float32Array);
  tf.dispose(grads);
  const values = inputs.map((x) => Float32Array.from(x.dataSync() as Float32Array));
  const rng = new Random(seed);
  const at = (k: number, i: number, delta: number) => {
    const v = Float32Array.from(values[k]);
    v[i] += delta;
    return tf.tidy(() => loss(...inputs.map((x, j) => (j === k ? tf.tensor(v, x.shape, "float32") : x))).dataSync()[0]);
  };
  let worst = 0, checked = 0;
  inputs.forEach((_x, k) => {
    for (let c = 0; c < perInput; c++) {
      const i = rng.int(values[k].length);
      const numerical = (at(k, i, h) - at(k, i, -h)) / (2 * h);
      const a = analytic[k][i];
      worst = Math.max(worst, Math.abs(numerical - a) / Math.max(1, Math.abs(a)));
      checked++;
    }
  });
  return { worst, checked };
}

/** A float32 tensor of standard normal values (seeded). */
export function normalTensor(tf: Tf, shape: number[], seed: number, scale = 1): TF.Tensor {
  const rng = new Random(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: size }, () => scale * rng.normal()), shape, "float32");
}
