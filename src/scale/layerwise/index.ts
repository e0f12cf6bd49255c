/**
 * Layer-wise rescaling (the IRP paper's Fig. 2) inside pretrained Keras backbones — graph cuts and
 * block boundaries, a layer-by-layer runner whose activation at a cut can be replaced — and inside
 * the transformers trained here (their hidden states); one (layer, α) accuracy grid of a frozen
 * head for both (grid.ts).
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
export { layerRescaleGrid, type RescaleNetwork, type RescaleItems, type RescaleGridInput, type RescaleGridOutput } from "./grid";
export {
  transformerLayerFeatures, transformerRescaleGrid,
  type LayerwiseTransformer, type TransformerInputs, type TransformerLayerFeaturesOptions, type TransformerLayerFeatures,
  type TransformerRescaleOptions, type TransformerRescaleRow, type TransformerRescaleResult,
} from "./transformerRescale";
