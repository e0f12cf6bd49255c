/**
 * Classification-head specifications: the user-facing `HeadSpec`, its defaults and validation, and
 * the plain-data state of a trained head (`HeadState`) that the head class and the file format share.
 */
import { InvalidParameterError } from "../errors";
import { assertBoolean, assertPositiveNumber, assertSeed, isPositiveInteger } from "../validate";

/** Hidden-layer nonlinearity. "cos" is elementwise Math.cos (the paper's cosine MLP, Fig. 4). */
export type Activation = "relu" | "tanh" | "cos" | "linear";

export const ACTIVATIONS: readonly Activation[] = ["relu", "tanh", "cos", "linear"];

export interface HeadSpec {
  /** "linear": one affine layer (logistic regression); "mlp": hidden layers + a linear output layer. */
  kind: "linear" | "mlp";
  /** Hidden widths of an MLP. Default [256, 256] (two hidden layers, as in the paper's Fig. 4). Must be empty/absent for "linear". */
  hidden?: number[];
  /** Hidden activation of an MLP. Default "relu". Ignored by "linear". */
  activation?: Activation;
  /** Bias terms in every layer. Default true. false makes a ReLU (or linear) head exactly positively homogeneous. */
  useBias?: boolean;
  /** Seeds weight initialisation and minibatch order (integer). */
  seed: number;
  /** Default 20. */
  epochs?: number;
  /** Default 128. */
  batchSize?: number;
  /** Adam step size. Default 1e-3. */
  learningRate?: number;
  /** Decoupled (AdamW-style) weight decay on the weight matrices, not the biases: W ← W·(1 − lr·wd) after each step. Default 0. */
  weightDecay?: number;
  /** Standardise inputs with the training mean/std (stored in the head). Default false: raw embeddings, as in the paper. */
  standardize?: boolean;
  /** Number of classes. Default: largest training label + 1. Set it when the training labels may miss the last classes. */
  numClasses?: number;
}

/** A spec with every default filled in (what a head stores and saves). */
export interface ResolvedHeadSpec {
  kind: "linear" | "mlp";
  hidden: number[];
  activation: Activation;
  useBias: boolean;
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  standardize: boolean;
}

export const HEAD_DEFAULTS = {
  hidden: [256, 256],
  activation: "relu" as Activation,
  useBias: true,
  epochs: 20,
  batchSize: 128,
  learningRate: 1e-3,
  weightDecay: 0,
  standardize: false,
} as const;

/** One dense layer: y = x·W (+ b); W is inputDim×outputDim, row-major. */
export interface LayerState {
  inputDim: number;
  outputDim: number;
  weight: Float32Array;
  bias: Float32Array | null;
}

export interface HeadHistory {
  /** Mean training cross-entropy per epoch (over the epoch's minibatches, before each update). */
  loss: number[];
  /** Training accuracy per epoch, on the minibatches as they were seen (before each update). */
  trainAccuracy: number[];
  /** Accuracy on `options.validation` after each epoch, when given. */
  validationAccuracy?: number[];
  /** Wall-clock seconds per epoch. */
  secondsPerEpoch: number[];
}

export interface TrainingInfo {
  /** Training rows. */
  samples: number;
  /** Total training time in seconds. */
  seconds: number;
  /** tfjs backend that trained the head ("wasm", "cpu", …). */
  backend: string;
  tfjsVersion: string;
  /** ISO date. */
  createdAt: string;
  label?: string;
}

/** Everything that defines a trained head, as plain data. */
export interface HeadState {
  spec: ResolvedHeadSpec;
  inputDim: number;
  numClasses: number;
  layers: LayerState[];
  /** Input standardisation x ↦ (x − mean) / std, when `spec.standardize`. */
  standardization: { mean: Float32Array; std: Float32Array } | null;
  history: HeadHistory;
  training: TrainingInfo;
}

/**
 * Fills defaults and validates. Errors name the field as `spec.<field>` (or `<prefix>.<field>`).
 * @throws InvalidParameterError on any invalid field.
 */
export function resolveHeadSpec(spec: HeadSpec, prefix = "spec"): ResolvedHeadSpec {
  if (spec === null || typeof spec !== "object") {
    throw new InvalidParameterError(prefix, `expected a head spec object, got ${spec === null ? "null" : typeof spec}`);
  }
  const kind = spec.kind;
  if (kind !== "linear" && kind !== "mlp") {
    throw new InvalidParameterError(`${prefix}.kind`, `expected "linear" or "mlp", got ${JSON.stringify(kind)}`);
  }
  let hidden: number[];
  if (kind === "linear") {
    if (spec.hidden !== undefined && (!Array.isArray(spec.hidden) || spec.hidden.length > 0)) {
      throw new InvalidParameterError(`${prefix}.hidden`, `a linear head has no hidden layers; got ${JSON.stringify(spec.hidden)} (use kind "mlp")`);
    }
    hidden = [];
  } else {
    const h = spec.hidden ?? HEAD_DEFAULTS.hidden;
    if (!Array.isArray(h) || !h.every(isPositiveInteger)) {
      throw new InvalidParameterError(`${prefix}.hidden`, `expected an array of positive integer widths, got ${JSON.stringify(h)}`);
    }
    hidden = [...h];
  }
  const activation = spec.activation ?? HEAD_DEFAULTS.activation;
  if (!ACTIVATIONS.includes(activation)) {
    throw new InvalidParameterError(`${prefix}.activation`, `expected one of ${ACTIVATIONS.join(", ")}, got ${JSON.stringify(activation)}`);
  }
  const useBias = assertBoolean(spec.useBias ?? HEAD_DEFAULTS.useBias, `${prefix}.useBias`);
  const standardize = assertBoolean(spec.standardize ?? HEAD_DEFAULTS.standardize, `${prefix}.standardize`);
  const seed = assertSeed(spec.seed, `${prefix}.seed`);
  const epochs = spec.epochs ?? HEAD_DEFAULTS.epochs;
  if (!isPositiveInteger(epochs)) throw new InvalidParameterError(`${prefix}.epochs`, `expected an integer ≥ 1, got ${JSON.stringify(epochs)}`);
  const batchSize = spec.batchSize ?? HEAD_DEFAULTS.batchSize;
  if (!isPositiveInteger(batchSize)) throw new InvalidParameterError(`${prefix}.batchSize`, `expected an integer ≥ 1, got ${JSON.stringify(batchSize)}`);
  const learningRate = assertPositiveNumber(spec.learningRate ?? HEAD_DEFAULTS.learningRate, `${prefix}.learningRate`);
  const weightDecay = spec.weightDecay ?? HEAD_DEFAULTS.weightDecay;
  if (typeof weightDecay !== "number" || !Number.isFinite(weightDecay) || weightDecay < 0 || learningRate * weightDecay >= 1) {
    throw new InvalidParameterError(`${prefix}.weightDecay`, `expected a finite number ≥ 0 with learningRate·weightDecay < 1, got ${JSON.stringify(weightDecay)}`);
  }
  return { kind, hidden, activation, useBias, seed, epochs, batchSize, learningRate, weightDecay, standardize };
}

/** Layer widths from input to output: [inputDim, ...hidden, numClasses]. */
export function layerWidths(spec: ResolvedHeadSpec, inputDim: number, numClasses: number): number[] {
  return [inputDim, ...spec.hidden, numClasses];
}
