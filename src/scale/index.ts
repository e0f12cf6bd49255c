export { rescaleInject, rescaleGrid } from "./rescaleInject";
export {
  embeddingScales, embeddingScaleStatistics, quantileSorted, scaleStatistics, type ScaleStatistics,
} from "./scaleStatistics";
export {
  rescaleSweep, aggregateSweeps, invariantInterval, type AggregatedPoint, type Predictor, type RescalePoint,
} from "./rescaleSweep";
