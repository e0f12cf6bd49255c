/**
 * Encoders trained from scratch, offline, as stand-ins for the paper's pretrained models — families
 * of INDEPENDENTLY trained models on the same data, whose latent spaces differ (what IRP translates).
 * Every family goes through one lifecycle (lifecycle.ts: spec → fit → persist → cache → embed):
 *
 *   imageEncoders.ts  Fashion-MNIST MLPs/CNNs trained with a classification objective
 *                     (IMAGE_ENCODER_FAMILY: mlp-256-s0, mlp-256-s1, mlp-512x2-tanh, mlp-128-l512,
 *                     cnn-32-64-l128, cnn-16-32-l64); imageSpec, imageNetwork, imageTraining, imageModel
 *   textEncoders.ts   WordNet / Debian text encoders: LSA (TF-IDF → randomized SVD) at several sizes
 *                     and seeds, and supervised bag-of-words MLPs (TEXT_ENCODER_FAMILY: lsa-64-s0,
 *                     lsa-128-s0, lsa-128-s1, lsa-128-s2, lsa-256-s0, lsa-384-s1, bow-mlp-256-l128-s0,
 *                     bow-mlp-512-l256-tanh-s1); textSpec, textFeatures, lsaTextEncoder, bowMlpModel, bowMlpTraining
 *   multilingual.ts   per-language LSA encoders (lsa-<lang>-128-s0) and one cross-lingual LSA encoder
 *                     trained WITH parallel data (xlsa-128-s0), on gettext pairs or Debian descriptions;
 *                     pairCosines.ts measures how close it keeps translations
 *   vit/              vision transformers on 28 × 28 grey images, trained with a linear head
 *                     (VIT_ENCODER_FAMILY: vit-pre-cls-d64-l4-s0/-s1, vit-post-mean-d96-l4-s2,
 *                     vit-post-cls-d128-l6-s3); the blocks they are made of are transformer/
 *   bert/             text transformers pretrained by masked language modelling on a corpus, no labels
 *                     (BERT_ENCODER_FAMILY: bert-word-d128-l2-s0/-s1, bert-bpe-d128-l2-s2, bert-bpe-d128-l4-s3)
 *   lifecycle.ts, persist.ts, lsa.ts, tokenize.ts, nn.ts   the shared machinery
 * The corpora the text encoders are fitted on: data/text/corpora.ts (also exported here).
 */
export {
  IMAGE_ENCODER_FAMILY, IMAGE_ENCODER_IDS, IMAGE_ENCODER_VERSION, IMAGE_CLASSES, QUICK_TRAIN_SIZE, QUICK_EPOCHS,
  imageEncoderSpec, resolveImageSpec, quickImageSpec, type ImageEncoderSpec, type ResolvedImageEncoderSpec,
} from "./imageSpec";
export { FASHION_MNIST_PIXEL_MEAN, FASHION_MNIST_PIXEL_STD, conv3x3Same, type ImageData } from "./imageNetwork";
export { ImageEncoder, type ImageTrainingInfo } from "./imageModel";
export { IMAGE_DATA_SEED, trainImageEncoder, type TrainImageEncoderOptions } from "./imageTraining";
export {
  IMAGE_ENCODERS, saveImageEncoder, loadImageEncoder, cachedImageEncoder, imageEncoderPath, embedFashionMnist,
  type CachedImageEncoderOptions, type EmbedFashionMnistOptions,
} from "./imageEncoders";
export {
  TEXT_ENCODER_FAMILY, TEXT_ENCODER_IDS, TEXT_ENCODER_VERSION, QUICK_TEXT_TRAIN_SIZE, QUICK_TEXT_EPOCHS,
  textEncoderSpec, resolveTextSpec, quickTextSpec, textEncoderName, trainingTexts,
  type TextEncoderSpec, type LsaEncoderSpec, type BowMlpSpec, type ResolvedTextEncoderSpec, type ResolvedLsaEncoderSpec,
  type ResolvedBowMlpSpec, type TrainedTextEncoder, type TextTrainingData,
} from "./textSpec";
export { tokenizeTexts, hashedFeatures, nonZeroRows, countZeroRows } from "./textFeatures";
export { LsaTextEncoder, fitLsaTextEncoder } from "./lsaTextEncoder";
export { BowMlpTextEncoder } from "./bowMlpModel";
export { fitBowMlpEncoder } from "./bowMlpTraining";
export {
  LSA_TEXT_ENCODERS, BOW_MLP_ENCODERS, fitTextEncoder, saveTextEncoder, loadTextEncoder, cachedTextEncoder, textEncoderPath,
  embedTextDataset, type FitTextEncoderOptions, type CachedTextEncoderOptions, type EmbedTextDatasetOptions,
} from "./textEncoders";
export {
  MULTILINGUAL_LANGUAGES, MULTILINGUAL_DIM, MULTILINGUAL_VERSION, MULTILINGUAL_LSA_DEFAULTS, QUICK_PARALLEL_TRAIN_SIZE,
  MULTILINGUAL_ENCODERS, MultilingualLsaEncoder, languageEncoderSpec, resolveMultilingualSpec, fitLanguageEncoder, fitMultilingualEncoder,
  saveMultilingualEncoder, loadMultilingualEncoder, cachedMultilingualEncoder, cachedLanguageEncoder, embedParallelSide,
  type LanguageEncoderOptions, type MultilingualSpec, type MultilingualSpecInput, type CachedMultilingualOptions,
} from "./multilingual";
export { pairCosines, type PairCosines } from "./pairCosines";
export {
  DEBIAN_MIN_CLASS_SIZE, loadParallelCorpus, loadTextCorpus, PARALLEL_CORPORA, TEXT_CORPORA,
  type LoadParallelCorpusOptions, type ParallelCorpus, type ParallelCorpusName, type TextCorpusName,
} from "../../data/text/corpora";
export {
  cachedEncoder, cachedEncoderEmbeddings, effectiveSpec, loadEncoder, saveEncoder, specCachePath,
  type CachedEncoderRequest, type EmbeddingItems, type EncoderFamily, type FitOptions, type FittedEncoder, type ResolvedSpec,
} from "./lifecycle";
export { fitLsa, lsaTransform, lsaIndex, tfidfRows, maxGramError, resolveLsaOptions, LSA_DEFAULTS, type LsaOptions, type LsaModel, type LsaFitInfo, type Csr } from "./lsa";
export { getTokenizer, loadKuromoji, bigramTokenizer, hasCjk, CJK_MODES, type CjkMode, type Tokenizer } from "./tokenize";
export { ENCODER_ACTIVATIONS, type EncoderActivation } from "./nn";
export type { SoftmaxHistory } from "../../heads/softmaxTraining";
export { ENCODER_FORMAT, ENCODER_FORMAT_VERSION, encodeBundle, decodeBundle, type EncoderBundle, type EncoderKind, type NamedArray } from "./persist";
export * from "./vit/index";
export * from "./bert/index";
