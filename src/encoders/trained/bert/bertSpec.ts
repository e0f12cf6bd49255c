/**
 * The text-transformer family's specs: tokenisation (word or BPE vocabulary learned on the corpus),
 * sequence length, the transformer stack (post-LN by default, as RoBERTa), the masked-language-
 * model pretraining budget and seed; the family's members, their validation and the quick-mode
 * shrink. See bertEncoders.ts for the family as a whole.
 */
import { InvalidParameterError } from "../../../errors";
import { assertFraction, assertInteger, assertOneOf, assertPositiveNumber, assertSafeName, assertSeed } from "../../../validate";
import { checkTransformerShape, type NormPlacement, type TransformerShape } from "../transformer/stack";
import { TOKENIZER_KINDS, type TokenizerKind } from "./bertVocabulary";

/** Bump when tokenisation, the network or the pretraining change: cached encoders and embeddings are redone. */
export const BERT_ENCODER_VERSION = 1;
/** Quick mode: at most this many training documents, epochs and tokens per text. */
export const QUICK_BERT_TRAIN_SIZE = 2000;
export const QUICK_BERT_EPOCHS = 1;
export const QUICK_BERT_MAX_LENGTH = 32;

export interface BertSpec extends Omit<TransformerShape, "norm"> {
  /** Name in files, caches and plots; begins with "bert-". */
  id: string;
  tokenizer: TokenizerKind;
  /** Vocabulary size, special tokens included. */
  vocabSize: number;
  /** Tokens per text (longer texts are truncated). */
  maxLength: number;
  /** LayerNorm placement, default "post" (BERT, RoBERTa). */
  norm?: NormPlacement;
  /** Seeds the weights, the masking and the minibatch order. */
  seed: number;
  epochs: number;
  /** Pretraining documents: the first `trainSize` of the corpus's train split (0 = all). */
  trainSize?: number;
  /** Texts per minibatch, default 64. */
  batchSize?: number;
  /** Peak Adam step size of the warm-up + cosine schedule, default 1e-3. */
  learningRate?: number;
  /** Fraction of the steps spent warming up, default 0.06 (RoBERTa's). */
  warmup?: number;
  /** Share of the tokens selected as masked-language-model targets, default 0.15. */
  maskRate?: number;
  description?: string;
}

export type ResolvedBertSpec = Required<BertSpec>;

function member(id: string, s: Pick<BertSpec, "tokenizer" | "width" | "depth" | "seed" | "epochs" | "description"> & Partial<BertSpec>): ResolvedBertSpec {
  return resolveBertSpec({ id, vocabSize: 8000, maxLength: 64, heads: 4, mlpRatio: 4, norm: "post", ...s });
}

/**
 * The BERT family (applies to either corpus, WordNet or Debian): RoBERTa-style post-LN encoders
 * pretrained by masked language modelling on the corpus's train split WITHOUT its labels, mean-
 * pooled, 64 word tokens per text (the median Debian description has 53 words, the median WordNet
 * gloss 9) or 56 BPE tokens (≈ 48 words: BPE splits ~1 word in 6, and the shorter cut keeps the BPE
 * members within the budget). bert-word-d128-l2-s0 and -s1 differ ONLY in their seed; the others
 * change the tokenisation (BPE) and the size (4 blocks). Epochs: what fits in ~20 minutes on this
 * machine on the larger corpus, Debian (2.33M word tokens per epoch: bert-word-d128-l2-s0 took
 * 20.1 min for 2 epochs there; README).
 */
export const BERT_ENCODER_FAMILY: readonly ResolvedBertSpec[] = Object.freeze([
  member("bert-word-d128-l2-s0", { tokenizer: "word", width: 128, depth: 2, seed: 0, epochs: 2, description: "post-LN transformer, word vocabulary 8k, width 128, 2 layers, MLM-pretrained, mean-pooled, seed 0" }),
  member("bert-word-d128-l2-s1", { tokenizer: "word", width: 128, depth: 2, seed: 1, epochs: 2, description: "post-LN transformer, word vocabulary 8k, width 128, 2 layers, MLM-pretrained, mean-pooled, seed 1 (only the seed differs)" }),
  member("bert-bpe-d128-l2-s2", { tokenizer: "bpe", width: 128, depth: 2, seed: 2, epochs: 2, maxLength: 56, description: "post-LN transformer, BPE vocabulary 8k, width 128, 2 layers, MLM-pretrained, mean-pooled" }),
  member("bert-bpe-d128-l4-s3", { tokenizer: "bpe", width: 128, depth: 4, seed: 3, epochs: 1, maxLength: 56, description: "post-LN transformer, BPE vocabulary 8k, width 128, 4 layers, MLM-pretrained, mean-pooled" }),
]);

export const BERT_ENCODER_IDS: readonly string[] = BERT_ENCODER_FAMILY.map((s) => s.id);

/** The family member with this id. @throws InvalidParameterError for an unknown id. */
export function bertEncoderSpec(id: string): ResolvedBertSpec {
  const s = BERT_ENCODER_FAMILY.find((x) => x.id === id);
  if (!s) throw new InvalidParameterError("id", `unknown BERT encoder ${JSON.stringify(id)}; known: ${BERT_ENCODER_IDS.join(", ")}`);
  return s;
}

/** Fills defaults and validates. @throws InvalidParameterError naming the field. */
export function resolveBertSpec(spec: BertSpec, prefix = "spec"): ResolvedBertSpec {
  if (spec === null || typeof spec !== "object") throw new InvalidParameterError(prefix, "expected a BERT spec object");
  assertSafeName(spec.id, `${prefix}.id`);
  if (!spec.id.startsWith("bert-")) throw new InvalidParameterError(`${prefix}.id`, `a text transformer's id begins with "bert-", got ${JSON.stringify(spec.id)}`);
  assertOneOf(spec.tokenizer, TOKENIZER_KINDS, `${prefix}.tokenizer`);
  assertInteger(spec.vocabSize, `${prefix}.vocabSize`, 16);
  assertInteger(spec.maxLength, `${prefix}.maxLength`, 2);
  const norm = spec.norm ?? "post";
  checkTransformerShape({ ...spec, norm }, prefix);
  assertSeed(spec.seed, `${prefix}.seed`);
  assertInteger(spec.epochs, `${prefix}.epochs`, 1);
  const trainSize = spec.trainSize ?? 0;
  assertInteger(trainSize, `${prefix}.trainSize`, 0);
  const batchSize = spec.batchSize ?? 64;
  assertInteger(batchSize, `${prefix}.batchSize`, 1);
  const learningRate = assertPositiveNumber(spec.learningRate ?? 1e-3, `${prefix}.learningRate`);
  const warmup = assertFraction(spec.warmup ?? 0.06, `${prefix}.warmup`, "[)", "a fraction of the steps");
  const maskRate = assertFraction(spec.maskRate ?? 0.15, `${prefix}.maskRate`, "()", "a share of the tokens");
  return {
    id: spec.id, tokenizer: spec.tokenizer, vocabSize: spec.vocabSize, maxLength: spec.maxLength, width: spec.width, depth: spec.depth,
    heads: spec.heads, mlpRatio: spec.mlpRatio, norm, seed: spec.seed, epochs: spec.epochs, trainSize, batchSize, learningRate, warmup,
    maskRate, description: spec.description ?? "",
  };
}

/**
 * The quick-mode version of a spec: at most QUICK_BERT_TRAIN_SIZE documents, QUICK_BERT_EPOCHS
 * epochs and QUICK_BERT_MAX_LENGTH tokens per text (the blocks are kept). A quick-mode encoder has
 * barely started learning (masked-token accuracy ~0.1): it exercises the notebooks, nothing more.
 */
export function quickBertSpec(spec: BertSpec): ResolvedBertSpec {
  const s = resolveBertSpec(spec);
  const trainSize = s.trainSize === 0 ? QUICK_BERT_TRAIN_SIZE : Math.min(s.trainSize, QUICK_BERT_TRAIN_SIZE);
  return { ...s, trainSize, epochs: Math.min(s.epochs, QUICK_BERT_EPOCHS), maxLength: Math.min(s.maxLength, QUICK_BERT_MAX_LENGTH) };
}
