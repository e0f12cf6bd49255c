/** The text-transformer family pretrained by masked language modelling (bertEncoders.ts describes it). */
export {
  BERT_ENCODER_FAMILY, BERT_ENCODER_IDS, BERT_ENCODER_VERSION, QUICK_BERT_TRAIN_SIZE, QUICK_BERT_EPOCHS, QUICK_BERT_MAX_LENGTH,
  bertEncoderSpec, resolveBertSpec, quickBertSpec, type BertSpec, type ResolvedBertSpec,
} from "./bertSpec";
export {
  learnVocabulary, wordCounts, VocabularyEncoder, checkVocabulary, TOKENIZER_KINDS, PAD, UNK, MASK, CLS, SPECIAL_TOKENS, FIRST_REGULAR_ID,
  type TokenizerKind, type Vocabulary,
} from "./bertVocabulary";
export { padBatch, bertParamShapes, type TokenBatch } from "./bertNetwork";
export { maskTokens, type MaskedBatch } from "./bertMasking";
export { BertTextEncoder, type BertHistory, type BertTrainingInfo, type MaskedAccuracy } from "./bertModel";
export { fitBertEncoder, lengthBucketedBatches } from "./bertTraining";
export {
  BERT_ENCODERS, saveBertEncoder, loadBertEncoder, cachedBertEncoder, bertEncoderPath, embedTextsWithBert, type CachedBertEncoderOptions,
} from "./bertEncoders";
