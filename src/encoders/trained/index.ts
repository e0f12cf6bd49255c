/**
 * Encoders trained from scratch, offline, as stand-ins for the paper's pretrained models — families
 * of INDEPENDENTLY trained models on the same data, whose latent spaces differ (what IRP translates):
 *
 *   imageEncoders.ts  Fashion-MNIST MLPs/CNNs trained with a classification objective
 *                     (IMAGE_ENCODER_FAMILY: mlp-256-s0, mlp-256-s1, mlp-512x2-tanh, mlp-128-l512,
 *                     cnn-32-64-l128, cnn-16-32-l64)
 *   textEncoders.ts   WordNet / Debian text encoders: LSA (TF-IDF → randomized SVD) at several sizes
 *                     and seeds, and supervised bag-of-words MLPs (TEXT_ENCODER_FAMILY: lsa-64-s0,
 *                     lsa-128-s0, lsa-128-s1, lsa-128-s2, lsa-256-s0, lsa-384-s1, bow-mlp-256-l128-s0,
 *                     bow-mlp-512-l256-tanh-s1)
 *   multilingual.ts   per-language LSA encoders (lsa-<lang>-128-s0) and one cross-lingual LSA encoder
 *                     trained WITH parallel data (xlsa-128-s0), on gettext pairs or Debian descriptions
 *   lsa.ts, tokenize.ts, nn.ts, persist.ts   the shared machinery
 */
export {
  IMAGE_ENCODER_FAMILY, IMAGE_ENCODER_IDS, IMAGE_ENCODER_VERSION, IMAGE_DATA_SEED, QUICK_TRAIN_SIZE, QUICK_EPOCHS,
  FASHION_MNIST_PIXEL_MEAN, FASHION_MNIST_PIXEL_STD,
  ImageEncoder, imageEncoderSpec, resolveImageSpec, quickImageSpec, trainImageEncoder, saveImageEncoder, loadImageEncoder,
  cachedImageEncoder, imageEncoderPath, encoderCacheDir, embedFashionMnist, conv3x3Same,
  type ImageEncoderSpec, type ResolvedImageEncoderSpec, type ImageData, type ImageTrainingInfo, type TrainImageEncoderOptions,
  type CachedImageEncoderOptions, type EmbedFashionMnistOptions,
} from "./imageEncoders";
export {
  TEXT_ENCODER_FAMILY, TEXT_ENCODER_IDS, TEXT_ENCODER_VERSION, TEXT_CORPORA, QUICK_TEXT_TRAIN_SIZE, QUICK_TEXT_EPOCHS, DEBIAN_MIN_CLASS_SIZE,
  LsaTextEncoder, BowMlpTextEncoder, textEncoderSpec, resolveTextSpec, quickTextSpec, fitTextEncoder, saveTextEncoder, loadTextEncoder,
  cachedTextEncoder, textEncoderPath, loadTextCorpus, embedTextDataset, tokenizeTexts, hashedFeatures, nonZeroRows,
  type TextEncoderSpec, type LsaEncoderSpec, type BowMlpSpec, type ResolvedTextEncoderSpec, type ResolvedLsaEncoderSpec,
  type ResolvedBowMlpSpec, type TrainedTextEncoder, type TextTrainingData, type FitTextEncoderOptions, type TextCorpusName,
  type CachedTextEncoderOptions, type EmbedTextDatasetOptions,
} from "./textEncoders";
export {
  MULTILINGUAL_LANGUAGES, MULTILINGUAL_DIM, MULTILINGUAL_VERSION, MULTILINGUAL_LSA_DEFAULTS, PARALLEL_CORPORA, QUICK_PARALLEL_TRAIN_SIZE,
  MultilingualLsaEncoder, loadParallelCorpus, fitLanguageEncoder, fitMultilingualEncoder, saveMultilingualEncoder,
  loadMultilingualEncoder, cachedMultilingualEncoder, cachedLanguageEncoder, embedParallelSide, pairCosines,
  type ParallelCorpus, type ParallelCorpusName, type LoadParallelCorpusOptions, type LanguageEncoderOptions, type MultilingualSpec,
  type CachedMultilingualOptions, type PairCosines,
} from "./multilingual";
export { fitLsa, lsaTransform, lsaIndex, tfidfRows, maxGramError, resolveLsaOptions, LSA_DEFAULTS, type LsaOptions, type LsaModel, type LsaFitInfo, type Csr } from "./lsa";
export { getTokenizer, loadKuromoji, bigramTokenizer, hasCjk, CJK_MODES, type CjkMode, type Tokenizer } from "./tokenize";
export { ENCODER_ACTIVATIONS, type EncoderActivation, type SoftmaxHistory } from "./nn";
export { ENCODER_FORMAT, ENCODER_FORMAT_VERSION, encodeBundle, decodeBundle, type EncoderBundle, type EncoderKind, type NamedArray } from "./persist";
