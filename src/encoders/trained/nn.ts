/**
 * Shared pieces of the trained encoders' networks (image MLP/CNN, bag-of-words MLP): seeded weight
 * initialisation, activations, the softmax training loop and conversions between tfjs variables and
 * plain float32 arrays. Same conventions as the classification heads (src/heads/classifier.ts):
 * the tfjs core API (variables + our own forward function + tf.train.adam), weights initialised
 * from our seeded `Random` (He-uniform before ReLU/ELU, Glorot-uniform otherwise, zero biases),
 * minibatches drawn in a seeded order, so one seed gives bit-identical weights on the same machine
 * and backend.
 */
import type * as TF from "@tensorflow/tfjs";
import type { Tf } from "../../engine/tf";
import { progress, resolveProgressMode, type ProgressMode } from "../../engine/progress";
import { InvalidParameterError } from "../../errors";
import { Random } from "../../linalg/random";

/** Nonlinearity of an encoder's hidden and latent layers. */
export type EncoderActivation = "relu" | "tanh" | "elu";
export const ENCODER_ACTIVATIONS: readonly EncoderActivation[] = ["relu", "tanh", "elu"];

export function activate(tf: Tf, x: TF.Tensor, activation: EncoderActivation): TF.Tensor {
  switch (activation) {
    case "relu": return tf.relu(x);
    case "tanh": return tf.tanh(x);
    case "elu": return tf.elu(x);
  }
}

/** fanIn×fanOut uniform weights: He bound √(6/fanIn) before ReLU/ELU, Glorot √(6/(fanIn+fanOut)) otherwise. */
export function initWeight(rng: Random, fanIn: number, fanOut: number, activation: EncoderActivation | "linear"): Float32Array {
  const limit = activation === "relu" || activation === "elu" ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
  const w = new Float32Array(fanIn * fanOut);
  for (let k = 0; k < w.length; k++) w[k] = (2 * rng.uniform() - 1) * limit;
  return w;
}

/** One trainable parameter: its name in files, its shape and its current (or initial) values. */
export interface ParamSpec {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** tfjs variables for `params`, in order (created inside a tidy so the initial tensors are freed). */
export function toVariables(tf: Tf, params: ParamSpec[]): TF.Variable[] {
  return params.map((p) => tf.tidy(() => tf.variable(tf.tensor(p.data, p.shape, "float32"), true, undefined, "float32")));
}

/** Constant tensors (kept) for inference. */
export function toConstants(tf: Tf, params: ParamSpec[]): TF.Tensor[] {
  return params.map((p) => tf.keep(tf.tensor(p.data, p.shape, "float32")));
}

export interface SoftmaxHistory {
  /** Mean training cross-entropy per epoch (minibatches as seen, before each update). */
  loss: number[];
  /** Training accuracy per epoch (minibatches as seen). */
  trainAccuracy: number[];
  secondsPerEpoch: number[];
}

export interface SoftmaxTrainingOptions {
  /** Number of training items (indices 0..n-1 are passed to `logits`). */
  n: number;
  labels: Int32Array;
  numClasses: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Draws the minibatch order (continue the generator that initialised the weights). */
  rng: Random;
  variables: TF.Variable[];
  /** Logits of the items `batch` (indices into 0..n-1), computed from `variables`; called inside a tidy. */
  logits: (batch: Int32Array) => TF.Tensor2D;
  label: string;
  progress?: boolean | ProgressMode;
}

/** Minibatch Adam on softmax cross-entropy; the last batch of an epoch may be smaller. */
export async function trainSoftmax(tf: Tf, o: SoftmaxTrainingOptions): Promise<SoftmaxHistory> {
  if (!Number.isInteger(o.n) || o.n < 1) throw new InvalidParameterError("n", `expected at least one training item, got ${o.n}`);
  const optimizer = tf.train.adam(o.learningRate);
  const history: SoftmaxHistory = { loss: [], trainAccuracy: [], secondsPerEpoch: [] };
  const mode = resolveProgressMode(o.progress);
  const bs = Math.min(o.batchSize, o.n);
  const batchesPerEpoch = Math.ceil(o.n / bs);
  const bar = progress({ total: o.epochs * batchesPerEpoch, label: o.label, mode });
  try {
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const t0 = performance.now();
      const order = o.rng.permutation(o.n);
      let lossSum = 0, correct = 0;
      for (let start = 0; start < o.n; start += bs) {
        const batch = order.subarray(start, Math.min(o.n, start + bs));
        const size = batch.length;
        const yb = new Int32Array(size);
        for (let r = 0; r < size; r++) yb[r] = o.labels[batch[r]];
        const step = tf.tidy(() => {
          const yt = tf.oneHot(tf.tensor1d(yb, "int32"), o.numClasses);
          let kept: TF.Tensor2D | undefined;
          const loss = optimizer.minimize(() => {
            const z = o.logits(batch);
            kept = tf.keep(z);
            return tf.losses.softmaxCrossEntropy(yt, z) as TF.Scalar;
          }, true, o.variables)!;
          const predicted = tf.argMax(kept!, 1).dataSync();
          kept!.dispose();
          let hits = 0;
          for (let r = 0; r < size; r++) if (predicted[r] === yb[r]) hits++;
          return { loss: loss.dataSync()[0], hits };
        });
        lossSum += step.loss * size;
        correct += step.hits;
        bar.tick();
        if ((start / bs) % 20 === 19) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      history.loss.push(lossSum / o.n);
      history.trainAccuracy.push(correct / o.n);
      history.secondsPerEpoch.push((performance.now() - t0) / 1000);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    bar.done();
    optimizer.dispose();
  }
  return history;
}

/** Current values of variables as plain float32 arrays (copies). */
export function readVariables(params: ParamSpec[], variables: TF.Variable[]): ParamSpec[] {
  return params.map((p, i) => ({ name: p.name, shape: [...p.shape], data: Float32Array.from(variables[i].dataSync() as Float32Array) }));
}
