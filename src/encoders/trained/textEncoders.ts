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
 * The family through the shared lifecycle (lifecycle.ts), one file per concern:
 *   textSpec.ts                       specs, the family's members, validation, quick mode, `TrainedTextEncoder`
 *   textFeatures.ts                   tokenising, hashed features, zero rows
 *   lsaTextEncoder.ts                 fit, the LSA encoder (`embed`) and its (de)serialiser
 *   bowMlpModel.ts, bowMlpTraining.ts the bag-of-words MLP (`embed`, (de)serialiser) and its fit (lazy Adam)
 *   here                              `LSA_TEXT_ENCODERS`, `BOW_MLP_ENCODERS` (the lifecycle families),
 *                                     fit / save / load / cache by spec, embeddings through the cache
 * The corpora they are fitted on are registered in data/text/corpora.ts.
 *
 * Tokeniser: tokenize.ts (NFKC, lower case, runs of letters/marks/digits; Japanese through kuromoji by
 * default, character bigrams as the fallback). `embed(texts)` is async because it loads kuromoji's
 * dictionary on first use — only when a text contains Japanese/Chinese characters.
 *
 * A text with no known term embeds to the zero vector under LSA (cosine is then undefined; the
 * encoders report how many such texts they met in `lastEmptyCount`).
 */
import { encoderCacheDir } from "../../data/cache";
import { loadTextCorpus, type TextCorpusName } from "../../data/text/corpora";
import type { TextDataset } from "../../data/text/common";
import type { ProgressMode } from "../../engine/progress";
import { InvalidParameterError } from "../../errors";
import type { Matrix } from "../../linalg/matrix";
import { isQuickMode } from "../../config";
import { BowMlpTextEncoder, bowMlpBundle, bowMlpEncoderFromBundle } from "./bowMlpModel";
import { fitBowMlpEncoder } from "./bowMlpTraining";
import {
  cachedEncoder, cachedEncoderEmbeddings, effectiveSpec, loadEncoder, saveEncoder, specCachePath, type EncoderFamily, type FitOptions,
} from "./lifecycle";
import { fitLsaTextEncoder, LsaTextEncoder, lsaBundle, lsaEncoderFromBundle } from "./lsaTextEncoder";
import {
  quickTextSpec, resolveTextSpec, TEXT_ENCODER_VERSION, type BowMlpSpec, type LsaEncoderSpec, type ResolvedBowMlpSpec,
  type ResolvedLsaEncoderSpec, type ResolvedTextEncoderSpec, type TextEncoderSpec, type TextTrainingData, type TrainedTextEncoder,
} from "./textSpec";

function resolveKind<K extends ResolvedTextEncoderSpec["kind"]>(kind: K) {
  return (spec: TextEncoderSpec, prefix = "spec"): Extract<ResolvedTextEncoderSpec, { kind: K }> => {
    const s = resolveTextSpec(spec, prefix);
    if (s.kind !== kind) throw new InvalidParameterError(`${prefix}.kind`, `expected "${kind}", got ${JSON.stringify(s.kind)}`);
    return s as Extract<ResolvedTextEncoderSpec, { kind: K }>;
  };
}

/** LSA text encoders in the lifecycle: files of kind "lsa", fitted on texts. */
export const LSA_TEXT_ENCODERS: EncoderFamily<LsaEncoderSpec, ResolvedLsaEncoderSpec, LsaTextEncoder, TextTrainingData> = {
  kind: "lsa",
  title: "text encoder",
  version: TEXT_ENCODER_VERSION,
  resolve: resolveKind("lsa"),
  quick: (s) => quickTextSpec(s) as ResolvedLsaEncoderSpec,
  fit: fitLsaTextEncoder,
  toBundle: (e) => lsaBundle(e),
  fromBundle: lsaEncoderFromBundle,
};

/** Bag-of-words MLP text encoders in the lifecycle: files of kind "bow-mlp", fitted on labelled texts. */
export const BOW_MLP_ENCODERS: EncoderFamily<BowMlpSpec, ResolvedBowMlpSpec, BowMlpTextEncoder, TextTrainingData> = {
  kind: "bow-mlp",
  title: "text encoder",
  version: TEXT_ENCODER_VERSION,
  resolve: resolveKind("bow-mlp"),
  quick: (s) => quickTextSpec(s) as ResolvedBowMlpSpec,
  fit: fitBowMlpEncoder,
  toBundle: bowMlpBundle,
  fromBundle: bowMlpEncoderFromBundle,
};

/** The lifecycle family of a text spec's kind. */
function familyOf(spec: TextEncoderSpec): EncoderFamily<TextEncoderSpec, ResolvedTextEncoderSpec, TrainedTextEncoder, TextTrainingData> {
  const family = spec?.kind === "bow-mlp" ? BOW_MLP_ENCODERS : LSA_TEXT_ENCODERS;
  return family as unknown as EncoderFamily<TextEncoderSpec, ResolvedTextEncoderSpec, TrainedTextEncoder, TextTrainingData>;
}

export type FitTextEncoderOptions = FitOptions;

/**
 * Fits an encoder of `spec` on `data` (the first `spec.trainSize` texts when set). LSA ignores the
 * labels; bow-mlp needs them. Deterministic for a fixed spec and data.
 * @throws InvalidParameterError for a bad spec or data.
 */
export async function fitTextEncoder(spec: TextEncoderSpec, data: TextTrainingData, options: FitTextEncoderOptions = {}): Promise<TrainedTextEncoder> {
  const s = resolveTextSpec(spec);
  return familyOf(s).fit(s, data, options);
}

/** Writes a text encoder to ONE JSON file (spec, vocabulary or hashing settings, weights), atomically. */
export function saveTextEncoder(encoder: TrainedTextEncoder, path: string): void {
  if (encoder instanceof LsaTextEncoder) saveEncoder(LSA_TEXT_ENCODERS, encoder, path);
  else if (encoder instanceof BowMlpTextEncoder) saveEncoder(BOW_MLP_ENCODERS, encoder, path);
  else throw new InvalidParameterError("encoder", "expected an encoder from fitTextEncoder or loadTextEncoder");
}

/**
 * Reads an encoder written by `saveTextEncoder`; it embeds identically to the one saved.
 * @throws FileFormatError naming the file if it is missing, corrupt or inconsistent.
 */
export async function loadTextEncoder(path: string): Promise<TrainedTextEncoder> {
  return loadEncoder<TrainedTextEncoder>([LSA_TEXT_ENCODERS, BOW_MLP_ENCODERS], path);
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
  const family = familyOf(spec);
  return specCachePath(family, effectiveSpec(family, spec, options.quick ?? isQuickMode()), options.dir ?? encoderCacheDir(corpus));
}

/**
 * The encoder of `spec` fitted on the TRAIN split of `corpus`, fitted once and kept in
 * `<cacheRoot()>/encoders/<corpus>/` (quick and full mode use different files). A corrupt file, or
 * one holding another spec or corpus, is reported on stderr and refitted.
 */
export async function cachedTextEncoder(spec: TextEncoderSpec, corpus: TextCorpusName, options: CachedTextEncoderOptions = {}): Promise<TrainedTextEncoder> {
  const family = familyOf(spec);
  const s = effectiveSpec(family, spec, options.quick ?? isQuickMode());
  return cachedEncoder(family, {
    spec: s,
    path: textEncoderPath(spec, corpus, options),
    trainedOn: corpus,
    data: () => {
      const data = loadTextCorpus(corpus, "train", s.trainSize > 0 ? s.trainSize : undefined);
      return { texts: data.texts, labels: data.labels, numClasses: data.classNames.length, classNames: data.classNames, name: corpus };
    },
    fit: { progress: options.progress },
  });
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
  return cachedEncoderEmbeddings(encoder, {
    dataset: dataset.name, split: dataset.split, subset: options.subsetName ?? "all",
    count: dataset.texts.length,
    chunkSize: options.chunkSize ?? 2048,
    embed: (start, end) => encoder.embed(dataset.texts.slice(start, end)),
  });
}
