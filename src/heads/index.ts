/**
 * Classification heads (linear / MLP on embeddings): training and prediction (classifier.ts), specs
 * (spec.ts), files and the cache (persist.ts), and the softmax training loop heads and trained
 * encoders share (softmaxTraining.ts).
 */
export {
  ClassificationHead, trainHead,
  ACTIVATIONS, HEAD_DEFAULTS, resolveHeadSpec,
  type TrainHeadOptions,
  type Activation, type HeadHistory, type HeadSpec, type HeadState, type LayerState, type ResolvedHeadSpec, type TrainingInfo,
} from "./classifier";
export { encodeHead, decodeHead, saveHead, loadHead, cachedHead, HEAD_FORMAT, HEAD_FORMAT_VERSION, type CachedHeadExpectation } from "./persist";
export { initWeight, trainSoftmax, type InitActivation, type SoftmaxHistory, type SoftmaxTrainingOptions } from "./softmaxTraining";
