/**
 * The text encoder family's specs — LSA (TF-IDF → truncated SVD) and bag-of-words MLPs — the
 * family's members, their validation and quick-mode shrink, what every text encoder offers
 * (`TrainedTextEncoder`) and what it is fitted on (`TextTrainingData`). See textEncoders.ts for the
 * family as a whole.
 */
import { InvalidParameterError } from "../../errors";
import type { Matrix } from "../../linalg/matrix";
import { assertInteger, assertPositiveNumber, assertSafeName, assertSeed, isPositiveInteger } from "../../validate";
import { resolveLsaOptions, type LsaOptions, type ResolvedLsaOptions } from "./lsa";
import { ENCODER_ACTIVATIONS, type EncoderActivation } from "./nn";
import { CJK_MODES, type CjkMode } from "./tokenize";

/** Bump when tokenisation, features or model code change: cached encoders and embeddings are redone. */
export const TEXT_ENCODER_VERSION = 1;
/** Quick mode: at most this many training documents, and at most QUICK_TEXT_EPOCHS epochs for bow-mlp. */
export const QUICK_TEXT_TRAIN_SIZE = 10000;
export const QUICK_TEXT_EPOCHS = 2;

export interface LsaEncoderSpec extends LsaOptions {
  kind: "lsa";
  /** e.g. "lsa-128-s0" (letters, digits, . _ + -). */
  id: string;
  /** Japanese segmentation, default "kuromoji". */
  cjk?: CjkMode;
  /** Fit on at most this many training documents (the corpus's stable order); default all. */
  trainSize?: number;
  description?: string;
}

export interface BowMlpSpec {
  kind: "bow-mlp";
  id: string;
  /** hidden[0]: width of the embedding bag; further entries: dense layers before the latent layer. */
  hidden: number[];
  latentDim: number;
  activation: EncoderActivation;
  seed: number;
  epochs: number;
  /** Hash buckets of the unigram+bigram features. Default 32768. */
  buckets?: number;
  /** Default 128. */
  batchSize?: number;
  /** Adam step size (embedding table and dense layers), default 1e-3. */
  learningRate?: number;
  trainSize?: number;
  cjk?: CjkMode;
  description?: string;
}

export type TextEncoderSpec = LsaEncoderSpec | BowMlpSpec;

export interface ResolvedLsaEncoderSpec extends ResolvedLsaOptions {
  kind: "lsa";
  id: string;
  cjk: CjkMode;
  /** 0 = all training documents. */
  trainSize: number;
  description: string;
}

export interface ResolvedBowMlpSpec {
  kind: "bow-mlp";
  id: string;
  hidden: number[];
  latentDim: number;
  activation: EncoderActivation;
  seed: number;
  epochs: number;
  buckets: number;
  batchSize: number;
  learningRate: number;
  trainSize: number;
  cjk: CjkMode;
  description: string;
}

export type ResolvedTextEncoderSpec = ResolvedLsaEncoderSpec | ResolvedBowMlpSpec;

/**
 * The text encoder family (applies to either corpus; fit with `fitTextEncoder` / `cachedTextEncoder`).
 * lsa-128-s0/-s1/-s2 differ only in their seed; the rest vary the size (64–384) or the model kind.
 */
export const TEXT_ENCODER_FAMILY: readonly ResolvedTextEncoderSpec[] = Object.freeze([
  lsa("lsa-64-s0", 64, 0),
  lsa("lsa-128-s0", 128, 0),
  lsa("lsa-128-s1", 128, 1),
  lsa("lsa-128-s2", 128, 2),
  lsa("lsa-256-s0", 256, 0),
  lsa("lsa-384-s1", 384, 1),
  resolveTextSpec({ kind: "bow-mlp", id: "bow-mlp-256-l128-s0", hidden: [256], latentDim: 128, activation: "relu", seed: 0, epochs: 4, description: "hashed uni+bigrams → bag 256 → latent 128 (ReLU), supervised" }),
  resolveTextSpec({ kind: "bow-mlp", id: "bow-mlp-512-l256-tanh-s1", hidden: [512], latentDim: 256, activation: "tanh", seed: 1, epochs: 4, description: "hashed uni+bigrams → bag 512 → latent 256 (tanh), supervised" }),
]);

function lsa(id: string, dim: number, seed: number): ResolvedLsaEncoderSpec {
  return resolveTextSpec({ kind: "lsa", id, dim, seed, description: `TF-IDF → randomized SVD, ${dim} components, seed ${seed} (bagged documents and vocabulary)` }) as ResolvedLsaEncoderSpec;
}

export const TEXT_ENCODER_IDS: readonly string[] = TEXT_ENCODER_FAMILY.map((s) => s.id);

/** The family member with this id. @throws InvalidParameterError for an unknown id. */
export function textEncoderSpec(id: string): ResolvedTextEncoderSpec {
  const s = TEXT_ENCODER_FAMILY.find((x) => x.id === id);
  if (!s) throw new InvalidParameterError("id", `unknown text encoder ${JSON.stringify(id)}; known: ${TEXT_ENCODER_IDS.join(", ")}`);
  return s;
}

/** Fills defaults and validates. @throws InvalidParameterError naming the field. */
export function resolveTextSpec(spec: TextEncoderSpec, prefix = "spec"): ResolvedTextEncoderSpec {
  if (spec === null || typeof spec !== "object") throw new InvalidParameterError(prefix, "expected a text encoder spec object");
  assertSafeName(spec.id, `${prefix}.id`);
  const cjk = spec.cjk ?? "kuromoji";
  if (!CJK_MODES.includes(cjk)) throw new InvalidParameterError(`${prefix}.cjk`, `expected "kuromoji" or "bigram", got ${JSON.stringify(cjk)}`);
  const trainSize = spec.trainSize ?? 0;
  if (!Number.isInteger(trainSize) || trainSize < 0) throw new InvalidParameterError(`${prefix}.trainSize`, `expected an integer ≥ 0 (0 = all), got ${JSON.stringify(trainSize)}`);
  const description = spec.description ?? "";
  if (spec.kind === "lsa") {
    const { kind: _k, id: _i, cjk: _c, trainSize: _t, description: _d, ...rest } = spec;
    return { kind: "lsa", id: spec.id, ...resolveLsaOptions(rest, prefix), cjk, trainSize, description };
  }
  if (spec.kind !== "bow-mlp") throw new InvalidParameterError(`${prefix}.kind`, `expected "lsa" or "bow-mlp", got ${JSON.stringify((spec as { kind: unknown }).kind)}`);
  if (!Array.isArray(spec.hidden) || spec.hidden.length < 1 || !spec.hidden.every(isPositiveInteger)) {
    throw new InvalidParameterError(`${prefix}.hidden`, `expected ≥ 1 positive integer widths (hidden[0] = bag width), got ${JSON.stringify(spec.hidden)}`);
  }
  assertInteger(spec.latentDim, `${prefix}.latentDim`, 1);
  if (!ENCODER_ACTIVATIONS.includes(spec.activation)) {
    throw new InvalidParameterError(`${prefix}.activation`, `expected one of ${ENCODER_ACTIVATIONS.join(", ")}, got ${JSON.stringify(spec.activation)}`);
  }
  assertSeed(spec.seed, `${prefix}.seed`);
  assertInteger(spec.epochs, `${prefix}.epochs`, 1);
  const buckets = spec.buckets ?? 32768;
  assertInteger(buckets, `${prefix}.buckets`, 16);
  const batchSize = spec.batchSize ?? 128;
  assertInteger(batchSize, `${prefix}.batchSize`, 1);
  const learningRate = assertPositiveNumber(spec.learningRate ?? 1e-3, `${prefix}.learningRate`);
  return {
    kind: "bow-mlp", id: spec.id, hidden: [...spec.hidden], latentDim: spec.latentDim, activation: spec.activation, seed: spec.seed,
    epochs: spec.epochs, buckets, batchSize, learningRate, trainSize, cjk, description,
  };
}

/** The quick-mode version of a spec: at most QUICK_TEXT_TRAIN_SIZE documents (and QUICK_TEXT_EPOCHS epochs). */
export function quickTextSpec(spec: TextEncoderSpec): ResolvedTextEncoderSpec {
  const s = resolveTextSpec(spec);
  const trainSize = s.trainSize === 0 ? QUICK_TEXT_TRAIN_SIZE : Math.min(s.trainSize, QUICK_TEXT_TRAIN_SIZE);
  return s.kind === "lsa" ? { ...s, trainSize } : { ...s, trainSize, epochs: Math.min(s.epochs, QUICK_TEXT_EPOCHS) };
}

/** What every trained text encoder offers. */
export interface TrainedTextEncoder {
  /** spec id + "." + corpus trained on, e.g. "lsa-128-s0.wordnet" (the embedding-cache encoder name). */
  readonly id: string;
  readonly spec: ResolvedTextEncoderSpec;
  /** Output dimension. */
  readonly dim: number;
  /** Corpus name it was fitted on ("wordnet", "debian", or what `fitTextEncoder` was told). */
  readonly trainedOn: string;
  /** SHA-256 prefix of spec + parameters. */
  readonly digest: string;
  /** Embedding-cache version: code version + digest. */
  readonly cacheVersion: string;
  /** Texts given to the last `embed` call that had no known feature (LSA: zero rows). */
  readonly lastEmptyCount: number;
  embed(texts: readonly string[]): Promise<Matrix>;
  toString(): string;
  dispose(): void;
}

/** Training texts (and, for bow-mlp, labels). */
export interface TextTrainingData {
  texts: readonly string[];
  labels?: ArrayLike<number>;
  /** Default: largest label + 1. */
  numClasses?: number;
  classNames?: string[];
  /** Recorded as the encoder's `trainedOn` (part of its id), e.g. "wordnet". */
  name?: string;
}

/** The texts an encoder of `s` is fitted on (the first `s.trainSize` when set) and the corpus name it records. */
export function trainingTexts(s: ResolvedTextEncoderSpec, data: TextTrainingData): { texts: string[]; trainedOn: string } {
  if (data === null || typeof data !== "object" || !Array.isArray(data.texts)) throw new InvalidParameterError("data.texts", "expected an array of strings");
  const trainedOn = data.name ?? "";
  if (trainedOn) assertSafeName(trainedOn, "data.name");
  const n = s.trainSize > 0 ? Math.min(s.trainSize, data.texts.length) : data.texts.length;
  return { texts: data.texts.slice(0, n), trainedOn };
}

/** The embedding-cache name of a text encoder: spec id + "." + corpus (just the spec id when fitted on unnamed data). */
export function textEncoderName(specId: string, trainedOn: string): string {
  return trainedOn ? `${specId}.${trainedOn}` : specId;
}
