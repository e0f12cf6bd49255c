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
import { envSetting } from "../config";
import { progress, resolveProgressMode, type ProgressMode } from "../engine/progress";
import { InvalidParameterError } from "../errors";
import type { Random } from "../linalg/random";
import { loadTrainingState, removeTrainingState, saveTrainingState, type CheckpointOptions, type SavedTensor, type TrainingState } from "./trainingCheckpoint";

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
  /** Checkpoint and resume the run (`minibatchAdam`'s option; `rng` is the generator it saves). */
  checkpoint?: CheckpointOptions;
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
  /**
   * Checkpoint the run every so often and continue a checkpointed one (trainingCheckpoint.ts): the
   * result is bit-identical to an uninterrupted run's. `rngs`: every generator `batchOrder` and
   * `step` draw from. Hooks must keep no state of their own across epochs.
   */
  checkpoint?: CheckpointOptions & { rngs: readonly Random[] };
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
  const ck = o.checkpoint;
  const resumed = ck ? loadTrainingState(ck.path, ck.key, o.variables, ck.rngs.length) : undefined;
  if (resumed) {
    restoreTraining(tf, optimizer, o, resumed);
    process.stderr.write(`${o.label}: resuming from the checkpoint ${ck!.path} at step ${resumed.step} of ${o.totalBatches}\n`);
  }
  const history: MinibatchHistory = resumed
    ? { loss: [...resumed.history.loss], accuracy: [...resumed.history.accuracy], secondsPerEpoch: [...resumed.history.secondsPerEpoch] }
    : { loss: [], accuracy: [], secondsPerEpoch: [] };
  let stepIndex = resumed?.step ?? 0;
  const bar = progress({
    total: Math.max(0, o.totalBatches - stepIndex), label: resumed ? `${o.label} (resumed at step ${stepIndex} of ${o.totalBatches})` : o.label,
    mode: resolveProgressMode(o.progress),
  });
  const minimize = (loss: () => TF.Scalar): number => {
    const value = optimizer.minimize(loss, true, o.variables)!;
    o.afterStep?.();
    return value.dataSync()[0];
  };
  const every = ck === undefined ? Infinity : checkpointSeconds(ck);
  let lastSave = performance.now();
  try {
    for (let epoch = resumed?.epoch ?? 0; epoch < o.epochs; epoch++) {
      const continuing = resumed !== undefined && epoch === resumed.epoch;
      const batches = continuing ? resumed.batches : Array.from(o.batchOrder(epoch));
      const t0 = performance.now(), secondsBefore = continuing ? resumed.sums.seconds : 0;
      let { loss: lossSum, weight, hits, count } = continuing ? resumed.sums : { loss: 0, weight: 0, hits: 0, count: 0 };
      for (let b = continuing ? resumed.batchesDone : 0; b < batches.length; b++) {
        if (o.learningRateAt) (optimizer as unknown as { learningRate: number }).learningRate = o.learningRateAt(stepIndex);
        stepIndex++;
        const r = tf.tidy(() => o.step(batches[b], minimize));
        lossSum += r.loss * r.weight;
        weight += r.weight;
        hits += r.hits;
        count += r.count;
        bar.tick();
        if (ck && (performance.now() - lastSave) / 1000 >= every) {
          saveTrainingState(ck.path, {
            key: ck.key, epoch, batchesDone: b + 1, step: stepIndex, batches,
            sums: { loss: lossSum, weight, hits, count, seconds: secondsBefore + (performance.now() - t0) / 1000 },
            history, variables: o.variables.map((v) => savedTensor(v, v.name)), adam: adamState(optimizer), rngs: ck.rngs.map((g) => g.getState()),
          });
          lastSave = performance.now();
        }
        if (stepIndex % 20 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      history.loss.push(weight > 0 ? lossSum / weight : 0);
      history.accuracy.push(count > 0 ? hits / count : 0);
      o.afterEpoch?.(epoch);
      history.secondsPerEpoch.push(secondsBefore + (performance.now() - t0) / 1000);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (ck) removeTrainingState(ck.path);
  } finally {
    bar.done();
    optimizer.dispose();
  }
  return history;
}

/** The option, else $LATENT_BRIDGE_CHECKPOINT_SECONDS, else 120 s. */
function checkpointSeconds(ck: CheckpointOptions): number {
  if (ck.everySeconds !== undefined) {
    if (!(Number.isFinite(ck.everySeconds) && ck.everySeconds >= 0)) throw new InvalidParameterError("checkpoint.everySeconds", `expected seconds ≥ 0, got ${ck.everySeconds}`);
    return ck.everySeconds;
  }
  const env = envSetting("checkpointSeconds");
  if (env !== undefined) {
    const s = Number(env);
    if (Number.isFinite(s) && s >= 0) return s;
    console.warn(`training checkpoints: ignoring LATENT_BRIDGE_CHECKPOINT_SECONDS=${JSON.stringify(env)} (expected seconds ≥ 0); every 120 s`);
  }
  return 120;
}

// tfjs's Adam keeps these as fields (adam_optimizer.js); getWeights / setWeights would recompute the
// bias-correction powers as pow(β, t + 1), which rounds differently from the running products, so
// the checkpoint reads and writes the fields themselves.
interface AdamFields {
  accBeta1: TF.Variable;
  accBeta2: TF.Variable;
  accumulatedFirstMoment: { originalName: string; variable: TF.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: TF.Variable }[];
  /** A getter over `iterations_` (undefined until the first step). */
  readonly iterations: number;
  iterations_: number;
}

function savedTensor(t: TF.Tensor, name: string): SavedTensor {
  return { name, shape: [...t.shape], values: Float32Array.from(t.dataSync() as Float32Array) };
}

function adamState(optimizer: TF.Optimizer): TrainingState["adam"] {
  const a = optimizer as unknown as AdamFields;
  return {
    iterations: a.iterations, accBeta1: a.accBeta1.dataSync()[0], accBeta2: a.accBeta2.dataSync()[0],
    firstMoments: a.accumulatedFirstMoment.map((m) => savedTensor(m.variable, m.originalName)),
    secondMoments: a.accumulatedSecondMoment.map((m) => savedTensor(m.variable, m.originalName)),
  };
}

function restoreTraining(tf: Tf, optimizer: TF.Optimizer, o: MinibatchAdamOptions, s: TrainingState): void {
  o.variables.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(s.variables[i].values, s.variables[i].shape, "float32"))));
  const a = optimizer as unknown as AdamFields;
  const moment = (t: SavedTensor) => ({ originalName: t.name, variable: tf.tidy(() => tf.tensor(t.values, t.shape, "float32").variable(false)) });
  a.accumulatedFirstMoment = s.adam.firstMoments.map(moment);
  a.accumulatedSecondMoment = s.adam.secondMoments.map(moment);
  tf.tidy(() => {
    a.accBeta1.assign(tf.scalar(s.adam.accBeta1, "float32"));
    a.accBeta2.assign(tf.scalar(s.adam.accBeta2, "float32"));
  });
  a.iterations_ = s.adam.iterations;
  o.checkpoint!.rngs.forEach((g, i) => g.setState(s.rngs[i]));
}

/** Minibatch Adam on softmax cross-entropy (`minibatchAdam`); the last batch of an epoch may be smaller. The progress bar ticks per minibatch. */
export async function trainSoftmax(tf: Tf, o: SoftmaxTrainingOptions): Promise<SoftmaxHistory> {
  if (!Number.isInteger(o.n) || o.n < 1) throw new InvalidParameterError("n", `expected at least one training item, got ${o.n}`);
  const bs = Math.min(o.batchSize, o.n);
  const h = await minibatchAdam(tf, {
    epochs: o.epochs, learningRate: o.learningRate, learningRateAt: o.learningRateAt, variables: o.variables,
    totalBatches: o.epochs * Math.ceil(o.n / bs), label: o.label, progress: o.progress, afterStep: o.afterStep, afterEpoch: o.afterEpoch,
    checkpoint: o.checkpoint && { ...o.checkpoint, rngs: [o.rng] },
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
