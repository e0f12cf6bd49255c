/**
 * A family of Fashion-MNIST image encoders trained from scratch, independently: the offline stand-in
 * for the paper's different pretrained vision encoders. Each is an encoder network whose output is
 * the latent vector, followed by a linear softmax classifier, trained jointly with cross-entropy on
 * the same training images; the encoders differ in seed, architecture (MLP / small CNN), width,
 * depth, activation and latent size (64–512), so their latent spaces differ — the premise of latent
 * space translation.
 *
 *   mlp:  x (784, standardised pixels) → [dense + act] × hidden → dense + act → latent
 *   cnn:  x (28×28×1) → [3×3 conv ("same") + act + 2×2 max-pool] × channels → flatten → dense + act → latent
 *   both: latent → linear → 10 logits (the jointly trained head, returned as a ClassificationHead)
 *
 * The latent is the encoder's output AFTER its activation (a "penultimate layer" representation).
 *
 * Convolutions run forward as tf.conv2d (XNNPACK on wasm) with a custom gradient, because the wasm
 * backend has no Conv2DBackpropFilter kernel and its Conv2DBackpropInput is ~10× slower than a
 * forward convolution: for a 3×3 stride-1 "same" convolution
 *   dX = conv2d(dY, W flipped in space with in/out channels swapped, "same")
 *   dW = conv2d(transpose(pad(X), [C,H,W,B]), transpose(dY, [H,W,B,O]), "valid") → [C,3,3,O] → [3,3,C,O]
 * (checked against autodiff of an im2col convolution in the tests). Max-pooling is applied before
 * the bias and the activation — act(maxpool(conv + b)) = act(maxpool(conv) + b) for a per-channel
 * bias and an increasing activation — so those run on 4× fewer values.
 *
 * Reproducible: weights from our seeded `Random`, minibatch order from the same generator, the
 * training images a fixed (seed 0) stratified subset of size `trainSize` shared by every encoder
 * ("same data, different models"): one spec gives bit-identical weights on the same machine/backend.
 *
 * Quick mode (`LATENT_BRIDGE_QUICK=1`, `isQuickMode()`): `cachedImageEncoder` trains on 2,000 images
 * for at most 2 epochs (see `quickImageSpec`), so a CI notebook finishes fast.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type * as TF from "@tensorflow/tfjs";
import { cacheRoot, cachedEmbeddings } from "../../data/cache";
import { loadFashionMnist, type FashionMnist, type FashionMnistSplit } from "../../data/images/fashionMnist";
import { stratifiedSubset } from "../../data/subset";
import { getTf, type Tf } from "../../engine/tf";
import type { ProgressMode } from "../../engine/progress";
import { FileFormatError, InvalidParameterError, ShapeMismatchError } from "../../errors";
import { accuracy as accuracyOf } from "../../metrics/metrics";
import { ClassificationHead } from "../../heads/classifier";
import type { HeadState } from "../../heads/spec";
import { Matrix } from "../../linalg/matrix";
import { Random } from "../../linalg/random";
import { isQuickMode } from "../../config";
import {
  activate, ENCODER_ACTIVATIONS, initWeight, readVariables, toConstants, toVariables, trainSoftmax,
  type EncoderActivation, type ParamSpec, type SoftmaxHistory,
} from "./nn";
import { bundleChecksum, bundleFail, readBundle, shortHash, takeArray, writeBundle, type EncoderBundle } from "./persist";

/** Bump when the architecture code or preprocessing changes: cached encoders and embeddings are then redone. */
export const IMAGE_ENCODER_VERSION = 1;
/** Seed of the stratified training subset (the same for every encoder of the family). */
export const IMAGE_DATA_SEED = 0;
/** Fashion-MNIST pixel mean and standard deviation (of /255 values, train split): inputs are (p/255 − mean)/std. */
export const FASHION_MNIST_PIXEL_MEAN = 0.286;
export const FASHION_MNIST_PIXEL_STD = 0.353;
/** Quick mode: at most this many training images and epochs. */
export const QUICK_TRAIN_SIZE = 2000;
export const QUICK_EPOCHS = 2;

const SIDE = 28, PIXELS = SIDE * SIDE, CLASSES = 10;

export interface ImageEncoderSpec {
  /** Name in files, caches and plots, e.g. "mlp-256-s0" (letters, digits, . _ + -). */
  id: string;
  kind: "mlp" | "cnn";
  /** MLP: widths of the hidden dense layers before the latent layer. CNN: output channels of each 3×3 conv + 2×2 max-pool block. */
  hidden: number[];
  /** Width of the latent (encoder output) layer. */
  latentDim: number;
  activation: EncoderActivation;
  /** Seeds the weights and the minibatch order. */
  seed: number;
  epochs: number;
  /** Training images: a fixed stratified subset of the train split (60000 = all of it). */
  trainSize: number;
  /** Default 128. */
  batchSize?: number;
  /** Adam step size, default 1e-3. */
  learningRate?: number;
  /** One line for tables. */
  description?: string;
}

export type ResolvedImageEncoderSpec = Required<ImageEncoderSpec>;

/**
 * The image encoder family (full-mode settings; quick mode shrinks them, see `quickImageSpec`).
 * mlp-256-s0 and mlp-256-s1 differ ONLY in their seed.
 *
 * Measured on this machine (wasm, 1 thread, 2 shared cores), full mode on all 60,000 train images:
 * mlp-256-s0 67 s / mlp-256-s1 45 s for 5 epochs (~7–10 s per epoch unloaded), test accuracy of
 * encoder + joint head 0.878 / 0.880; cnn-16-32-l64 206 s for 3 epochs, 0.900. cnn-32-64-l128 costs
 * about 3× cnn-16-32-l64 per epoch (quick mode: 20 s against 7 s), hence 2 epochs (≈ 7 min, not
 * measured in full). Quick mode (2,000 images, 2 epochs): 0.4–1.6 s per MLP, 7 s and 20 s for the
 * CNNs, test accuracy 0.77–0.79.
 */
export const IMAGE_ENCODER_FAMILY: readonly ResolvedImageEncoderSpec[] = Object.freeze([
  { id: "mlp-256-s0", kind: "mlp", hidden: [256], latentDim: 256, activation: "relu", seed: 0, epochs: 5, trainSize: 60000, batchSize: 128, learningRate: 1e-3, description: "MLP 784→256→256 (ReLU), seed 0" },
  { id: "mlp-256-s1", kind: "mlp", hidden: [256], latentDim: 256, activation: "relu", seed: 1, epochs: 5, trainSize: 60000, batchSize: 128, learningRate: 1e-3, description: "MLP 784→256→256 (ReLU), seed 1 (only the seed differs from mlp-256-s0)" },
  { id: "mlp-512x2-tanh", kind: "mlp", hidden: [512, 512], latentDim: 256, activation: "tanh", seed: 2, epochs: 5, trainSize: 60000, batchSize: 128, learningRate: 1e-3, description: "MLP 784→512→512→256 (tanh)" },
  { id: "mlp-128-l512", kind: "mlp", hidden: [128], latentDim: 512, activation: "elu", seed: 3, epochs: 5, trainSize: 60000, batchSize: 128, learningRate: 1e-3, description: "MLP 784→128→512 (ELU): a wide latent after a narrow layer" },
  { id: "cnn-32-64-l128", kind: "cnn", hidden: [32, 64], latentDim: 128, activation: "relu", seed: 4, epochs: 2, trainSize: 60000, batchSize: 128, learningRate: 1e-3, description: "CNN conv32-pool-conv64-pool → 128 (ReLU)" },
  { id: "cnn-16-32-l64", kind: "cnn", hidden: [16, 32], latentDim: 64, activation: "tanh", seed: 5, epochs: 3, trainSize: 60000, batchSize: 128, learningRate: 1e-3, description: "CNN conv16-pool-conv32-pool → 64 (tanh)" },
].map((s) => Object.freeze({ ...s, kind: s.kind as "mlp" | "cnn", activation: s.activation as EncoderActivation, hidden: Object.freeze([...s.hidden]) as number[] })));

/** Ids of `IMAGE_ENCODER_FAMILY`, in order. */
export const IMAGE_ENCODER_IDS: readonly string[] = IMAGE_ENCODER_FAMILY.map((s) => s.id);

/** The family member with this id. @throws InvalidParameterError for an unknown id. */
export function imageEncoderSpec(id: string): ResolvedImageEncoderSpec {
  const s = IMAGE_ENCODER_FAMILY.find((x) => x.id === id);
  if (!s) throw new InvalidParameterError("id", `unknown image encoder ${JSON.stringify(id)}; known: ${IMAGE_ENCODER_IDS.join(", ")}`);
  return s;
}

const SAFE_ID = /^[A-Za-z0-9._+-]+$/;
const posInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 1;

/** Fills defaults and validates. @throws InvalidParameterError naming the field. */
export function resolveImageSpec(spec: ImageEncoderSpec, prefix = "spec"): ResolvedImageEncoderSpec {
  if (spec === null || typeof spec !== "object") throw new InvalidParameterError(prefix, "expected an image encoder spec object");
  if (typeof spec.id !== "string" || !SAFE_ID.test(spec.id)) {
    throw new InvalidParameterError(`${prefix}.id`, `expected a name of letters, digits, '.', '_', '+' or '-', got ${JSON.stringify(spec.id)}`);
  }
  if (spec.kind !== "mlp" && spec.kind !== "cnn") throw new InvalidParameterError(`${prefix}.kind`, `expected "mlp" or "cnn", got ${JSON.stringify(spec.kind)}`);
  if (!Array.isArray(spec.hidden) || !spec.hidden.every(posInt)) {
    throw new InvalidParameterError(`${prefix}.hidden`, `expected an array of positive integers, got ${JSON.stringify(spec.hidden)}`);
  }
  if (spec.kind === "cnn" && (spec.hidden.length < 1 || spec.hidden.length > 3)) {
    throw new InvalidParameterError(`${prefix}.hidden`, `a CNN needs 1–3 conv blocks (28 → 14 → 7 → 3 pixels), got ${spec.hidden.length}`);
  }
  if (!posInt(spec.latentDim)) throw new InvalidParameterError(`${prefix}.latentDim`, `expected a positive integer, got ${JSON.stringify(spec.latentDim)}`);
  if (!ENCODER_ACTIVATIONS.includes(spec.activation)) {
    throw new InvalidParameterError(`${prefix}.activation`, `expected one of ${ENCODER_ACTIVATIONS.join(", ")}, got ${JSON.stringify(spec.activation)}`);
  }
  if (typeof spec.seed !== "number" || !Number.isInteger(spec.seed)) throw new InvalidParameterError(`${prefix}.seed`, `expected an integer, got ${JSON.stringify(spec.seed)}`);
  if (!posInt(spec.epochs)) throw new InvalidParameterError(`${prefix}.epochs`, `expected an integer ≥ 1, got ${JSON.stringify(spec.epochs)}`);
  if (!posInt(spec.trainSize) || spec.trainSize < CLASSES) {
    throw new InvalidParameterError(`${prefix}.trainSize`, `expected an integer ≥ ${CLASSES}, got ${JSON.stringify(spec.trainSize)}`);
  }
  const batchSize = spec.batchSize ?? 128;
  if (!posInt(batchSize)) throw new InvalidParameterError(`${prefix}.batchSize`, `expected an integer ≥ 1, got ${JSON.stringify(batchSize)}`);
  const learningRate = spec.learningRate ?? 1e-3;
  if (typeof learningRate !== "number" || !Number.isFinite(learningRate) || learningRate <= 0) {
    throw new InvalidParameterError(`${prefix}.learningRate`, `expected a finite number > 0, got ${JSON.stringify(learningRate)}`);
  }
  return {
    id: spec.id, kind: spec.kind, hidden: [...spec.hidden], latentDim: spec.latentDim, activation: spec.activation, seed: spec.seed,
    epochs: spec.epochs, trainSize: spec.trainSize, batchSize, learningRate, description: spec.description ?? "",
  };
}

/** The quick-mode version of a spec: at most QUICK_TRAIN_SIZE images and QUICK_EPOCHS epochs. */
export function quickImageSpec(spec: ImageEncoderSpec): ResolvedImageEncoderSpec {
  const s = resolveImageSpec(spec);
  return { ...s, epochs: Math.min(s.epochs, QUICK_EPOCHS), trainSize: Math.min(s.trainSize, QUICK_TRAIN_SIZE) };
}

/** Parameter names and shapes of a spec, in order (the head last). */
function parameterShapes(s: ResolvedImageEncoderSpec): { name: string; shape: number[]; fanIn: number; act: EncoderActivation | "linear" }[] {
  const out: { name: string; shape: number[]; fanIn: number; act: EncoderActivation | "linear" }[] = [];
  let flat: number;
  if (s.kind === "mlp") {
    let width = PIXELS;
    s.hidden.forEach((h, i) => {
      out.push({ name: `dense${i}.w`, shape: [width, h], fanIn: width, act: s.activation }, { name: `dense${i}.b`, shape: [h], fanIn: 0, act: s.activation });
      width = h;
    });
    flat = width;
  } else {
    let channels = 1, side = SIDE;
    s.hidden.forEach((c, i) => {
      out.push({ name: `conv${i}.w`, shape: [3, 3, channels, c], fanIn: 9 * channels, act: s.activation }, { name: `conv${i}.b`, shape: [c], fanIn: 0, act: s.activation });
      channels = c;
      side = Math.floor(side / 2);
    });
    flat = side * side * channels;
  }
  out.push({ name: "latent.w", shape: [flat, s.latentDim], fanIn: flat, act: s.activation }, { name: "latent.b", shape: [s.latentDim], fanIn: 0, act: s.activation });
  out.push({ name: "head.w", shape: [s.latentDim, CLASSES], fanIn: s.latentDim, act: "linear" }, { name: "head.b", shape: [CLASSES], fanIn: 0, act: "linear" });
  return out;
}

function initialParams(s: ResolvedImageEncoderSpec, rng: Random): ParamSpec[] {
  return parameterShapes(s).map(({ name, shape, fanIn, act }) => ({
    name, shape,
    data: shape.length === 1 ? new Float32Array(shape[0]) : initWeight(rng, fanIn, shape[shape.length - 1], act),
  }));
}

/**
 * 3×3 stride-1 "same" convolution x [B, H, W, C] * w [3, 3, C, C'] → [B, H, W, C'], with the custom
 * gradient described in the module comment (every kernel it uses exists on the wasm backend).
 */
export function conv3x3Same(tf: Tf, x: TF.Tensor4D, w: TF.Tensor4D): TF.Tensor4D {
  const op = tf.customGrad((...args: (TF.Tensor | TF.GradSaveFunc)[]) => {
    const [xi, wi, save] = args as [TF.Tensor4D, TF.Tensor4D, TF.GradSaveFunc];
    save([xi, wi]);
    return {
      value: tf.conv2d(xi, wi, 1, "same"),
      gradFunc: (dy: TF.Tensor4D, saved: TF.Tensor[]) => {
        const [xs, ws] = saved as [TF.Tensor4D, TF.Tensor4D];
        const dx = tf.conv2d(dy, tf.transpose(tf.reverse(ws, [0, 1]), [0, 1, 3, 2]) as TF.Tensor4D, 1, "same");
        const xt = tf.transpose(tf.pad(xs, [[0, 0], [1, 1], [1, 1], [0, 0]]), [3, 1, 2, 0]) as TF.Tensor4D;
        const dyt = tf.transpose(dy, [1, 2, 0, 3]) as TF.Tensor4D;
        const dw = tf.transpose(tf.conv2d(xt, dyt, 1, "valid"), [1, 2, 0, 3]);
        return [dx, dw];
      },
    };
  });
  return op(x, w) as TF.Tensor4D;
}

/** Latent of a standardised float32 batch [B, 784]; call inside a tidy. `p` holds the parameters in `parameterShapes` order. */
function latentOf(tf: Tf, s: ResolvedImageEncoderSpec, p: TF.Tensor[], x: TF.Tensor2D): TF.Tensor2D {
  let k = 0;
  let h: TF.Tensor;
  if (s.kind === "mlp") {
    h = x;
    for (let i = 0; i < s.hidden.length; i++, k += 2) h = activate(tf, tf.add(tf.matMul(h as TF.Tensor2D, p[k] as TF.Tensor2D), p[k + 1]), s.activation);
  } else {
    const B = x.shape[0];
    let img: TF.Tensor4D = tf.reshape(x, [B, SIDE, SIDE, 1]);
    for (let i = 0; i < s.hidden.length; i++, k += 2) {
      const pooled = tf.maxPool(conv3x3Same(tf, img, p[k] as TF.Tensor4D), 2, 2, "valid");
      img = activate(tf, tf.add(pooled, p[k + 1]), s.activation) as TF.Tensor4D;
    }
    h = tf.reshape(img, [B, -1]);
  }
  return activate(tf, tf.add(tf.matMul(h as TF.Tensor2D, p[k] as TF.Tensor2D), p[k + 1]), s.activation) as TF.Tensor2D;
}

/** Standardised float32 pixels of images `indices` (or `start..start+count`) of a uint8 image array. */
function standardizedBatch(images: Uint8Array, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length * PIXELS);
  const scale = 1 / (255 * FASHION_MNIST_PIXEL_STD), shift = FASHION_MNIST_PIXEL_MEAN / FASHION_MNIST_PIXEL_STD;
  for (let r = 0; r < indices.length; r++) {
    const base = indices[r] * PIXELS, o = r * PIXELS;
    for (let j = 0; j < PIXELS; j++) out[o + j] = images[base + j] * scale - shift;
  }
  return out;
}

/** Images as the encoders take them: count × 784 grey bytes and (for training/accuracy) labels. */
export type ImageData = Pick<FashionMnist, "images" | "count"> & { labels?: Uint8Array | Int32Array };

export interface ImageTrainingInfo {
  /** Training images used. */
  samples: number;
  seconds: number;
  backend: string;
  tfjsVersion: string;
  createdAt: string;
  /** Trained with the quick-mode settings (informational). */
  quick: boolean;
}

/** Rows of activations per inference block. */
const EMBED_BLOCK = 512;

/** A trained image encoder (+ its jointly trained linear head). From `trainImageEncoder`, `loadImageEncoder` or `cachedImageEncoder`. */
export class ImageEncoder {
  readonly spec: ResolvedImageEncoderSpec;
  /** Every parameter (encoder and head) as plain float32 data, in a fixed order. */
  readonly params: readonly ParamSpec[];
  readonly history: SoftmaxHistory;
  readonly training: ImageTrainingInfo;
  /** The linear softmax classifier trained jointly on the latent (predicts the 10 classes from `embed` output). */
  readonly head: ClassificationHead;
  /** SHA-256 prefix of spec + weights: the embedding-cache version (retraining with other weights never reuses old embeddings). */
  readonly digest: string;
  private readonly tf: Tf;
  private constants: TF.Tensor[] | undefined;

  constructor(tf: Tf, spec: ResolvedImageEncoderSpec, params: ParamSpec[], history: SoftmaxHistory, training: ImageTrainingInfo) {
    this.tf = tf;
    this.spec = spec;
    this.params = params;
    this.history = history;
    this.training = training;
    const hw = params.find((p) => p.name === "head.w")!, hb = params.find((p) => p.name === "head.b")!;
    const headState: HeadState = {
      spec: {
        kind: "linear", hidden: [], activation: "relu", useBias: true, seed: spec.seed, epochs: spec.epochs,
        batchSize: spec.batchSize, learningRate: spec.learningRate, weightDecay: 0, standardize: false,
      },
      inputDim: spec.latentDim, numClasses: CLASSES,
      layers: [{ inputDim: spec.latentDim, outputDim: CLASSES, weight: hw.data, bias: hb.data }],
      standardization: null,
      history: { loss: history.loss, trainAccuracy: history.trainAccuracy, secondsPerEpoch: history.secondsPerEpoch },
      training: { samples: training.samples, seconds: training.seconds, backend: training.backend, tfjsVersion: training.tfjsVersion, createdAt: training.createdAt, label: `${spec.id} head` },
    };
    this.head = new ClassificationHead(tf, headState);
    this.digest = bundleChecksum({ kind: "image", id: spec.id, spec, meta: null, arrays: params.map((p) => ({ ...p })) }).slice(0, 12);
  }

  get id(): string {
    return this.spec.id;
  }

  get latentDim(): number {
    return this.spec.latentDim;
  }

  /** Embedding-cache version: code version + weight digest. */
  get cacheVersion(): string {
    return `${IMAGE_ENCODER_VERSION}-${this.digest}`;
  }

  /** e.g. "mlp-256-s0: MLP 784→256→256 (ReLU), seed 0 · 5 epochs on 60000 images · train acc 0.901". */
  toString(): string {
    const acc = this.history.trainAccuracy.at(-1);
    return `${this.id}: ${this.spec.description || this.spec.kind} · ${this.spec.epochs} epochs on ${this.training.samples} images` +
      (acc === undefined ? "" : ` · train acc ${acc.toFixed(3)}`);
  }

  private tensors(): TF.Tensor[] {
    if (this.constants === undefined) this.constants = toConstants(this.tf, this.params.slice(0, -2) as ParamSpec[]);
    return this.constants;
  }

  /**
   * Latent vectors (rows × latentDim) of images `indices` (default: all) of `data`.
   * @throws InvalidParameterError for an index outside the data or a wrong image array size.
   */
  embed(data: ImageData, indices?: ArrayLike<number>): Matrix {
    checkImages(data);
    const idx = indices ?? Int32Array.from({ length: data.count }, (_, i) => i);
    for (let r = 0; r < idx.length; r++) {
      const i = idx[r];
      if (!Number.isInteger(i) || i < 0 || i >= data.count) throw new InvalidParameterError("indices", `image index ${i} is outside 0..${data.count - 1}`);
    }
    const tf = this.tf, p = this.tensors(), d = this.latentDim;
    const out = new Matrix(idx.length, d);
    for (let r0 = 0; r0 < idx.length; r0 += EMBED_BLOCK) {
      const r1 = Math.min(idx.length, r0 + EMBED_BLOCK);
      const sub = Array.from({ length: r1 - r0 }, (_, k) => idx[r0 + k]);
      const xb = standardizedBatch(data.images, sub);
      const z = tf.tidy(() => latentOf(tf, this.spec, p, tf.tensor2d(xb, [r1 - r0, PIXELS], "float32")));
      try {
        out.data.set(z.dataSync() as Float32Array, r0 * d);
      } finally {
        z.dispose();
      }
    }
    return out;
  }

  /** Accuracy of encoder + head on images `indices` (default all) of labelled data. */
  accuracy(data: ImageData, indices?: ArrayLike<number>): number {
    if (!data.labels) throw new InvalidParameterError("data.labels", "accuracy needs labelled data");
    const idx = indices ?? Int32Array.from({ length: data.count }, (_, i) => i);
    const predicted = this.head.predict(this.embed(data, idx));
    const truth = Int32Array.from({ length: idx.length }, (_, r) => data.labels![idx[r]]);
    return accuracyOf(predicted, truth);
  }

  /** Frees the cached weight tensors (re-created on the next use). */
  dispose(): void {
    for (const t of this.constants ?? []) t.dispose();
    this.constants = undefined;
    this.head.dispose();
  }
}

function checkImages(data: ImageData): void {
  if (data === null || typeof data !== "object" || !(data.images instanceof Uint8Array) || !Number.isInteger(data.count)) {
    throw new InvalidParameterError("data", "expected { images: Uint8Array (count·784 grey bytes), count }");
  }
  if (data.images.length !== data.count * PIXELS) {
    throw new ShapeMismatchError("data.images", `expected ${data.count}·784 = ${data.count * PIXELS} bytes, got ${data.images.length}`);
  }
}

export interface TrainImageEncoderOptions {
  /** false silences the progress bar; a mode forces one. */
  progress?: boolean | ProgressMode;
  /** Recorded in `training.quick` (cachedImageEncoder sets it). */
  quick?: boolean;
}

/**
 * Trains one encoder + linear head on `data` (usually the Fashion-MNIST train split): a fixed
 * stratified subset of `spec.trainSize` images (all of them when trainSize ≥ count), `spec.epochs`
 * epochs of Adam on softmax cross-entropy. Deterministic for a fixed spec and data.
 * @throws InvalidParameterError for a bad spec or unlabelled data.
 */
export async function trainImageEncoder(spec: ImageEncoderSpec, data: ImageData, options: TrainImageEncoderOptions = {}): Promise<ImageEncoder> {
  const s = resolveImageSpec(spec);
  checkImages(data);
  if (!data.labels || data.labels.length !== data.count) throw new InvalidParameterError("data.labels", `expected ${data.count} labels`);
  const labels = data.labels;
  const chosen = s.trainSize >= data.count
    ? Int32Array.from({ length: data.count }, (_, i) => i)
    : stratifiedSubset(labels, { total: s.trainSize }, IMAGE_DATA_SEED);
  const n = chosen.length;
  const y = Int32Array.from(chosen, (i) => labels[i]);
  for (let i = 0; i < n; i++) if (!(y[i] >= 0 && y[i] < CLASSES)) throw new InvalidParameterError("data.labels", `expected labels 0–9, found ${y[i]}`);

  const { tf, backend } = await getTf();
  const rng = new Random(s.seed);
  const init = initialParams(s, rng);
  const variables = toVariables(tf, init);
  const headW = variables[variables.length - 2], headB = variables[variables.length - 1];
  const encoderVars = variables.slice(0, -2);
  const started = performance.now();
  try {
    const history = await trainSoftmax(tf, {
      n, labels: y, numClasses: CLASSES, epochs: s.epochs, batchSize: s.batchSize, learningRate: s.learningRate, rng, variables,
      label: `train ${s.id}`, progress: options.progress,
      logits: (batch) => {
        const rows = new Int32Array(batch.length);
        for (let r = 0; r < batch.length; r++) rows[r] = chosen[batch[r]];
        const x = tf.tensor2d(standardizedBatch(data.images, rows), [batch.length, PIXELS], "float32");
        const z = latentOf(tf, s, encoderVars, x);
        return tf.add(tf.matMul(z, headW as TF.Tensor2D), headB) as TF.Tensor2D;
      },
    });
    const params = readVariables(init, variables);
    const training: ImageTrainingInfo = {
      samples: n, seconds: (performance.now() - started) / 1000, backend, tfjsVersion: tf.version_core ?? "unknown",
      createdAt: new Date().toISOString(), quick: options.quick ?? false,
    };
    return new ImageEncoder(tf, s, params, history, training);
  } finally {
    for (const v of variables) v.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// Files and caches

/** Writes the encoder (spec, weights, history) to ONE JSON file, atomically. */
export function saveImageEncoder(encoder: ImageEncoder, path: string): void {
  const bundle: EncoderBundle = {
    kind: "image", id: encoder.id, spec: encoder.spec,
    meta: { version: IMAGE_ENCODER_VERSION, history: encoder.history, training: encoder.training },
    arrays: encoder.params.map((p) => ({ name: p.name, shape: p.shape, data: p.data })),
  };
  writeBundle(path, bundle);
}

/**
 * Reads an encoder written by `saveImageEncoder`; it embeds identically to the one saved.
 * @throws FileFormatError naming the file if it is missing, corrupt or inconsistent with its spec.
 */
export async function loadImageEncoder(path: string): Promise<ImageEncoder> {
  const b = readBundle(path, "image");
  const fail = bundleFail(path);
  let spec: ResolvedImageEncoderSpec;
  try {
    spec = resolveImageSpec(b.spec as ImageEncoderSpec);
  } catch (e) {
    return fail(`bad spec: ${(e as Error).message}`);
  }
  const meta = (b.meta ?? {}) as { version?: unknown; history?: SoftmaxHistory; training?: ImageTrainingInfo };
  if (meta.version !== IMAGE_ENCODER_VERSION) fail(`written by image-encoder code version ${JSON.stringify(meta.version)}, this is ${IMAGE_ENCODER_VERSION}`);
  const shapes = parameterShapes(spec);
  if (b.arrays.length !== shapes.length) fail(`holds ${b.arrays.length} arrays, the spec needs ${shapes.length}`);
  const params: ParamSpec[] = shapes.map(({ name, shape }) => ({ name, shape, data: takeArray(b, name, shape, fail) }));
  const h = meta.history;
  if (!h || !Array.isArray(h.loss) || !Array.isArray(h.trainAccuracy) || !Array.isArray(h.secondsPerEpoch)) fail(`"meta.history" is missing or malformed`);
  const t = meta.training;
  if (!t || typeof t.samples !== "number" || typeof t.seconds !== "number") fail(`"meta.training" is missing or malformed`);
  const { tf } = await getTf();
  return new ImageEncoder(tf, spec, params, h!, t!);
}

/** Folder of cached trained encoders: `<cacheRoot()>/encoders/<dataset>`. */
export function encoderCacheDir(dataset: string): string {
  return join(cacheRoot(), "encoders", dataset);
}

export interface CachedImageEncoderOptions {
  /** Default `isQuickMode()`: train with `quickImageSpec(spec)`. */
  quick?: boolean;
  /** Training data; default the Fashion-MNIST train split (loaded only when training is needed). */
  data?: ImageData;
  /** Folder of the encoder files, default `<cacheRoot()>/encoders/fashion-mnist`. */
  dir?: string;
  progress?: boolean | ProgressMode;
}

/** Where `cachedImageEncoder` keeps the encoder of this (effective) spec. */
export function imageEncoderPath(spec: ImageEncoderSpec, options: Pick<CachedImageEncoderOptions, "quick" | "dir"> = {}): string {
  const quick = options.quick ?? isQuickMode();
  const s = quick ? quickImageSpec(spec) : resolveImageSpec(spec);
  return join(options.dir ?? encoderCacheDir("fashion-mnist"), `${s.id}-${shortHash({ s, v: IMAGE_ENCODER_VERSION }, 8)}.json`);
}

/**
 * The encoder of `spec`, trained once and kept in `<cacheRoot()>/encoders/fashion-mnist/` (file name
 * = id + hash of the effective spec, so quick- and full-mode encoders never collide). A corrupt file
 * is reported on stderr and retrained.
 */
export async function cachedImageEncoder(spec: ImageEncoderSpec, options: CachedImageEncoderOptions = {}): Promise<ImageEncoder> {
  const quick = options.quick ?? isQuickMode();
  const s = quick ? quickImageSpec(spec) : resolveImageSpec(spec);
  const path = imageEncoderPath(spec, options);
  if (existsSync(path)) {
    try {
      const e = await loadImageEncoder(path);
      if (JSON.stringify(e.spec) === JSON.stringify(s)) return e;
      console.warn(`encoder cache: ${path} holds another spec; retraining`);
      e.dispose();
    } catch (err) {
      if (!(err instanceof FileFormatError)) throw err;
      console.warn(`encoder cache: ${err.message}; retraining`);
    }
  }
  const data = options.data ?? loadFashionMnist({ split: "train" });
  const encoder = await trainImageEncoder(s, data, { quick, progress: options.progress });
  saveImageEncoder(encoder, path);
  return encoder;
}

export interface EmbedFashionMnistOptions {
  split: FashionMnistSplit;
  /** Which images (default all of the split); give `subsetName` with them. */
  indices?: ArrayLike<number>;
  /** Cache name of the subset, e.g. "n2000-s0"; default "all" (only without `indices`). */
  subsetName?: string;
  /** The split's data if already loaded. */
  data?: ImageData;
}

/**
 * Latents of Fashion-MNIST images through the embedding cache (dataset "fashion-mnist", encoder =
 * the encoder id, version = code version + weight digest, seed = the encoder's seed).
 */
export async function embedFashionMnist(encoder: ImageEncoder, options: EmbedFashionMnistOptions): Promise<Matrix> {
  const { split } = options;
  if (split !== "train" && split !== "test") throw new InvalidParameterError("split", `expected "train" or "test", got ${JSON.stringify(split)}`);
  if (options.indices !== undefined && options.subsetName === undefined) {
    throw new InvalidParameterError("subsetName", "name the subset (e.g. \"n2000-s0\") when passing indices, so its embeddings are cached under that name");
  }
  const subset = options.subsetName ?? "all";
  let data = options.data;
  const load = () => (data ??= loadFashionMnist({ split }));
  const count = options.indices ? options.indices.length : load().count;
  return cachedEmbeddings(
    { dataset: "fashion-mnist", split, subset, encoder: encoder.id, version: encoder.cacheVersion, seed: encoder.spec.seed },
    {
      count,
      chunkSize: 2048,
      label: `embed ${encoder.id}`,
      embed: (start, end) => {
        const d = load();
        const idx = options.indices
          ? Array.from({ length: end - start }, (_, k) => options.indices![start + k])
          : Array.from({ length: end - start }, (_, k) => start + k);
        return encoder.embed(d, idx);
      },
    },
  );
}
