/**
 * Families of text encoders fitted from scratch on a labelled corpus (WordNet glosses or Debian
 * package descriptions): the offline stand-ins for the paper's different pretrained language
 * models. Two kinds, both fitted on the corpus's TRAIN split only:
 *
 * (a) "lsa": TF-IDF → truncated SVD (latent semantic analysis, lsa.ts) with k ∈ {64, 128, 256, 384}
 *     components. What varies with the seed (so seeds give genuinely different spaces, not sign flips):
 *     the bag of documents the model is fitted on (80 %, drawn by the seed), the vocabulary (each
 *     eligible term kept with probability 0.8, drawn by the seed) and the random start of the subspace
 *     iteration. Unsupervised: labels are not used.
 * (b) "bow-mlp": hashed bag of words (unigrams + bigrams of adjacent tokens, FNV-1a/fmix32 hashed into
 *     `buckets` buckets, binary presence) → embedding bag (sum of bucket rows / √#features, + bias,
 *     activation) → dense layers → latent (activation) → linear softmax head trained jointly on the
 *     corpus labels; seeded initialisation and minibatch order. The embedding table is a plain
 *     float32 array updated by lazy (sparse) Adam on the rows a minibatch touches; the dense part is
 *     tfjs (`getTf()`), Adam too. The latent is the activated output of the latent layer.
 *
 * Tokeniser: tokenize.ts (NFKC, lower case, runs of letters/marks/digits; Japanese through kuromoji by
 * default, character bigrams as the fallback). `embed(texts)` is async because it loads kuromoji's
 * dictionary on first use — only when a text contains Japanese/Chinese characters.
 *
 * A text with no known term embeds to the zero vector under LSA (cosine is then undefined; the
 * encoders report how many such texts they met in `lastEmptyCount`).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type * as TF from "@tensorflow/tfjs";
import { cachedEmbeddings } from "../../data/cache";
import { stableHash32, type TextDataset } from "../../data/text/common";
import { loadDebianDescriptions } from "../../data/text/debianDescriptions";
import { loadWordnetGlosses } from "../../data/text/wordnet";
import { getTf, type Tf } from "../../engine/tf";
import { progress, resolveProgressMode, type ProgressMode } from "../../engine/progress";
import { FileFormatError, InvalidParameterError, ShapeMismatchError } from "../../errors";
import { ClassificationHead } from "../../heads/classifier";
import type { HeadState } from "../../heads/spec";
import { Matrix } from "../../linalg/matrix";
import { Random } from "../../linalg/random";
import { isQuickMode } from "../../config";
import { encoderCacheDir } from "./imageEncoders";
import { fitLsa, lsaIndex, lsaTransform, resolveLsaOptions, type LsaFitInfo, type LsaModel, type LsaOptions, type ResolvedLsaOptions } from "./lsa";
import { activate, ENCODER_ACTIVATIONS, initWeight, toConstants, type EncoderActivation, type ParamSpec, type SoftmaxHistory } from "./nn";
import { bundleChecksum, bundleFail, readBundle, shortHash, takeArray, writeBundle, type EncoderBundle } from "./persist";
import { CJK_MODES, getTokenizer, hasCjk, type CjkMode } from "./tokenize";

/** Bump when tokenisation, features or model code change: cached encoders and embeddings are redone. */
export const TEXT_ENCODER_VERSION = 1;
/** Quick mode: at most this many training documents, and at most QUICK_TEXT_EPOCHS epochs for bow-mlp. */
export const QUICK_TEXT_TRAIN_SIZE = 10000;
export const QUICK_TEXT_EPOCHS = 2;

const SAFE_ID = /^[A-Za-z0-9._+-]+$/;
const posInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 1;

// ---------------------------------------------------------------------------------------------
// Specs

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
  if (typeof spec.id !== "string" || !SAFE_ID.test(spec.id)) {
    throw new InvalidParameterError(`${prefix}.id`, `expected a name of letters, digits, '.', '_', '+' or '-', got ${JSON.stringify(spec.id)}`);
  }
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
  if (!Array.isArray(spec.hidden) || spec.hidden.length < 1 || !spec.hidden.every(posInt)) {
    throw new InvalidParameterError(`${prefix}.hidden`, `expected ≥ 1 positive integer widths (hidden[0] = bag width), got ${JSON.stringify(spec.hidden)}`);
  }
  if (!posInt(spec.latentDim)) throw new InvalidParameterError(`${prefix}.latentDim`, `expected a positive integer, got ${JSON.stringify(spec.latentDim)}`);
  if (!ENCODER_ACTIVATIONS.includes(spec.activation)) {
    throw new InvalidParameterError(`${prefix}.activation`, `expected one of ${ENCODER_ACTIVATIONS.join(", ")}, got ${JSON.stringify(spec.activation)}`);
  }
  if (typeof spec.seed !== "number" || !Number.isInteger(spec.seed)) throw new InvalidParameterError(`${prefix}.seed`, `expected an integer, got ${JSON.stringify(spec.seed)}`);
  if (!posInt(spec.epochs)) throw new InvalidParameterError(`${prefix}.epochs`, `expected an integer ≥ 1, got ${JSON.stringify(spec.epochs)}`);
  const buckets = spec.buckets ?? 32768;
  if (!posInt(buckets) || buckets < 16) throw new InvalidParameterError(`${prefix}.buckets`, `expected an integer ≥ 16, got ${JSON.stringify(buckets)}`);
  const batchSize = spec.batchSize ?? 128;
  if (!posInt(batchSize)) throw new InvalidParameterError(`${prefix}.batchSize`, `expected an integer ≥ 1, got ${JSON.stringify(batchSize)}`);
  const learningRate = spec.learningRate ?? 1e-3;
  if (typeof learningRate !== "number" || !Number.isFinite(learningRate) || learningRate <= 0) {
    throw new InvalidParameterError(`${prefix}.learningRate`, `expected a finite number > 0, got ${JSON.stringify(learningRate)}`);
  }
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

// ---------------------------------------------------------------------------------------------
// Tokenisation and features

/** Tokenises texts, loading kuromoji only if `cjk` is "kuromoji" and some text has Japanese/Chinese characters. */
export async function tokenizeTexts(texts: readonly string[], cjk: CjkMode): Promise<string[][]> {
  for (let i = 0; i < texts.length; i++) {
    if (typeof texts[i] !== "string") throw new InvalidParameterError("texts", `expected strings, element ${i} is ${typeof texts[i]}`);
  }
  const needsDictionary = cjk === "kuromoji" && texts.some(hasCjk);
  const tokenize = await getTokenizer(needsDictionary ? "kuromoji" : "bigram");
  return texts.map((t) => tokenize(t));
}

/** Sorted unique hashed feature ids (unigrams and adjacent bigrams) of a token list, plus the bias feature `buckets`. */
export function hashedFeatures(tokens: readonly string[], buckets: number): Int32Array {
  const set = new Set<number>();
  for (let i = 0; i < tokens.length; i++) {
    set.add(stableHash32(tokens[i]) % buckets);
    if (i + 1 < tokens.length) set.add(stableHash32(`${tokens[i]}\u0001${tokens[i + 1]}`) % buckets);
  }
  set.add(buckets);
  return Int32Array.from([...set].sort((a, b) => a - b));
}

// ---------------------------------------------------------------------------------------------
// Encoders

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

/** An LSA encoder (TF-IDF → truncated SVD). */
export class LsaTextEncoder implements TrainedTextEncoder {
  readonly spec: ResolvedLsaEncoderSpec;
  readonly model: LsaModel;
  readonly info: LsaFitInfo;
  readonly trainedOn: string;
  readonly digest: string;
  private readonly index: Map<string, number>;
  private empty = 0;

  constructor(spec: ResolvedLsaEncoderSpec, model: LsaModel, info: LsaFitInfo, trainedOn: string) {
    this.spec = spec;
    this.model = model;
    this.info = info;
    this.trainedOn = trainedOn;
    this.index = lsaIndex(model);
    this.digest = bundleChecksum(lsaBundle(this, false)).slice(0, 12);
  }

  get id(): string {
    return encoderName(this.spec.id, this.trainedOn);
  }
  get dim(): number {
    return this.model.dim;
  }
  get cacheVersion(): string {
    return `${TEXT_ENCODER_VERSION}-${this.digest}`;
  }
  get lastEmptyCount(): number {
    return this.empty;
  }
  /** The vocabulary (term of each TF-IDF column). */
  get vocabulary(): readonly string[] {
    return this.model.vocabulary;
  }

  async embed(texts: readonly string[]): Promise<Matrix> {
    const docs = await tokenizeTexts(texts, this.spec.cjk);
    const out = lsaTransform(this.model, this.index, docs);
    this.empty = countZeroRows(out);
    return out;
  }

  toString(): string {
    return `${this.id}: LSA ${this.model.vocabulary.length} terms → ${this.dim} (seed ${this.spec.seed}, fitted on ${this.info.baggedDocuments} of ${this.info.documents} documents in ${this.info.seconds.toFixed(1)} s)`;
  }

  dispose(): void {}
}

/**
 * Indices of the rows that are non-zero in EVERY matrix (same row count): the items every encoder of
 * a comparison could embed. LSA embeds a text with no vocabulary term to zero (≈ 2.7 % of WordNet
 * test glosses for lsa-128-s0, a different set per seed), and cosine-based relative projections
 * need non-zero rows.
 */
export function nonZeroRows(...matrices: Matrix[]): Int32Array {
  if (matrices.length === 0) return new Int32Array(0);
  const n = matrices[0].rows;
  for (const m of matrices) if (m.rows !== n) throw new ShapeMismatchError("matrices", `expected ${n} rows in every matrix, got ${m.rows}`);
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    if (matrices.every((m) => m.row(i).some((v) => v !== 0))) keep.push(i);
  }
  return Int32Array.from(keep);
}

function countZeroRows(m: Matrix): number {
  let n = 0;
  for (let i = 0; i < m.rows; i++) {
    let zero = true;
    for (let j = 0; j < m.cols && zero; j++) if (m.data[i * m.cols + j] !== 0) zero = false;
    if (zero) n++;
  }
  return n;
}

function encoderName(specId: string, trainedOn: string): string {
  return trainedOn ? `${specId}.${trainedOn}` : specId;
}

/** A bag-of-words MLP encoder with its jointly trained linear head. */
export class BowMlpTextEncoder implements TrainedTextEncoder {
  readonly spec: ResolvedBowMlpSpec;
  /** Every parameter, "bag.w" ((buckets+1) × hidden[0]) first, the head ("head.w", "head.b") last. */
  readonly params: readonly ParamSpec[];
  readonly numClasses: number;
  readonly classNames: string[];
  readonly history: SoftmaxHistory;
  readonly training: { samples: number; seconds: number; backend: string; tfjsVersion: string; createdAt: string };
  readonly trainedOn: string;
  readonly digest: string;
  /** The linear softmax classifier trained jointly on the latent. */
  readonly head: ClassificationHead;
  private readonly tf: Tf;
  private constants: TF.Tensor[] | undefined;
  private empty = 0;

  constructor(
    tf: Tf, spec: ResolvedBowMlpSpec, params: ParamSpec[], numClasses: number, classNames: string[], history: SoftmaxHistory,
    training: BowMlpTextEncoder["training"], trainedOn: string,
  ) {
    this.tf = tf;
    this.spec = spec;
    this.params = params;
    this.numClasses = numClasses;
    this.classNames = classNames;
    this.history = history;
    this.training = training;
    this.trainedOn = trainedOn;
    const hw = params.find((p) => p.name === "head.w")!, hb = params.find((p) => p.name === "head.b")!;
    const headState: HeadState = {
      spec: {
        kind: "linear", hidden: [], activation: "relu", useBias: true, seed: spec.seed, epochs: spec.epochs,
        batchSize: spec.batchSize, learningRate: spec.learningRate, weightDecay: 0, standardize: false,
      },
      inputDim: spec.latentDim, numClasses,
      layers: [{ inputDim: spec.latentDim, outputDim: numClasses, weight: hw.data, bias: hb.data }],
      standardization: null,
      history: { loss: history.loss, trainAccuracy: history.trainAccuracy, secondsPerEpoch: history.secondsPerEpoch },
      training: { ...training, label: `${spec.id} head` },
    };
    this.head = new ClassificationHead(tf, headState);
    this.digest = bundleChecksum({ kind: "bow-mlp", id: spec.id, spec, meta: { numClasses, trainedOn }, arrays: params.map((p) => ({ ...p })) }).slice(0, 12);
  }

  get id(): string {
    return encoderName(this.spec.id, this.trainedOn);
  }
  get dim(): number {
    return this.spec.latentDim;
  }
  get cacheVersion(): string {
    return `${TEXT_ENCODER_VERSION}-${this.digest}`;
  }
  get lastEmptyCount(): number {
    return this.empty;
  }

  private tensors(): TF.Tensor[] {
    // Everything after bag.w and before the head: bag.b, dense*.w/b, latent.w/b.
    if (this.constants === undefined) this.constants = toConstants(this.tf, this.params.slice(1, -2) as ParamSpec[]);
    return this.constants;
  }

  async embed(texts: readonly string[]): Promise<Matrix> {
    const docs = await tokenizeTexts(texts, this.spec.cjk);
    const feats = docs.map((d) => hashedFeatures(d, this.spec.buckets));
    this.empty = feats.filter((f) => f.length === 1).length;
    const tf = this.tf, p = this.tensors(), d = this.dim, h0 = this.spec.hidden[0];
    const bag = this.params[0].data;
    const out = new Matrix(texts.length, d);
    const block = 512;
    for (let r0 = 0; r0 < feats.length; r0 += block) {
      const sub = feats.slice(r0, r0 + block);
      const x = bagForward(bag, h0, sub);
      const z = tf.tidy(() => bowLatent(tf, this.spec, p, tf.tensor2d(x, [sub.length, h0], "float32")));
      try {
        out.data.set(z.dataSync() as Float32Array, r0 * d);
      } finally {
        z.dispose();
      }
    }
    return out;
  }

  toString(): string {
    const acc = this.history.trainAccuracy.at(-1);
    return `${this.id}: bag-of-words MLP ${this.spec.buckets}+1 → ${this.spec.hidden.join("→")} → ${this.dim} (${this.spec.activation}, seed ${this.spec.seed})` +
      ` · ${this.spec.epochs} epochs on ${this.training.samples} documents${acc === undefined ? "" : ` · train acc ${acc.toFixed(3)}`}`;
  }

  dispose(): void {
    for (const t of this.constants ?? []) t.dispose();
    this.constants = undefined;
    this.head.dispose();
  }
}

/** Embedding bag: row b = (Σ_f E[f]) / √#features(b), for a batch of feature lists. */
function bagForward(E: Float32Array, h: number, feats: readonly Int32Array[]): Float32Array {
  const out = new Float32Array(feats.length * h);
  for (let b = 0; b < feats.length; b++) {
    const f = feats[b], o = b * h;
    for (let k = 0; k < f.length; k++) {
      const r = f[k] * h;
      for (let j = 0; j < h; j++) out[o + j] += E[r + j];
    }
    const s = 1 / Math.sqrt(f.length);
    for (let j = 0; j < h; j++) out[o + j] *= s;
  }
  return out;
}

/** Latent from the bag output [B, hidden0]; `p` = [bag.b, dense*.w, dense*.b, latent.w, latent.b]. Call inside a tidy. */
function bowLatent(tf: Tf, s: ResolvedBowMlpSpec, p: TF.Tensor[], bag: TF.Tensor2D): TF.Tensor2D {
  let h = activate(tf, tf.add(bag, p[0]), s.activation) as TF.Tensor2D;
  let k = 1;
  for (let i = 1; i < s.hidden.length; i++, k += 2) h = activate(tf, tf.add(tf.matMul(h, p[k] as TF.Tensor2D), p[k + 1]), s.activation) as TF.Tensor2D;
  return activate(tf, tf.add(tf.matMul(h, p[k] as TF.Tensor2D), p[k + 1]), s.activation) as TF.Tensor2D;
}

function bowParamShapes(s: ResolvedBowMlpSpec, numClasses: number): { name: string; shape: number[]; fanIn: number; act: EncoderActivation | "linear" }[] {
  const out: { name: string; shape: number[]; fanIn: number; act: EncoderActivation | "linear" }[] = [
    { name: "bag.w", shape: [s.buckets + 1, s.hidden[0]], fanIn: 0, act: s.activation },
    { name: "bag.b", shape: [s.hidden[0]], fanIn: 0, act: s.activation },
  ];
  let width = s.hidden[0];
  for (let i = 1; i < s.hidden.length; i++) {
    out.push({ name: `dense${i}.w`, shape: [width, s.hidden[i]], fanIn: width, act: s.activation }, { name: `dense${i}.b`, shape: [s.hidden[i]], fanIn: 0, act: s.activation });
    width = s.hidden[i];
  }
  out.push({ name: "latent.w", shape: [width, s.latentDim], fanIn: width, act: s.activation }, { name: "latent.b", shape: [s.latentDim], fanIn: 0, act: s.activation });
  out.push({ name: "head.w", shape: [s.latentDim, numClasses], fanIn: s.latentDim, act: "linear" }, { name: "head.b", shape: [numClasses], fanIn: 0, act: "linear" });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Fitting

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

export interface FitTextEncoderOptions {
  progress?: boolean | ProgressMode;
}

/**
 * Fits an encoder of `spec` on `data` (the first `spec.trainSize` texts when set). LSA ignores the
 * labels; bow-mlp needs them. Deterministic for a fixed spec and data.
 * @throws InvalidParameterError for a bad spec or data.
 */
export async function fitTextEncoder(spec: TextEncoderSpec, data: TextTrainingData, options: FitTextEncoderOptions = {}): Promise<TrainedTextEncoder> {
  const s = resolveTextSpec(spec);
  if (data === null || typeof data !== "object" || !Array.isArray(data.texts)) throw new InvalidParameterError("data.texts", "expected an array of strings");
  const trainedOn = data.name ?? "";
  if (trainedOn && !SAFE_ID.test(trainedOn)) throw new InvalidParameterError("data.name", `expected letters, digits, '.', '_', '+' or '-', got ${JSON.stringify(trainedOn)}`);
  const n = s.trainSize > 0 ? Math.min(s.trainSize, data.texts.length) : data.texts.length;
  const texts = data.texts.slice(0, n);
  if (s.kind === "lsa") {
    const docs = await tokenizeTexts(texts, s.cjk);
    const { model, info } = await fitLsa(docs, s);
    return new LsaTextEncoder(s, model, info, trainedOn);
  }
  if (data.labels === undefined || data.labels.length !== data.texts.length) {
    throw new ShapeMismatchError("data.labels", `a bow-mlp encoder is trained on labels: expected ${data.texts.length}, got ${data.labels?.length ?? "none"}`);
  }
  const labels = Int32Array.from({ length: n }, (_, i) => data.labels![i]);
  let numClasses = data.numClasses ?? 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isInteger(labels[i]) || labels[i] < 0) throw new InvalidParameterError("data.labels", `expected integers ≥ 0, element ${i} is ${labels[i]}`);
    if (data.numClasses === undefined) numClasses = Math.max(numClasses, labels[i] + 1);
    else if (labels[i] >= numClasses) throw new InvalidParameterError("data.labels", `element ${i} is ${labels[i]}, outside the ${numClasses} classes`);
  }
  if (numClasses < 2) throw new InvalidParameterError("data.labels", "a classifier needs at least two classes");
  const docs = await tokenizeTexts(texts, s.cjk);
  return trainBowMlp(s, docs, labels, numClasses, data.classNames ?? [], trainedOn, options);
}

async function trainBowMlp(
  s: ResolvedBowMlpSpec, docs: string[][], labels: Int32Array, numClasses: number, classNames: string[], trainedOn: string,
  options: FitTextEncoderOptions,
): Promise<BowMlpTextEncoder> {
  const { tf, backend } = await getTf();
  const started = performance.now();
  const feats = docs.map((d) => hashedFeatures(d, s.buckets));
  const n = feats.length;
  const rng = new Random(s.seed);
  const shapes = bowParamShapes(s, numClasses);
  const h0 = s.hidden[0], F = s.buckets + 1;
  // The bag table: uniform with standard deviation 0.5 (a bag of m rows scaled by 1/√m keeps it).
  const limit = 0.5 * Math.sqrt(3);
  const E = new Float32Array(F * h0);
  for (let i = 0; i < E.length; i++) E[i] = (2 * rng.uniform() - 1) * limit;
  const init: ParamSpec[] = shapes.slice(1).map(({ name, shape, fanIn, act }) => ({
    name, shape, data: shape.length === 1 ? new Float32Array(shape[0]) : initWeight(rng, fanIn, shape[1], act),
  }));
  const variables = init.map((p) => tf.tidy(() => tf.variable(tf.tensor(p.data, p.shape, "float32"), true)));
  const optimizer = tf.train.adam(s.learningRate);
  // Lazy Adam state of the bag table.
  const m1 = new Float32Array(E.length), m2 = new Float32Array(E.length), grad = new Float32Array(E.length);
  const beta1 = 0.9, beta2 = 0.999, eps = 1e-7; // tfjs's Adam defaults
  let step = 0;
  const history: SoftmaxHistory = { loss: [], trainAccuracy: [], secondsPerEpoch: [] };
  const mode = resolveProgressMode(options.progress);
  const bs = Math.min(s.batchSize, n);
  const bar = progress({ total: s.epochs * Math.ceil(n / bs), label: `train ${s.id}`, mode });
  const touched = new Uint8Array(F);
  try {
    for (let epoch = 0; epoch < s.epochs; epoch++) {
      const t0 = performance.now();
      const order = rng.permutation(n);
      let lossSum = 0, correct = 0;
      for (let start = 0; start < n; start += bs) {
        const batch = order.subarray(start, Math.min(n, start + bs));
        const size = batch.length;
        const bf = Array.from(batch, (i) => feats[i]);
        const yb = Int32Array.from(batch, (i) => labels[i]);
        const x = bagForward(E, h0, bf);
        // A per-batch variable, so that computeGradients also returns the gradient of the bag output.
        const bagVar = tf.tidy(() => tf.variable(tf.tensor2d(x, [size, h0], "float32"), true));
        let gBag: Float32Array;
        try {
          const res = tf.tidy(() => {
            const yt = tf.oneHot(tf.tensor1d(yb, "int32"), numClasses);
            let kept: TF.Tensor2D | undefined;
            const { value, grads } = optimizer.computeGradients(() => {
              const z = bowLatent(tf, s, variables.slice(0, -2), bagVar);
              const logits = tf.add(tf.matMul(z, variables[variables.length - 2] as TF.Tensor2D), variables[variables.length - 1]) as TF.Tensor2D;
              kept = tf.keep(logits);
              return tf.losses.softmaxCrossEntropy(yt, logits) as TF.Scalar;
            }, [bagVar, ...variables]);
            optimizer.applyGradients(variables.map((v) => ({ name: v.name, tensor: grads[v.name] })));
            const predicted = tf.argMax(kept!, 1).dataSync();
            kept!.dispose();
            let hits = 0;
            for (let r = 0; r < size; r++) if (predicted[r] === yb[r]) hits++;
            return { loss: value.dataSync()[0], hits, g: grads[bagVar.name].dataSync() as Float32Array };
          });
          lossSum += res.loss * size;
          correct += res.hits;
          gBag = res.g;
        } finally {
          bagVar.dispose();
        }
        // Backward into the bag table and a lazy Adam step on the touched rows.
        step++;
        const rows: number[] = [];
        for (let b = 0; b < size; b++) {
          const f = bf[b], sc = 1 / Math.sqrt(f.length), go = b * h0;
          for (let k = 0; k < f.length; k++) {
            const row = f[k];
            if (!touched[row]) {
              touched[row] = 1;
              rows.push(row);
            }
            const r = row * h0;
            for (let j = 0; j < h0; j++) grad[r + j] += sc * gBag[go + j];
          }
        }
        const c1 = 1 - beta1 ** step, c2 = 1 - beta2 ** step, lr = s.learningRate;
        for (const row of rows) {
          touched[row] = 0;
          const r = row * h0;
          for (let j = r; j < r + h0; j++) {
            const g = grad[j];
            grad[j] = 0;
            m1[j] = beta1 * m1[j] + (1 - beta1) * g;
            m2[j] = beta2 * m2[j] + (1 - beta2) * g * g;
            E[j] -= lr * (m1[j] / c1) / (Math.sqrt(m2[j] / c2) + eps);
          }
        }
        bar.tick();
        if ((start / bs) % 20 === 19) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      history.loss.push(lossSum / n);
      history.trainAccuracy.push(correct / n);
      history.secondsPerEpoch.push((performance.now() - t0) / 1000);
    }
    const params: ParamSpec[] = [
      { name: "bag.w", shape: [F, h0], data: E },
      ...init.map((p, i) => ({ name: p.name, shape: [...p.shape], data: Float32Array.from(variables[i].dataSync() as Float32Array) })),
    ];
    const training = { samples: n, seconds: (performance.now() - started) / 1000, backend, tfjsVersion: tf.version_core ?? "unknown", createdAt: new Date().toISOString() };
    return new BowMlpTextEncoder(tf, s, params, numClasses, classNames, history, training, trainedOn);
  } finally {
    bar.done();
    optimizer.dispose();
    for (const v of variables) v.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// Files

function lsaBundle(e: LsaTextEncoder, withInfo = true): EncoderBundle {
  return {
    kind: "lsa", id: e.spec.id, spec: e.spec,
    meta: { version: TEXT_ENCODER_VERSION, trainedOn: e.trainedOn, vocabulary: e.model.vocabulary, sublinearTf: e.model.sublinearTf, info: withInfo ? e.info : null },
    arrays: [
      { name: "idf", shape: [e.model.vocabulary.length], data: e.model.idf },
      { name: "components", shape: [e.model.vocabulary.length, e.model.dim], data: e.model.components },
      { name: "singularValues", shape: [e.model.dim], data: e.model.singularValues },
    ],
  };
}

/** Writes a text encoder to ONE JSON file (spec, vocabulary or hashing settings, weights), atomically. */
export function saveTextEncoder(encoder: TrainedTextEncoder, path: string): void {
  if (encoder instanceof LsaTextEncoder) {
    writeBundle(path, lsaBundle(encoder));
  } else if (encoder instanceof BowMlpTextEncoder) {
    writeBundle(path, {
      kind: "bow-mlp", id: encoder.spec.id, spec: encoder.spec,
      meta: {
        version: TEXT_ENCODER_VERSION, trainedOn: encoder.trainedOn, numClasses: encoder.numClasses, classNames: encoder.classNames,
        history: encoder.history, training: encoder.training,
      },
      arrays: encoder.params.map((p) => ({ name: p.name, shape: p.shape, data: p.data })),
    });
  } else {
    throw new InvalidParameterError("encoder", "expected an encoder from fitTextEncoder or loadTextEncoder");
  }
}

/**
 * Reads an encoder written by `saveTextEncoder`; it embeds identically to the one saved.
 * @throws FileFormatError naming the file if it is missing, corrupt or inconsistent.
 */
export async function loadTextEncoder(path: string): Promise<TrainedTextEncoder> {
  const b = readBundle(path);
  const fail = bundleFail(path);
  if (b.kind !== "lsa" && b.kind !== "bow-mlp") return fail(`holds a "${b.kind}" encoder, not a text encoder (lsa or bow-mlp)`);
  let spec: ResolvedTextEncoderSpec;
  try {
    spec = resolveTextSpec(b.spec as TextEncoderSpec);
  } catch (e) {
    return fail(`bad spec: ${(e as Error).message}`);
  }
  if (spec.kind !== b.kind) fail(`spec kind "${spec.kind}" differs from the file kind "${b.kind}"`);
  const meta = (b.meta ?? {}) as Record<string, unknown>;
  if (meta.version !== TEXT_ENCODER_VERSION) fail(`written by text-encoder code version ${JSON.stringify(meta.version)}, this is ${TEXT_ENCODER_VERSION}`);
  const trainedOn = typeof meta.trainedOn === "string" ? meta.trainedOn : fail(`"meta.trainedOn" must be a string`);
  if (spec.kind === "lsa") {
    const vocabulary = meta.vocabulary;
    if (!Array.isArray(vocabulary) || !vocabulary.every((t) => typeof t === "string")) return fail(`"meta.vocabulary" must be an array of strings`);
    if (new Set(vocabulary).size !== vocabulary.length) fail(`"meta.vocabulary" has duplicate terms`);
    const V = vocabulary.length, k = spec.dim;
    const model: LsaModel = {
      vocabulary: vocabulary as string[], dim: k, sublinearTf: meta.sublinearTf === true,
      idf: takeArray(b, "idf", [V], fail), components: takeArray(b, "components", [V, k], fail), singularValues: takeArray(b, "singularValues", [k], fail),
    };
    if (model.sublinearTf !== spec.sublinearTf) fail(`"meta.sublinearTf" disagrees with the spec`);
    const info = meta.info as LsaFitInfo | null;
    if (info === null || typeof info !== "object") fail(`"meta.info" is missing`);
    return new LsaTextEncoder(spec, model, info!, trainedOn);
  }
  const numClasses = meta.numClasses;
  if (!posInt(numClasses) || numClasses < 2) return fail(`"meta.numClasses" must be an integer ≥ 2`);
  const shapes = bowParamShapes(spec, numClasses);
  if (b.arrays.length !== shapes.length) fail(`holds ${b.arrays.length} arrays, the spec needs ${shapes.length}`);
  const params = shapes.map(({ name, shape }) => ({ name, shape, data: takeArray(b, name, shape, fail) }));
  const h = meta.history as SoftmaxHistory | undefined;
  if (!h || !Array.isArray(h.loss) || !Array.isArray(h.trainAccuracy) || !Array.isArray(h.secondsPerEpoch)) fail(`"meta.history" is missing or malformed`);
  const t = meta.training as BowMlpTextEncoder["training"] | undefined;
  if (!t || typeof t.samples !== "number") fail(`"meta.training" is missing or malformed`);
  const classNames = Array.isArray(meta.classNames) ? (meta.classNames as string[]) : [];
  const { tf } = await getTf();
  return new BowMlpTextEncoder(tf, spec, params, numClasses, classNames, h!, t!, trainedOn);
}

// ---------------------------------------------------------------------------------------------
// Corpora and caches

/** The labelled corpora the text family is fitted on. */
export type TextCorpusName = "wordnet" | "debian";
export const TEXT_CORPORA: readonly TextCorpusName[] = ["wordnet", "debian"];
/** Debian sections with fewer descriptions than this are dropped (42 of 58 sections remain). */
export const DEBIAN_MIN_CLASS_SIZE = 200;

/**
 * One split of a corpus: WordNet glosses (definitions, 45 lexicographer files) or English Debian
 * package descriptions (sections with ≥ DEBIAN_MIN_CLASS_SIZE descriptions). `limit` takes the
 * corpus's stable hashed order (a class-representative prefix).
 */
export function loadTextCorpus(name: TextCorpusName, split: "train" | "test", limit?: number): TextDataset {
  if (name === "wordnet") return loadWordnetGlosses({ split, limit });
  if (name === "debian") return loadDebianDescriptions({ split, limit, minClassSize: DEBIAN_MIN_CLASS_SIZE });
  throw new InvalidParameterError("corpus", `expected one of ${TEXT_CORPORA.join(", ")}, got ${JSON.stringify(name)}`);
}

export interface CachedTextEncoderOptions {
  /** Default `isQuickMode()`: fit with `quickTextSpec(spec)`. */
  quick?: boolean;
  /** Folder of the encoder files, default `<cacheRoot()>/encoders/<corpus>`. */
  dir?: string;
  progress?: boolean | ProgressMode;
}

/** Where `cachedTextEncoder` keeps the encoder of this (effective) spec and corpus. */
export function textEncoderPath(spec: TextEncoderSpec, corpus: TextCorpusName, options: Pick<CachedTextEncoderOptions, "quick" | "dir"> = {}): string {
  const quick = options.quick ?? isQuickMode();
  const s = quick ? quickTextSpec(spec) : resolveTextSpec(spec);
  return join(options.dir ?? encoderCacheDir(corpus), `${s.id}-${shortHash({ s, v: TEXT_ENCODER_VERSION }, 8)}.json`);
}

/**
 * The encoder of `spec` fitted on the TRAIN split of `corpus`, fitted once and kept in
 * `<cacheRoot()>/encoders/<corpus>/` (quick and full mode use different files). A corrupt file is
 * reported on stderr and refitted.
 */
export async function cachedTextEncoder(spec: TextEncoderSpec, corpus: TextCorpusName, options: CachedTextEncoderOptions = {}): Promise<TrainedTextEncoder> {
  const quick = options.quick ?? isQuickMode();
  const s = quick ? quickTextSpec(spec) : resolveTextSpec(spec);
  const path = textEncoderPath(spec, corpus, options);
  if (existsSync(path)) {
    try {
      const e = await loadTextEncoder(path);
      if (JSON.stringify(e.spec) === JSON.stringify(s) && e.trainedOn === corpus) return e;
      console.warn(`encoder cache: ${path} holds another spec; refitting`);
      e.dispose();
    } catch (err) {
      if (!(err instanceof FileFormatError)) throw err;
      console.warn(`encoder cache: ${err.message}; refitting`);
    }
  }
  const data = loadTextCorpus(corpus, "train", s.trainSize > 0 ? s.trainSize : undefined);
  const encoder = await fitTextEncoder(s, { texts: data.texts, labels: data.labels, numClasses: data.classNames.length, classNames: data.classNames, name: corpus }, options);
  saveTextEncoder(encoder, path);
  return encoder;
}

export interface EmbedTextDatasetOptions {
  /** Cache name of the subset, e.g. "n5000"; default "all" (the whole split as loaded) — name limited loads! */
  subsetName?: string;
  /** Texts per cached chunk (default 2048). */
  chunkSize?: number;
}

/**
 * Embeddings of a loaded text data set (one split) through the embedding cache: dataset = its name
 * ("wordnet-glosses", "debian-descriptions"…), split, subset, encoder = encoder id, version = code
 * version + weight digest, seed = the spec's seed.
 */
export async function embedTextDataset(encoder: TrainedTextEncoder, dataset: Pick<TextDataset, "name" | "split" | "texts">, options: EmbedTextDatasetOptions = {}): Promise<Matrix> {
  return cachedEmbeddings(
    { dataset: dataset.name, split: dataset.split, subset: options.subsetName ?? "all", encoder: encoder.id, version: encoder.cacheVersion, seed: encoder.spec.seed },
    {
      count: dataset.texts.length,
      chunkSize: options.chunkSize ?? 2048,
      label: `embed ${encoder.id}`,
      embed: (start, end) => encoder.embed(dataset.texts.slice(start, end)),
    },
  );
}
