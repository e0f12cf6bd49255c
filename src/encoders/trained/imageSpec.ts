/**
 * The Fashion-MNIST image encoder family's specs: what an encoder is (MLP or small CNN, widths,
 * latent size, activation, seed, training budget), the family's members, their validation and the
 * quick-mode shrink. See imageEncoders.ts for the family as a whole.
 */
import { InvalidParameterError } from "../../errors";
import { assertInteger, assertPositiveNumber, assertSafeName, assertSeed, isPositiveInteger } from "../../validate";
import { ENCODER_ACTIVATIONS, type EncoderActivation } from "./nn";

/** Bump when the architecture code or preprocessing changes: cached encoders and embeddings are then redone. */
export const IMAGE_ENCODER_VERSION = 1;
/** Quick mode: at most this many training images and epochs. */
export const QUICK_TRAIN_SIZE = 2000;
export const QUICK_EPOCHS = 2;
/** Classes of Fashion-MNIST (and of every encoder's jointly trained head). */
export const IMAGE_CLASSES = 10;

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
 * Full mode (all 60,000 train images), test accuracy of encoder + joint head: mlp-256-s0 / -s1
 * 0.878 / 0.880 after 5 epochs, cnn-16-32-l64 0.900 after 3. cnn-32-64-l128 costs about 3×
 * cnn-16-32-l64 per epoch, hence 2 epochs. Quick mode (2,000 images, 2 epochs): 0.77–0.79. Training
 * times are in the README's results section.
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

/** Fills defaults and validates. @throws InvalidParameterError naming the field. */
export function resolveImageSpec(spec: ImageEncoderSpec, prefix = "spec"): ResolvedImageEncoderSpec {
  if (spec === null || typeof spec !== "object") throw new InvalidParameterError(prefix, "expected an image encoder spec object");
  assertSafeName(spec.id, `${prefix}.id`);
  if (spec.kind !== "mlp" && spec.kind !== "cnn") throw new InvalidParameterError(`${prefix}.kind`, `expected "mlp" or "cnn", got ${JSON.stringify(spec.kind)}`);
  if (!Array.isArray(spec.hidden) || !spec.hidden.every(isPositiveInteger)) {
    throw new InvalidParameterError(`${prefix}.hidden`, `expected an array of positive integers, got ${JSON.stringify(spec.hidden)}`);
  }
  if (spec.kind === "cnn" && (spec.hidden.length < 1 || spec.hidden.length > 3)) {
    throw new InvalidParameterError(`${prefix}.hidden`, `a CNN needs 1–3 conv blocks (28 → 14 → 7 → 3 pixels), got ${spec.hidden.length}`);
  }
  assertInteger(spec.latentDim, `${prefix}.latentDim`, 1);
  if (!ENCODER_ACTIVATIONS.includes(spec.activation)) {
    throw new InvalidParameterError(`${prefix}.activation`, `expected one of ${ENCODER_ACTIVATIONS.join(", ")}, got ${JSON.stringify(spec.activation)}`);
  }
  assertSeed(spec.seed, `${prefix}.seed`);
  assertInteger(spec.epochs, `${prefix}.epochs`, 1);
  assertInteger(spec.trainSize, `${prefix}.trainSize`, IMAGE_CLASSES);
  const batchSize = spec.batchSize ?? 128;
  assertInteger(batchSize, `${prefix}.batchSize`, 1);
  const learningRate = assertPositiveNumber(spec.learningRate ?? 1e-3, `${prefix}.learningRate`);
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
