/**
 * Training of softmax classifiers, written once for the classification heads (classifier.ts) and
 * the trained encoders (encoder + jointly trained linear head, src/encoders/trained): seeded
 * He/Glorot-uniform initialisation (`initWeight`) and minibatch Adam on softmax cross-entropy
 * (`trainSoftmax`) with tfjs variables, our own forward function and `tf.train.adam`. Minibatches
 * are drawn in a seeded order each epoch (the last may be smaller), so one seed gives bit-identical
 * weights on the same machine and backend. The loop itself (`minibatchAdam`: schedule, progress,
 * per-epoch loss / accuracy / timing) also runs the text transformers' masked-language-model
 * pretraining, with its own batch order and loss.
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

/** What one optimiser step reports: its loss, the loss's weight in the epoch's mean (its item count), right predictions out of `count`. */
export type MinibatchStep = {
  loss: number;
  weight: number;
  hits: number;
  count: number;
};

export interface MinibatchAdamOptions {
  epochs: number;
  learningRate: number;
  /** The learning rate of step 0, 1, … (a schedule); default `learningRate` throughout. */
  learningRateAt?: (step: number) => number;
  variables: TF.Variable[];
  /** Minibatches of the whole run, for the progress bar. */
  totalBatches: number;
  /** The epoch's minibatches (item indices), drawn once at its start — from the caller's seeded generator. */
  batchOrder: (epoch: number) => Iterable<Int32Array>;
  /**
   * One step on `batch`, inside a tidy: build the loss and hand it to `minimize` (which updates the
   * variables, runs `afterStep` and returns the loss value), or skip the update (return weight 0).
   */
  step: (batch: Int32Array, minimize: (loss: () => TF.Scalar) => number) => MinibatchStep;
  label: string;
  progress?: boolean | ProgressMode;
  /** Runs after each optimiser step, inside its tidy (e.g. decoupled weight decay). */
  afterStep?: () => void;
  /** Runs after each epoch's last step (e.g. a validation accuracy). */
  afterEpoch?: (epoch: number) => void;
}

/** Per epoch: the weighted mean loss (0 without weight), the share of right predictions (0 without any) and the seconds. */
export interface MinibatchHistory {
  loss: number[];
  accuracy: number[];
  secondsPerEpoch: number[];
}

/**
 * The training loop of every model here, written once: epochs of minibatch Adam (tf.train.adam)
 * over the caller's batch order, the learning rate set per step when scheduled (tfjs's Adam reads
 * its `learningRate` field at every step), a progress bar ticking per minibatch, and per-epoch
 * loss, accuracy and timing. `trainSoftmax` (heads, image encoders, ViTs) and the text
 * transformers' masked-language-model pretraining use it.
 */
export async function minibatchAdam(tf: Tf, o: MinibatchAdamOptions): Promise<MinibatchHistory> {
  const optimizer = tf.train.adam(o.learningRate);
  const history: MinibatchHistory = { loss: [], accuracy: [], secondsPerEpoch: [] };
  const bar = progress({ total: o.totalBatches, label: o.label, mode: resolveProgressMode(o.progress) });
  const minimize = (loss: () => TF.Scalar): number => {
    const value = optimizer.minimize(loss, true, o.variables)!;
    o.afterStep?.();
    return value.dataSync()[0];
  };
  let stepIndex = 0;
  try {
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const t0 = performance.now();
      let lossSum = 0, weight = 0, hits = 0, count = 0;
      for (const batch of o.batchOrder(epoch)) {
        if (o.learningRateAt) (optimizer as unknown as { learningRate: number }).learningRate = o.learningRateAt(stepIndex);
        stepIndex++;
        const r = tf.tidy(() => o.step(batch, minimize));
        lossSum += r.loss * r.weight;
        weight += r.weight;
        hits += r.hits;
        count += r.count;
        bar.tick();
        if (stepIndex % 20 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      history.loss.push(weight > 0 ? lossSum / weight : 0);
      history.accuracy.push(count > 0 ? hits / count : 0);
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

/** Minibatch Adam on softmax cross-entropy (`minibatchAdam`); the last batch of an epoch may be smaller. The progress bar ticks per minibatch. */
export async function trainSoftmax(tf: Tf, o: SoftmaxTrainingOptions): Promise<SoftmaxHistory> {
  if (!Number.isInteger(o.n) || o.n < 1) throw new InvalidParameterError("n", `expected at least one training item, got ${o.n}`);
  const bs = Math.min(o.batchSize, o.n);
  const h = await minibatchAdam(tf, {
    epochs: o.epochs, learningRate: o.learningRate, learningRateAt: o.learningRateAt, variables: o.variables,
    totalBatches: o.epochs * Math.ceil(o.n / bs), label: o.label, progress: o.progress, afterStep: o.afterStep, afterEpoch: o.afterEpoch,
    batchOrder: () => {
      const order = o.rng.permutation(o.n);
      return Array.from({ length: Math.ceil(o.n / bs) }, (_, k) => order.subarray(k * bs, Math.min(o.n, (k + 1) * bs)));
    },
    step: (batch, minimize) => {
      const size = batch.length;
      const yb = new Int32Array(size);
      for (let r = 0; r < size; r++) yb[r] = o.labels[batch[r]];
      const yt = tf.oneHot(tf.tensor1d(yb, "int32"), o.numClasses);
      let kept: TF.Tensor2D | undefined;
      const loss = minimize(() => {
        const z = o.logits(batch);
        kept = tf.keep(z);
        return tf.losses.softmaxCrossEntropy(yt, z) as TF.Scalar;
      });
      const predicted = tf.argMax(kept!, 1).dataSync();
      kept!.dispose();
      let hits = 0;
      for (let r = 0; r < size; r++) if (predicted[r] === yb[r]) hits++;
      return { loss, weight: size, hits, count: size };
    },
  });
  return { loss: h.loss, trainAccuracy: h.accuracy, secondsPerEpoch: h.secondsPerEpoch };
}
