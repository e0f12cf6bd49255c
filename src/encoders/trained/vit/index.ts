/** The vision-transformer family (vitEncoders.ts describes it). */
export {
  VIT_ENCODER_FAMILY, EMOJI_VIT_FAMILY, VIT_ENCODER_IDS, VIT_ENCODER_VERSION, VIT_IMAGE_SIDE, VIT_POOLINGS, QUICK_VIT_TRAIN_SIZE, QUICK_VIT_EPOCHS,
  vitEncoderSpec, resolveVitSpec, quickVitSpec, vitTokens, type VitSpec, type ResolvedVitSpec, type VitPooling,
} from "./vitSpec";
export { patchify, vitParamShapes } from "./vitNetwork";
export { VitEncoder, type VitBatch, type VitTrainingInfo } from "./vitModel";
export { trainVitEncoder } from "./vitTraining";
export {
  VIT_ENCODERS, saveVitEncoder, loadVitEncoder, cachedVitEncoder, vitEncoderPath, embedWithVit,
  type CachedVitEncoderOptions, type EmbedVitOptions,
} from "./vitEncoders";
