/**
 * Layer-wise rescaling inside pretrained Keras backbones (the IRP paper's Fig. 2): graph cuts and
 * block boundaries, a layer-by-layer runner whose activation at a cut can be replaced, and the
 * (layer, α) accuracy grid of a frozen head.
 */
export {
  layerGraph, graphLayer, ancestors, cutCheck, isCut, assertCut, listCuts, listBlocks,
  NotACutError, UnsupportedGraphError,
  type KerasLayer, type GraphLayer, type LayerGraph, type BlockInfo,
} from "./blocks";
export { LayerRunner, rescaleActivation, activationNorms, targetNorm, type AlphaMode } from "./runFrom";
export {
  layerwiseRescaleGrid, layerwiseFeatures, loadLayerwiseBackbone, layerwiseBlocks, LAYERWISE_ENCODERS,
  type LayerwiseEncoder, type LayerwiseBackbone,
  type LayerwiseFeaturesOptions, type LayerwiseFeatures, type LayerwiseRescaleOptions, type LayerwiseRow, type LayerwiseRescaleResult,
} from "./layerwiseRescale";
export type { LayerwiseImages, RgbImageProvider, FashionMnistImages } from "./images";
