/**
 * A pretrained text transformer: its spec, vocabulary and weights; how it embeds texts (`embed`:
 * mean over the real tokens of the last hidden state), how well it fills in masked tokens
 * (`maskedTokenAccuracy`), its layer-by-layer pass for the layer-wise rescaling (`batch`,
 * `walkLayers`, `embeddingFrom`), and how it is written to and read from the trained-encoder file
 * format (`bertBundle` / `bertEncoderFromBundle`, used by the family in bertEncoders.ts).
 */
import type * as TF from "@tensorflow/tfjs";
import type { Fail } from "../../../data/modelFile";
import { getTf, type Tf } from "../../../engine/tf";
import { Matrix } from "../../../linalg/matrix";
import { Random } from "../../../linalg/random";
import { toConstants, type ParamSpec } from "../nn";
import { bundleChecksum, takeArrays, type EncoderBundle } from "../persist";
import { tokenizeTexts } from "../textFeatures";
import { textEncoderName } from "../textSpec";
import { block, checkLayer, paramsByName, type LayerWalkable, type Params } from "../transformer/stack";
import { maskTokens, type MaskedBatch } from "./bertMasking";
import { batchKeyBias, bertEmbed, bertEmbeddingFrom, bertLastHidden, bertParamShapes, mlmLogits, padBatch, type TokenBatch } from "./bertNetwork";
import { BERT_ENCODER_VERSION, type ResolvedBertSpec } from "./bertSpec";
import { MASK, VocabularyEncoder, type Vocabulary } from "./bertVocabulary";

export interface BertHistory {
  /** Mean masked-language-model cross-entropy per epoch (minibatches as seen). */
  loss: number[];
  /** Share of the [MASK]ed targets predicted right per epoch (minibatches as seen; see `maskedAccuracyOf`). */
  maskedAccuracy: number[];
  secondsPerEpoch: number[];
}

export interface BertTrainingInfo {
  /** Pretraining texts (the held-out ones excluded). */
  samples: number;
  /** Tokens per epoch (after truncation). */
  tokens: number;
  /** Masked-token accuracy (`maskedAccuracyOf`) on the held-out training texts after pretraining (fixed masking, seed 0). */
  heldOutMaskedAccuracy: number;
  heldOut: number;
  seconds: number;
  backend: string;
  tfjsVersion: string;
  createdAt: string;
  quick: boolean;
}

/** Texts per inference batch (sorted by length, so little padding). */
const EMBED_BATCH = 128;

/** A text transformer pretrained by masked language modelling. From `fitBertEncoder`, `loadBertEncoder` or `cachedBertEncoder`. */
export class BertTextEncoder implements LayerWalkable<TokenBatch> {
  readonly spec: ResolvedBertSpec;
  readonly vocabulary: Vocabulary;
  /** Every parameter (embeddings, blocks, MLM head) as plain float32 data, in `bertParamShapes` order. */
  readonly params: readonly ParamSpec[];
  readonly history: BertHistory;
  readonly training: BertTrainingInfo;
  readonly trainedOn: string;
  readonly digest: string;
  private readonly tf: Tf;
  private readonly encoder: VocabularyEncoder;
  private constants: Params | undefined;
  private empty = 0;

  constructor(tf: Tf, spec: ResolvedBertSpec, vocabulary: Vocabulary, params: ParamSpec[], history: BertHistory, training: BertTrainingInfo, trainedOn: string) {
    this.tf = tf;
    this.spec = spec;
    this.vocabulary = vocabulary;
    this.encoder = new VocabularyEncoder(vocabulary);
    this.params = params;
    this.history = history;
    this.training = training;
    this.trainedOn = trainedOn;
    this.digest = bundleChecksum({ kind: "bert", id: spec.id, spec, meta: { vocabulary, trainedOn }, arrays: params.map((p) => ({ ...p })) }).slice(0, 12);
  }

  /** spec id + "." + corpus, e.g. "bert-word-d128-l2-s0.wordnet" (the embedding-cache name). */
  get id(): string {
    return textEncoderName(this.spec.id, this.trainedOn);
  }
  get dim(): number {
    return this.spec.width;
  }
  get depth(): number {
    return this.spec.depth;
  }
  get cacheVersion(): string {
    return `${BERT_ENCODER_VERSION}-${this.digest}`;
  }
  /** Texts of the last `embed` call that had no token (embedded to zero). */
  get lastEmptyCount(): number {
    return this.empty;
  }

  toString(): string {
    return `${this.id}: ${this.spec.description || "text transformer"} · ${this.spec.epochs} epochs on ${this.training.samples} texts` +
      ` · held-out masked-token accuracy ${this.training.heldOutMaskedAccuracy.toFixed(3)}`;
  }

  /** The weights as kept tensors, by name. */
  tensors(): Params {
    if (this.constants === undefined) this.constants = paramsByName(this.params, toConstants(this.tf, this.params as ParamSpec[]));
    return this.constants;
  }

  /** Token ids of texts (truncated to maxLength). */
  async ids(texts: readonly string[]): Promise<Int32Array[]> {
    const docs = await tokenizeTexts(texts, "bigram");
    return docs.map((d) => this.encoder.encode(d, this.spec.maxLength));
  }

  /** The padded input batch of texts. */
  async batch(texts: readonly string[]): Promise<TokenBatch> {
    return padBatch(await this.ids(texts));
  }

  /** Sentence embeddings (texts × width): mean over the real tokens of the last hidden state; a text without tokens gives zeros. */
  async embed(texts: readonly string[]): Promise<Matrix> {
    const ids = await this.ids(texts);
    this.empty = ids.filter((t) => t.length === 0).length;
    const order = Array.from(ids.keys()).sort((a, b) => ids[a].length - ids[b].length || a - b);
    const out = new Matrix(ids.length, this.dim);
    const tf = this.tf, p = this.tensors();
    for (let k = 0; k < order.length; k += EMBED_BATCH) {
      const rows = order.slice(k, k + EMBED_BATCH);
      const b = padBatch(rows.map((r) => ids[r]));
      const z = tf.tidy(() => {
        const bias = batchKeyBias(tf, b);
        return bertEmbeddingFrom(tf, this.spec, p, b, 0, bertEmbed(tf, this.spec, p, b), bias);
      });
      const values = z.dataSync() as Float32Array;
      z.dispose();
      rows.forEach((r, i) => out.data.set(values.subarray(i * this.dim, (i + 1) * this.dim), r * this.dim));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return out;
  }

  /**
   * Share of [MASK]ed tokens predicted right over `texts` (BERT's corruption, bertMasking.ts, drawn
   * with `seed`; see `maskedAccuracyOf`): how well the pretraining worked, on texts of one's choice,
   * beside what word frequencies alone would score on the same targets.
   */
  async maskedTokenAccuracy(texts: readonly string[], seed = 0): Promise<MaskedAccuracy> {
    return maskedAccuracyOf(this.tf, this.spec, this.tensors(), this.vocabulary.tokens.length, await this.ids(texts), seed);
  }

  /**
   * The pass of one batch layer by layer: `visit(l, h_l)` for l = 0…depth (h_l [B, T, width],
   * disposed after the call), then the sentence embeddings [B, width]. Call inside a tidy.
   */
  walkLayers(b: TokenBatch, visit: (layer: number, h: TF.Tensor3D) => void): TF.Tensor2D {
    const tf = this.tf, p = this.tensors(), bias = batchKeyBias(tf, b);
    let h = bertEmbed(tf, this.spec, p, b);
    visit(0, h);
    for (let l = 1; l <= this.depth; l++) {
      const next = block(tf, this.spec, p, l - 1, h, bias);
      h.dispose();
      h = next;
      visit(l, h);
    }
    return bertEmbeddingFrom(tf, this.spec, p, b, this.depth, h, bias);
  }

  /** The sentence embeddings [B, width] from hidden state `layer` h of batch `b` (the rest of the network). Call inside a tidy. */
  embeddingFrom(b: TokenBatch, layer: number, h: TF.Tensor3D): TF.Tensor2D {
    checkLayer(this.spec, layer);
    return bertEmbeddingFrom(this.tf, this.spec, this.tensors(), b, layer, h, batchKeyBias(this.tf, b));
  }

  dispose(): void {
    for (const t of Object.values(this.constants ?? {})) t.dispose();
    this.constants = undefined;
  }
}

/**
 * Masked-token accuracy of parameters `p` on id sequences (fixed masking from `seed`), in batches of
 * 128: the share of the positions replaced by [MASK] whose original token is the model's top
 * prediction. (The 10 % of targets kept unchanged are left out: copying the input would score on
 * them; the 10 % replaced at random too.)
 */
export async function maskedAccuracyOf(tf: Tf, s: ResolvedBertSpec, p: Params, vocabSize: number, ids: readonly Int32Array[], seed: number): Promise<MaskedAccuracy> {
  const rng = new Random(seed);
  let hits = 0, total = 0;
  const scored: { target: number; hit: boolean }[] = [];
  for (let k = 0; k < ids.length; k += EMBED_BATCH) {
    const m = maskTokens(padBatch(ids.slice(k, k + EMBED_BATCH)), s.maskRate, vocabSize, rng);
    if (m.positions.length === 0) continue;
    const predicted = tf.tidy(() => {
      const bias = batchKeyBias(tf, m.input);
      const last = bertLastHidden(tf, s, p, 0, bertEmbed(tf, s, p, m.input), bias);
      return tf.argMax(mlmLogits(tf, p, last, m.positions), 1);
    });
    const values = predicted.dataSync();
    predicted.dispose();
    const score = maskedHits(m, values);
    hits += score.hits;
    total += score.total;
    m.positions.forEach((at, i) => {
      if (m.input.ids[at] === MASK) scored.push({ target: m.targets[i], hit: values[i] === m.targets[i] });
    });
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { accuracy: total > 0 ? hits / total : 0, targets: total, ...frequencyBaseline(scored) };
}

/** `maskedAccuracyOf`'s result. */
export interface MaskedAccuracy {
  /** Share of the [MASK]ed targets predicted right. */
  accuracy: number;
  /** Their number. */
  targets: number;
  /**
   * What word frequencies alone score on the same targets: the share of the most frequent target
   * token (the best constant guess, chosen on these targets themselves, so an upper bound for a
   * unigram model), and its id.
   */
  frequencyBaseline: { accuracy: number; token: number };
  /** Accuracy on the targets that are NOT that token (a unigram model scores 0 there); NaN without such targets. */
  accuracyOnOtherTokens: number;
}

function frequencyBaseline(scored: readonly { target: number; hit: boolean }[]): Pick<MaskedAccuracy, "frequencyBaseline" | "accuracyOnOtherTokens"> {
  const counts = new Map<number, number>();
  for (const { target } of scored) counts.set(target, (counts.get(target) ?? 0) + 1);
  let token = -1, top = 0;
  for (const [id, c] of counts) if (c > top || (c === top && id < token)) [token, top] = [id, c];
  const others = scored.filter((x) => x.target !== token);
  return {
    frequencyBaseline: { accuracy: scored.length > 0 ? top / scored.length : 0, token },
    accuracyOnOtherTokens: others.length > 0 ? others.filter((x) => x.hit).length / others.length : NaN,
  };
}

/** Right predictions among the targets that were replaced by [MASK], and their number. */
export function maskedHits(m: MaskedBatch, predicted: ArrayLike<number>): { hits: number; total: number } {
  let hits = 0, total = 0;
  m.positions.forEach((at, i) => {
    if (m.input.ids[at] !== MASK) return;
    total++;
    if (predicted[i] === m.targets[i]) hits++;
  });
  return { hits, total };
}

// ---------------------------------------------------------------------------------------------
// (De)serialisation

/** The encoder as a trained-encoder file bundle (spec, vocabulary, history, every parameter). */
export function bertBundle(e: BertTextEncoder): EncoderBundle {
  return {
    kind: "bert", id: e.spec.id, spec: e.spec,
    meta: { version: BERT_ENCODER_VERSION, trainedOn: e.trainedOn, vocabulary: e.vocabulary, history: e.history, training: e.training },
    arrays: e.params.map((p) => ({ name: p.name, shape: p.shape, data: p.data })),
  };
}

/** The encoder of a bundle written by `bertBundle` (its spec resolved); `fail` on anything inconsistent. */
export async function bertEncoderFromBundle(b: EncoderBundle, spec: ResolvedBertSpec, fail: Fail): Promise<BertTextEncoder> {
  const meta = (b.meta ?? {}) as Record<string, unknown>;
  const trainedOn = typeof meta.trainedOn === "string" ? meta.trainedOn : fail(`"meta.trainedOn" must be a string`);
  const vocabulary = meta.vocabulary as Vocabulary;
  try {
    new VocabularyEncoder(vocabulary);
  } catch (e) {
    return fail(`bad vocabulary: ${(e as Error).message}`);
  }
  if (vocabulary.kind !== spec.tokenizer || vocabulary.tokens.length > spec.vocabSize) fail(`the vocabulary (${vocabulary.kind}, ${vocabulary.tokens.length} tokens) does not fit the spec`);
  const shapes = bertParamShapes(spec, vocabulary.tokens.length);
  const params = takeArrays(b, shapes, fail);
  const h = meta.history as BertHistory | undefined;
  if (!h || !Array.isArray(h.loss) || !Array.isArray(h.maskedAccuracy) || !Array.isArray(h.secondsPerEpoch)) fail(`"meta.history" is missing or malformed`);
  const t = meta.training as BertTrainingInfo | undefined;
  if (!t || typeof t.samples !== "number" || typeof t.heldOutMaskedAccuracy !== "number") fail(`"meta.training" is missing or malformed`);
  const { tf } = await getTf();
  return new BertTextEncoder(tf, spec, vocabulary, params, h!, t!, trainedOn);
}
