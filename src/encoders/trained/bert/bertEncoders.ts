/**
 * A family of text transformers pretrained here by masked language modelling on a corpus (WordNet
 * glosses or Debian descriptions) WITHOUT its labels — the offline stand-in for the paper's RoBERTa:
 * frozen, pretrained encoders that no downstream head shaped. RoBERTa-style post-LN blocks by
 * default, word or BPE vocabularies learned on the corpus, mean-pooled sentence embeddings. Members
 * differ in seed, size and tokenisation (bertSpec.ts).
 *
 * The family through the shared lifecycle (lifecycle.ts), one file per concern:
 *   bertSpec.ts        specs, the family's members, validation, quick mode
 *   bertVocabulary.ts  word and BPE vocabularies learned on the corpus, encoding texts to ids
 *   bertNetwork.ts     the forward pass (ids → embeddings → blocks → mean pool; the MLM head)
 *   bertMasking.ts     BERT's 80/10/10 corruption
 *   bertTraining.ts    fit: `fitBertEncoder` (masked language modelling)
 *   bertModel.ts       the encoder (`embed`, `maskedTokenAccuracy`, `walkLayers`, `embeddingFrom`) and its (de)serialiser
 *   here               `BERT_ENCODERS` (the family), save / load / cache by spec and corpus, embeddings through the cache
 *
 * Quick mode (`isQuickMode()`): `cachedBertEncoder` pretrains on ≤ 2,000 texts of ≤ 32 tokens for 1 epoch.
 */
import { isQuickMode } from "../../../config";
import { encoderCacheDir } from "../../../data/cache";
import { loadTextCorpus, type TextCorpusName } from "../../../data/text/corpora";
import type { TextDataset } from "../../../data/text/common";
import type { ProgressMode } from "../../../engine/progress";
import type { Matrix } from "../../../linalg/matrix";
import { cachedEncoder, cachedEncoderEmbeddings, effectiveSpec, loadEncoder, saveEncoder, specCachePath, type EncoderFamily } from "../lifecycle";
import type { TextTrainingData } from "../textSpec";
import { BertTextEncoder, bertBundle, bertEncoderFromBundle } from "./bertModel";
import { BERT_ENCODER_VERSION, quickBertSpec, resolveBertSpec, type BertSpec, type ResolvedBertSpec } from "./bertSpec";
import { fitBertEncoder } from "./bertTraining";

/** The BERT family in the lifecycle: files of kind "bert", fitted on texts (labels unused). */
export const BERT_ENCODERS: EncoderFamily<BertSpec, ResolvedBertSpec, BertTextEncoder, TextTrainingData> = {
  kind: "bert",
  title: "text transformer",
  version: BERT_ENCODER_VERSION,
  resolve: resolveBertSpec,
  quick: quickBertSpec,
  fit: fitBertEncoder,
  toBundle: bertBundle,
  fromBundle: bertEncoderFromBundle,
};

export function saveBertEncoder(encoder: BertTextEncoder, path: string): void {
  saveEncoder(BERT_ENCODERS, encoder, path);
}

/** Reads an encoder written by `saveBertEncoder`. @throws FileFormatError naming the file if it is missing, corrupt or inconsistent. */
export async function loadBertEncoder(path: string): Promise<BertTextEncoder> {
  return loadEncoder<BertTextEncoder>(BERT_ENCODERS, path);
}

export interface CachedBertEncoderOptions {
  /** Default `isQuickMode()`: pretrain with `quickBertSpec(spec)`. */
  quick?: boolean;
  /** Folder of the encoder files, default `<cacheRoot()>/encoders/<corpus>`. */
  dir?: string;
  progress?: boolean | ProgressMode;
}

/** Where `cachedBertEncoder` keeps the encoder of this (effective) spec and corpus. */
export function bertEncoderPath(spec: BertSpec, corpus: TextCorpusName, options: Pick<CachedBertEncoderOptions, "quick" | "dir"> = {}): string {
  return specCachePath(BERT_ENCODERS, effectiveSpec(BERT_ENCODERS, spec, options.quick ?? isQuickMode()), options.dir ?? encoderCacheDir(corpus));
}

/**
 * The encoder of `spec` pretrained on the TRAIN split of `corpus` (texts only), once, and kept in
 * `<cacheRoot()>/encoders/<corpus>/` (quick and full mode in different files). A corrupt file, or
 * one of another spec or corpus, is reported on stderr and refitted.
 */
export async function cachedBertEncoder(spec: BertSpec, corpus: TextCorpusName, options: CachedBertEncoderOptions = {}): Promise<BertTextEncoder> {
  const quick = options.quick ?? isQuickMode();
  const s = effectiveSpec(BERT_ENCODERS, spec, quick);
  return cachedEncoder(BERT_ENCODERS, {
    spec: s,
    path: bertEncoderPath(spec, corpus, options),
    trainedOn: corpus,
    data: () => ({ texts: loadTextCorpus(corpus, "train", s.trainSize > 0 ? s.trainSize : undefined).texts, name: corpus }),
    fit: { quick, progress: options.progress },
  });
}

/** Embeddings of a loaded text data set (one split) through the embedding cache (encoder = its id, version = code version + weight digest). */
export async function embedTextsWithBert(
  encoder: BertTextEncoder, dataset: Pick<TextDataset, "name" | "split" | "texts">, options: { subsetName?: string; chunkSize?: number } = {},
): Promise<Matrix> {
  return cachedEncoderEmbeddings(encoder, {
    dataset: dataset.name, split: dataset.split, subset: options.subsetName ?? "all",
    count: dataset.texts.length,
    chunkSize: options.chunkSize ?? 2048,
    embed: (start, end) => encoder.embed(dataset.texts.slice(start, end)),
  });
}
