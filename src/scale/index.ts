export { rescaleInject, rescaleGrid } from "./rescaleInject";
export {
  embeddingScales, embeddingScaleStatistics, quantileSorted, scaleStatistics, type ScaleStatistics,
} from "./scaleStatistics";
export { rescaleSweep, type Predictor, type RescalePoint } from "./rescaleSweep";
