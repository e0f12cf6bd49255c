/**
 * Training of softmax classifiers, written once for the classification heads (classifier.ts) and
 * the trained encoders (encoder + jointly trained linear head, src/encoders/trained): seeded
 * He/Glorot-uniform initialisation (`initWeight`) and minibatch Adam on softmax cross-entropy
 * (`trainSoftmax`) with tfjs variables, our own forward function and `tf.train.adam`. Minibatches
 * are drawn in a seeded order each epoch (the last may be smaller), so one seed gives bit-identical
 * weights on the same machine and backend.
 */
import type * as TF from "@tensorflow/tfjs";
import type { Tf } from "../engine/tf";
import { progress, resolveProgressMode, type ProgressMode } from "../engine/progress";
import { InvalidParameterError } from "../errors";
import type { Random } from "../linalg/random";

/** Where a weight matrix's output goes: He bounds suit ReLU/ELU, Glorot bounds the rest ("linear": a logits layer). */
export type InitActivation = "relu" | "elu" | "tanh" | "cos" | "linear";

/** fanIn×fanOut uniform weights: He bound √(6/fanIn) before ReLU/ELU, Glorot √(6/(fanIn+fanOut)) otherwise. */
export function initWeight(rng: Random, fanIn: number, fanOut: number, activation: InitActivation): Float32Array {
  const limit = activation === "relu" || activation === "elu" ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
  const w = new Float32Array(fanIn * fanOut);
  for (let k = 0; k < w.length; k++) w[k] = (2 * rng.uniform() - 1) * limit;
  return w;
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
  /** Runs after each optimiser step, inside its tidy (e.g. decoupled weight decay). */
  afterStep?: () => void;
  /** Runs after each epoch's last step (e.g. a validation accuracy). */
  afterEpoch?: (epoch: number) => void;
  /** The learning rate of step 0, 1, … (a schedule); default `learningRate` throughout. */
  learningRateAt?: (step: number) => number;
}

/** Minibatch Adam on softmax cross-entropy; the last batch of an epoch may be smaller. The progress bar ticks per minibatch. */
export async function trainSoftmax(tf: Tf, o: SoftmaxTrainingOptions): Promise<SoftmaxHistory> {
  if (!Number.isInteger(o.n) || o.n < 1) throw new InvalidParameterError("n", `expected at least one training item, got ${o.n}`);
  const optimizer = tf.train.adam(o.learningRate);
  const history: SoftmaxHistory = { loss: [], trainAccuracy: [], secondsPerEpoch: [] };
  const mode = resolveProgressMode(o.progress);
  const bs = Math.min(o.batchSize, o.n);
  const batchesPerEpoch = Math.ceil(o.n / bs);
  const bar = progress({ total: o.epochs * batchesPerEpoch, label: o.label, mode });
  let stepIndex = 0;
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
        // tfjs's Adam reads its `learningRate` field at every step.
        if (o.learningRateAt) (optimizer as unknown as { learningRate: number }).learningRate = o.learningRateAt(stepIndex);
        stepIndex++;
        const step = tf.tidy(() => {
          const yt = tf.oneHot(tf.tensor1d(yb, "int32"), o.numClasses);
          let kept: TF.Tensor2D | undefined;
          const loss = optimizer.minimize(() => {
            const z = o.logits(batch);
            kept = tf.keep(z);
            return tf.losses.softmaxCrossEntropy(yt, z) as TF.Scalar;
          }, true, o.variables)!;
          o.afterStep?.();
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
      o.afterEpoch?.(epoch);
      history.secondsPerEpoch.push((performance.now() - t0) / 1000);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    bar.done();
    optimizer.dispose();
  }
  return history;
}
