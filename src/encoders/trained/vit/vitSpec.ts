/**
 * The vision-transformer family's specs: patch size, the transformer stack (width, depth, heads,
 * MLP ratio, LayerNorm placement), pooling, seed and training budget; the family's members, their
 * validation and the quick-mode shrink. See vitEncoders.ts for the family as a whole.
 */
import { InvalidParameterError } from "../../../errors";
import { assertFraction, assertInteger, assertOneOf, assertPositiveNumber, assertSafeName, assertSeed } from "../../../validate";
import { checkTransformerShape, type NormPlacement, type TransformerShape } from "../transformer/stack";

/** Bump when the network, preprocessing or training code changes: cached encoders and embeddings are redone. */
export const VIT_ENCODER_VERSION = 1;
/** Image side (Fashion-MNIST and the grey emoji: 28 × 28). */
export const VIT_IMAGE_SIDE = 28;
/** Classes of the jointly trained head (Fashion-MNIST's 10; the emoji encoders pass their own). */
export const VIT_DEFAULT_CLASSES = 10;
/** Quick mode: at most this many training images and epochs. */
export const QUICK_VIT_TRAIN_SIZE = 2000;
export const QUICK_VIT_EPOCHS = 4;

export type VitPooling = "cls" | "mean";
export const VIT_POOLINGS: readonly VitPooling[] = ["cls", "mean"];

export interface VitSpec extends TransformerShape {
  /** Name in files, caches and plots; begins with "vit-". */
  id: string;
  /** Side of the square patches (divides 28: 2, 4, 7, 14). */
  patch: number;
  /** "cls": a learned [CLS] token is prepended and its final state is the embedding; "mean": the mean of the patch tokens' final states. */
  pooling: VitPooling;
  /** Seeds the weights and the minibatch order. */
  seed: number;
  epochs: number;
  /** Training images: a fixed stratified subset of the training data (≥ its size = all of it). */
  trainSize: number;
  /** Default 64. */
  batchSize?: number;
  /** Peak Adam step size of the warm-up + cosine schedule, default 1e-3. */
  learningRate?: number;
  /** Fraction of the steps spent warming up, default 0.1. */
  warmup?: number;
  /** Classes of the jointly trained linear head, default 10. */
  classes?: number;
  description?: string;
}

export type ResolvedVitSpec = Required<VitSpec>;

function member(id: string, s: Omit<VitSpec, "id" | "heads" | "mlpRatio" | "trainSize" | "batchSize" | "warmup" | "classes" | "patch"> & { heads?: number }): ResolvedVitSpec {
  return resolveVitSpec({ id, patch: 7, heads: s.heads ?? 4, mlpRatio: 2, trainSize: 60000, batchSize: 64, ...s });
}

/**
 * The ViT family on Fashion-MNIST (full-mode settings; quick mode shrinks the training, see
 * `quickVitSpec`). 7 × 7 patches (16 tokens, + [CLS]) and a 2× MLP — the trade the 20-minute
 * budget forced (4 × 4 patches cost 4× as much per image and were no better in a short run); the
 * epochs are what fits in ~15–20 minutes on this machine. Measured in full mode: vit-pre-cls-d64-l4-s0
 * 16.7 min, test accuracy 0.892 (its head); vit-post-cls-d128-l6-s3 11.9 min, 0.881; the others are
 * extrapolated (README). Peak learning rate 3e-3 for pre-LN, 1e-3 for post-LN (whose wider members
 * diverged at 3e-3). vit-pre-cls-d64-l4-s0 and -s1 differ ONLY in their seed.
 */
export const VIT_ENCODER_FAMILY: readonly ResolvedVitSpec[] = Object.freeze([
  member("vit-pre-cls-d64-l4-s0", { width: 64, depth: 4, norm: "pre", pooling: "cls", seed: 0, epochs: 10, learningRate: 3e-3, description: "ViT 7×7 patches, width 64, 4 pre-LN blocks, [CLS], seed 0" }),
  member("vit-pre-cls-d64-l4-s1", { width: 64, depth: 4, norm: "pre", pooling: "cls", seed: 1, epochs: 10, learningRate: 3e-3, description: "ViT 7×7 patches, width 64, 4 pre-LN blocks, [CLS], seed 1 (only the seed differs)" }),
  member("vit-post-mean-d96-l4-s2", { width: 96, depth: 4, norm: "post", pooling: "mean", seed: 2, epochs: 5, learningRate: 1e-3, description: "ViT 7×7 patches, width 96, 4 post-LN blocks, mean pooling" }),
  member("vit-post-cls-d128-l6-s3", { width: 128, depth: 6, norm: "post", pooling: "cls", seed: 3, epochs: 2, learningRate: 1e-3, description: "ViT 7×7 patches, width 128, 6 post-LN blocks, [CLS]" }),
]);

export const VIT_ENCODER_IDS: readonly string[] = VIT_ENCODER_FAMILY.map((s) => s.id);

/**
 * The vision transformers trained on the grey 28×28 Google emoji of the train split (9 classes):
 * ~25 steps per epoch, hence 40 epochs (≈ 60,000 images seen, a minute or two here). Trained and
 * cached by experiments/emojiSpaces.ts (`cachedEmojiVit`, folder encoders/emoji-google-aligned/).
 */
export const EMOJI_VIT_FAMILY: readonly VitSpec[] = Object.freeze([
  {
    id: "vit-emoji-pre-d64-l4-s0", patch: 7, width: 64, depth: 4, heads: 4, mlpRatio: 2, norm: "pre", pooling: "cls", seed: 0, epochs: 40,
    trainSize: 100000, batchSize: 64, learningRate: 3e-3, classes: 9, description: "ViT 7×7 patches, width 64, 4 pre-LN blocks, [CLS], trained on the grey 28×28 Google emoji",
  },
  {
    id: "vit-emoji-post-d96-l4-s1", patch: 7, width: 96, depth: 4, heads: 4, mlpRatio: 2, norm: "post", pooling: "mean", seed: 1, epochs: 40,
    trainSize: 100000, batchSize: 64, learningRate: 1e-3, classes: 9, description: "ViT 7×7 patches, width 96, 4 post-LN blocks, mean pooling, trained on the grey 28×28 Google emoji",
  },
]);

/** The family member with this id. @throws InvalidParameterError for an unknown id. */
export function vitEncoderSpec(id: string): ResolvedVitSpec {
  const s = VIT_ENCODER_FAMILY.find((x) => x.id === id);
  if (!s) throw new InvalidParameterError("id", `unknown ViT encoder ${JSON.stringify(id)}; known: ${VIT_ENCODER_IDS.join(", ")}`);
  return s;
}

/** Tokens per image (patches, + 1 for [CLS]). */
export function vitTokens(s: Pick<VitSpec, "patch" | "pooling">): number {
  return (VIT_IMAGE_SIDE / s.patch) ** 2 + (s.pooling === "cls" ? 1 : 0);
}

/** Fills defaults and validates. @throws InvalidParameterError naming the field. */
export function resolveVitSpec(spec: VitSpec, prefix = "spec"): ResolvedVitSpec {
  if (spec === null || typeof spec !== "object") throw new InvalidParameterError(prefix, "expected a ViT spec object");
  assertSafeName(spec.id, `${prefix}.id`);
  if (!spec.id.startsWith("vit-")) throw new InvalidParameterError(`${prefix}.id`, `a ViT's id begins with "vit-", got ${JSON.stringify(spec.id)}`);
  assertInteger(spec.patch, `${prefix}.patch`, 1);
  if (VIT_IMAGE_SIDE % spec.patch !== 0 || spec.patch === VIT_IMAGE_SIDE) {
    throw new InvalidParameterError(`${prefix}.patch`, `expected a patch side dividing ${VIT_IMAGE_SIDE} into ≥ 2 patches per side (2, 4, 7, 14), got ${spec.patch}`);
  }
  checkTransformerShape(spec, prefix);
  assertOneOf(spec.pooling, VIT_POOLINGS, `${prefix}.pooling`);
  assertSeed(spec.seed, `${prefix}.seed`);
  assertInteger(spec.epochs, `${prefix}.epochs`, 1);
  const classes = spec.classes ?? VIT_DEFAULT_CLASSES;
  assertInteger(classes, `${prefix}.classes`, 2);
  assertInteger(spec.trainSize, `${prefix}.trainSize`, classes);
  const batchSize = spec.batchSize ?? 64;
  assertInteger(batchSize, `${prefix}.batchSize`, 1);
  const learningRate = assertPositiveNumber(spec.learningRate ?? 1e-3, `${prefix}.learningRate`);
  const warmup = assertFraction(spec.warmup ?? 0.1, `${prefix}.warmup`, "[)", "a fraction of the steps");
  return {
    id: spec.id, patch: spec.patch, width: spec.width, depth: spec.depth, heads: spec.heads, mlpRatio: spec.mlpRatio,
    norm: spec.norm as NormPlacement, pooling: spec.pooling, seed: spec.seed, epochs: spec.epochs, trainSize: spec.trainSize,
    batchSize, learningRate, warmup, classes, description: spec.description ?? "",
  };
}

/** The quick-mode version of a spec: at most QUICK_VIT_TRAIN_SIZE images and QUICK_VIT_EPOCHS epochs (the architecture is kept). */
export function quickVitSpec(spec: VitSpec): ResolvedVitSpec {
  const s = resolveVitSpec(spec);
  return { ...s, epochs: Math.min(s.epochs, QUICK_VIT_EPOCHS), trainSize: Math.min(s.trainSize, QUICK_VIT_TRAIN_SIZE) };
}
