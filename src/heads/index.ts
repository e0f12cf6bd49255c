/** Classification heads (linear / MLP on embeddings): training, prediction, files. */
export {
  ClassificationHead, trainHead, saveHead, loadHead, cachedHead,
  ACTIVATIONS, HEAD_DEFAULTS, resolveHeadSpec,
  type TrainHeadOptions, type CachedHeadExpectation,
  type Activation, type HeadHistory, type HeadSpec, type HeadState, type LayerState, type ResolvedHeadSpec, type TrainingInfo,
} from "./classifier";
export { encodeHead, decodeHead, HEAD_FORMAT, HEAD_FORMAT_VERSION } from "./persist";
