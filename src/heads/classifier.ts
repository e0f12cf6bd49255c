/**
 * Classification heads on top of any encoder's embeddings: a linear layer or an MLP, trained with
 * softmax cross-entropy and Adam through TensorFlow.js (`getTf()`: wasm SIMD). Used for zero-shot
 * stitching (a head trained on encoder B, fed A's embeddings translated into B) and for the
 * scale-invariance experiments (rescale injection into ReLU / tanh / cosine MLPs, paper §3.4, §4.2).
 *
 *   const head = await trainHead(xTrain, yTrain, { kind: "mlp", activation: "cos", seed: 0 });
 *   head.accuracy(xTest, yTest);                 // 0.93
 *   saveHead(head, "cache/heads/clip.json");     // one JSON file, written atomically
 *   const again = await loadHead("cache/heads/clip.json"); // predicts identically
 *
 * Built on the tfjs core API (variables, our own forward function, tf.train.adam), not tf.layers, so
 * any activation works (tfjs layers have no cosine) and the weights are plain Float32Arrays.
 * Reproducible: weights are initialised from our seeded `Random` (He-uniform for ReLU hidden
 * layers, Glorot-uniform otherwise, zero biases) and minibatches are drawn in an order from the same
 * generator, so one seed gives bit-identical weights on the same machine and backend.
 *
 * Inputs are raw by default (the paper relies on the heads' scale invariance, so no standardisation);
 * `standardize: true` stores the training mean/std in the head and applies them in `forward`.
 */
import type * as TF from "@tensorflow/tfjs";
import { getTf, type Tf } from "../engine/tf";
import type { ProgressMode } from "../engine/progress";
import { InvalidParameterError, ShapeMismatchError } from "../errors";
import { accuracy as accuracyOf, argmaxRows } from "../metrics/metrics";
import { Matrix } from "../linalg/matrix";
import { Random } from "../linalg/random";
import { assertMatrix, checkLabels } from "../validate";
import { initWeight, trainSoftmax } from "./softmaxTraining";
import {
  layerWidths, resolveHeadSpec, type Activation, type HeadHistory, type HeadSpec, type HeadState, type LayerState,
  type ResolvedHeadSpec, type TrainingInfo,
} from "./spec";

export type { Activation, HeadHistory, HeadSpec, HeadState, LayerState, ResolvedHeadSpec, TrainingInfo } from "./spec";
export { ACTIVATIONS, HEAD_DEFAULTS, resolveHeadSpec } from "./spec";

/** Prediction processes at most about this many float32 activations per block (16 MB). */
const PREDICT_BLOCK_ELEMENTS = 1 << 22;

// ---------------------------------------------------------------------------------------------
// The forward pass (shared by training and inference)

interface Params {
  weights: TF.Tensor2D[];
  biases: (TF.Tensor1D | null)[];
  /** (x − mean) / std, when standardising. */
  mean: TF.Tensor1D | null;
  std: TF.Tensor1D | null;
}

function activate(tf: Tf, h: TF.Tensor2D, activation: Activation): TF.Tensor2D {
  switch (activation) {
    case "relu": return tf.relu(h);
    case "tanh": return tf.tanh(h);
    case "cos": return tf.cos(h);
    case "linear": return h;
  }
}

/** Logits of a float32 batch; call inside a tidy (intermediates are not disposed here). */
function forwardRaw(tf: Tf, p: Params, activation: Activation, x: TF.Tensor2D): TF.Tensor2D {
  let h = x;
  if (p.mean && p.std) h = tf.div(tf.sub(h, p.mean), p.std);
  const last = p.weights.length - 1;
  for (let i = 0; i <= last; i++) {
    h = tf.matMul(h, p.weights[i]);
    const b = p.biases[i];
    if (b) h = tf.add(h, b);
    if (i < last) h = activate(tf, h, activation);
  }
  return h;
}

// ---------------------------------------------------------------------------------------------
// The head

/** A trained classification head. Obtain one from `trainHead`, `loadHead` or `cachedHead`. */
export class ClassificationHead {
  readonly spec: ResolvedHeadSpec;
  readonly inputDim: number;
  readonly numClasses: number;
  readonly history: HeadHistory;
  readonly training: TrainingInfo;
  /** Weights as plain float32 data (read-only by convention). */
  readonly layers: readonly LayerState[];
  readonly standardization: { mean: Float32Array; std: Float32Array } | null;
  private readonly tf: Tf;
  private params: Params | undefined;

  /** Prefer `trainHead` / `loadHead`; `tf` must come from `getTf()`. */
  constructor(tf: Tf, state: HeadState) {
    this.tf = tf;
    this.spec = state.spec;
    this.inputDim = state.inputDim;
    this.numClasses = state.numClasses;
    this.history = state.history;
    this.training = state.training;
    this.layers = state.layers;
    this.standardization = state.standardization;
  }

  /** Plain-data state (what `saveHead` writes). */
  get state(): HeadState {
    return {
      spec: this.spec, inputDim: this.inputDim, numClasses: this.numClasses, layers: [...this.layers],
      standardization: this.standardization, history: this.history, training: this.training,
    };
  }

  /** Total number of trainable parameters. */
  get parameterCount(): number {
    return this.layers.reduce((s, l) => s + l.weight.length + (l.bias ? l.bias.length : 0), 0);
  }

  /** e.g. "mlp 1280→256→256→100 (cos, bias) · 20 epochs · train acc 0.953". */
  toString(): string {
    const widths = layerWidths(this.spec, this.inputDim, this.numClasses).join("→");
    const act = this.spec.kind === "mlp" ? `${this.spec.activation}, ` : "";
    const acc = this.history.trainAccuracy.at(-1);
    return `${this.spec.kind} ${widths} (${act}${this.spec.useBias ? "bias" : "no bias"}${this.spec.standardize ? ", standardised" : ""})` +
      ` · ${this.spec.epochs} epochs${acc === undefined ? "" : ` · train acc ${acc.toFixed(3)}`}`;
  }

  private tensors(): Params {
    if (this.params === undefined) {
      const tf = this.tf;
      // tf.keep: the first use may happen inside a caller's tf.tidy, which must not free the cache.
      this.params = {
        weights: this.layers.map((l) => tf.keep(tf.tensor2d(l.weight, [l.inputDim, l.outputDim], "float32"))),
        biases: this.layers.map((l) => (l.bias ? tf.keep(tf.tensor1d(l.bias, "float32")) : null)),
        mean: this.standardization ? tf.keep(tf.tensor1d(this.standardization.mean, "float32")) : null,
        std: this.standardization ? tf.keep(tf.tensor1d(this.standardization.std, "float32")) : null,
      };
    }
    return this.params;
  }

  /**
   * Logits of a float32 batch (rows × inputDim) as a new float32 tensor the caller disposes. No
   * batching here: callers with large inputs split them (as `predictLogits` does).
   * @throws ShapeMismatchError (argument "x") if x is not 2-D with inputDim columns.
   */
  forward(x: TF.Tensor2D): TF.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.inputDim) {
      throw new ShapeMismatchError("x", `expected a 2-D tensor with ${this.inputDim} columns (the head's input dimension), got shape [${x.shape.join(", ")}]`);
    }
    const p = this.tensors();
    return this.tf.tidy(() => forwardRaw(this.tf, p, this.spec.activation, x.dtype === "float32" ? x : this.tf.cast(x, "float32")));
  }

  /**
   * Class logits (rows × numClasses), computed in float32 in blocks of rows to bound memory.
   * @throws InvalidParameterError if x is not a Matrix; NonFiniteError on NaN/±Inf (argument "x");
   *   ShapeMismatchError (argument "x") if x.cols ≠ inputDim.
   */
  predictLogits(x: Matrix): Matrix {
    const m = assertMatrix(x, "x");
    if (m.cols !== this.inputDim) {
      throw new ShapeMismatchError("x", `expected ${this.inputDim} columns (the dimension the head was trained on), got ${m.rows}×${m.cols}`);
    }
    const tf = this.tf;
    const c = this.numClasses;
    const out = new Matrix(m.rows, c);
    const widest = Math.max(...layerWidths(this.spec, this.inputDim, c));
    const block = Math.max(1, Math.floor(PREDICT_BLOCK_ELEMENTS / widest));
    const d = m.cols;
    for (let r0 = 0; r0 < m.rows; r0 += block) {
      const r1 = Math.min(m.rows, r0 + block);
      const xb = Float32Array.from(m.data.subarray(r0 * d, r1 * d));
      const logits = tf.tidy(() => this.forward(tf.tensor2d(xb, [r1 - r0, d], "float32")));
      try {
        out.data.set(logits.dataSync() as Float32Array, r0 * c);
      } finally {
        logits.dispose();
      }
    }
    return out;
  }

  /** Predicted class per row (argmax of the logits; ties go to the lowest class). */
  predict(x: Matrix): Int32Array {
    return argmaxRows(this.predictLogits(x));
  }

  /**
   * Fraction of rows whose predicted class equals the label.
   * @throws as `predictLogits`, plus ShapeMismatchError / InvalidParameterError (argument "labels").
   */
  accuracy(x: Matrix, labels: ArrayLike<number>): number {
    const m = assertMatrix(x, "x");
    if (m.rows === 0) throw new InvalidParameterError("x", "expected at least one row; accuracy of zero items is undefined");
    const y = checkLabels(labels, m.rows, "labels", { numClasses: this.numClasses });
    return accuracyOf(this.predict(m), y);
  }

  /** Frees the tfjs tensors that cache the weights (they are re-created if the head is used again). */
  dispose(): void {
    if (this.params === undefined) return;
    for (const t of [...this.params.weights, ...this.params.biases, this.params.mean, this.params.std]) t?.dispose();
    this.params = undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Training

export interface TrainHeadOptions {
  /** Evaluated after every epoch into `history.validationAccuracy`. */
  validation?: { x: Matrix; labels: ArrayLike<number> };
  /** Progress-bar label (default "head <kind>"). */
  label?: string;
  /** false silences the progress bar; a mode forces one (default "auto"). */
  progress?: boolean | ProgressMode;
}

/** Glorot-uniform (or He-uniform for ReLU hidden layers) weights and zero biases, from `rng`. */
function initialLayers(spec: ResolvedHeadSpec, widths: number[], rng: Random): LayerState[] {
  const layers: LayerState[] = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    const fanIn = widths[i], fanOut = widths[i + 1];
    const hiddenLayer = i + 1 < widths.length - 1;
    const weight = initWeight(rng, fanIn, fanOut, hiddenLayer ? spec.activation : "linear");
    layers.push({ inputDim: fanIn, outputDim: fanOut, weight, bias: spec.useBias ? new Float32Array(fanOut) : null });
  }
  return layers;
}

function standardizationOf(x: Matrix): { mean: Float32Array; std: Float32Array } {
  const { rows, cols, data } = x;
  const mean = new Float64Array(cols), m2 = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j] += data[i * cols + j];
  for (let j = 0; j < cols; j++) mean[j] /= rows;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = data[i * cols + j] - mean[j];
      m2[j] += v * v;
    }
  }
  const std = new Float32Array(cols);
  for (let j = 0; j < cols; j++) {
    const s = Math.fround(Math.sqrt(m2[j] / rows));
    std[j] = s > 0 && Number.isFinite(s) ? s : 1; // constant columns are only centred
  }
  return { mean: Float32Array.from(mean), std };
}

/**
 * Trains a classification head with softmax cross-entropy and Adam (minibatches in a seeded random
 * order each epoch; the last batch of an epoch may be smaller).
 *
 * @param x - n×d training embeddings (finite).
 * @param labels - n integer class labels in [0, numClasses).
 * @param spec - architecture and optimisation settings (see `HeadSpec`; `seed` is required).
 * @throws InvalidParameterError for a bad spec, a non-Matrix, non-integer/negative labels or fewer
 *   than two classes; ShapeMismatchError for a label count ≠ n or validation.x of another width;
 *   NonFiniteError for NaN/±Inf in x (or validation.x).
 */
export async function trainHead(
  x: Matrix, labels: ArrayLike<number>, spec: HeadSpec, options: TrainHeadOptions = {},
): Promise<ClassificationHead> {
  const s = resolveHeadSpec(spec);
  const xm = assertMatrix(x, "x");
  if (xm.rows === 0 || xm.cols === 0) throw new ShapeMismatchError("x", `expected a non-empty matrix, got ${xm.rows}×${xm.cols}`);
  let numClasses = spec.numClasses;
  if (numClasses !== undefined && (!Number.isInteger(numClasses) || numClasses < 2)) {
    throw new InvalidParameterError("spec.numClasses", `expected an integer ≥ 2, got ${JSON.stringify(numClasses)}`);
  }
  const y = checkLabels(labels, xm.rows, "labels", { numClasses });
  if (numClasses === undefined) {
    let max = 0;
    for (let i = 0; i < y.length; i++) max = Math.max(max, y[i]);
    numClasses = max + 1;
    if (numClasses < 2) throw new InvalidParameterError("labels", "every label is 0: a classifier needs at least two classes (or set spec.numClasses)");
  }
  let validation: { x: Matrix; labels: Int32Array } | undefined;
  if (options.validation !== undefined) {
    const vx = assertMatrix(options.validation.x, "validation.x");
    if (vx.cols !== xm.cols) throw new ShapeMismatchError("validation.x", `expected ${xm.cols} columns (like x), got ${vx.cols}`);
    if (vx.rows === 0) throw new ShapeMismatchError("validation.x", "expected at least one row");
    validation = { x: vx, labels: checkLabels(options.validation.labels, vx.rows, "validation.labels", { numClasses }) };
  }

  const { tf, backend } = await getTf();
  const n = xm.rows, d = xm.cols, c = numClasses;
  const widths = layerWidths(s, d, c);
  const rng = new Random(s.seed);
  const init = initialLayers(s, widths, rng);
  const standardization = s.standardize ? standardizationOf(xm) : null;
  const xf = Float32Array.from(xm.data);

  // Inside tidy so the initial-value tensors are freed (variables themselves survive a tidy).
  const weights = init.map((l) => tf.tidy(() => tf.variable(tf.tensor2d(l.weight, [l.inputDim, l.outputDim], "float32"), true)));
  const biases = init.map((l) => (l.bias ? tf.tidy(() => tf.variable(tf.tensor1d(l.bias!, "float32"), true)) : null));
  const params: Params = {
    weights, biases,
    mean: standardization ? tf.tensor1d(standardization.mean, "float32") : null,
    std: standardization ? tf.tensor1d(standardization.std, "float32") : null,
  };
  const varList: TF.Variable[] = [...weights, ...biases.filter((b): b is TF.Variable<TF.Rank.R1> => b !== null)];
  const decay = 1 - s.learningRate * s.weightDecay;
  const held = validation;
  const validationAccuracy: number[] = [];
  const started = performance.now();
  const bs = Math.min(s.batchSize, n);
  const xb = new Float32Array(bs * d);

  try {
    const fitted = await trainSoftmax(tf, {
      n, labels: y, numClasses: c, epochs: s.epochs, batchSize: s.batchSize, learningRate: s.learningRate, rng, variables: varList,
      label: options.label ?? `head ${s.kind}`, progress: options.progress,
      logits: (batch) => {
        const size = batch.length;
        for (let r = 0; r < size; r++) xb.set(xf.subarray(batch[r] * d, (batch[r] + 1) * d), r * d);
        return forwardRaw(tf, params, s.activation, tf.tensor2d(size === bs ? xb : xb.subarray(0, size * d), [size, d], "float32"));
      },
      afterStep: decay === 1 ? undefined : () => {
        for (const w of weights) w.assign(tf.mul(w, decay));
      },
      afterEpoch: held === undefined ? undefined : () => {
        validationAccuracy.push(evaluate(tf, params, s.activation, held.x, held.labels, widths));
      },
    });
    const history: HeadHistory = { ...fitted };
    if (validation) history.validationAccuracy = validationAccuracy;

    const layers: LayerState[] = init.map((l, i) => ({
      inputDim: l.inputDim, outputDim: l.outputDim,
      weight: Float32Array.from(weights[i].dataSync() as Float32Array),
      bias: biases[i] ? Float32Array.from(biases[i]!.dataSync() as Float32Array) : null,
    }));
    const training: TrainingInfo = {
      samples: n, seconds: (performance.now() - started) / 1000, backend, tfjsVersion: tf.version_core ?? "unknown",
      createdAt: new Date().toISOString(),
    };
    if (options.label !== undefined) training.label = options.label;
    return new ClassificationHead(tf, { spec: s, inputDim: d, numClasses: c, layers, standardization, history, training });
  } finally {
    for (const v of varList) v.dispose();
    params.mean?.dispose();
    params.std?.dispose();
  }
}

function evaluate(tf: Tf, p: Params, activation: Activation, x: Matrix, labels: Int32Array, widths: number[]): number {
  const d = x.cols;
  const block = Math.max(1, Math.floor(PREDICT_BLOCK_ELEMENTS / Math.max(...widths)));
  let correct = 0;
  for (let r0 = 0; r0 < x.rows; r0 += block) {
    const r1 = Math.min(x.rows, r0 + block);
    const xb = Float32Array.from(x.data.subarray(r0 * d, r1 * d));
    const predicted = tf.tidy(() => tf.argMax(forwardRaw(tf, p, activation, tf.tensor2d(xb, [r1 - r0, d], "float32")), 1).dataSync());
    for (let r = r0; r < r1; r++) if (predicted[r - r0] === labels[r]) correct++;
  }
  return correct / x.rows;
}
