/**
 * latent-bridge — latent space translation via Inverse Relative Projection (IRP) and its baselines.
 *
 *   const irp = new InverseRelativeProjection({ omega: 16, delta: 0.5, seed: 0 }).fit(anchorsX, anchorsY);
 *   const y = irp.transform(x);
 */
export * from "./errors";
export { Matrix, transpose, selectRows, padCols, sliceCols, columnMeans, rowNorms, frobeniusNorm, maxAbsDiff } from "./linalg/matrix";
export { matmul, matmulTransA, matmulTransB, matvec, dot } from "./linalg/product";
export { Random } from "./linalg/random";
export { svd, singularValues, ConvergenceError, type SvdResult } from "./linalg/svd";
export { kernelBackend } from "./linalg/wasm/kernels";
export { pinv, pinvWithInfo, conditionNumber, defaultRcond, type PinvOptions, type PinvResult } from "./linalg/pinv";
export { orthogonalProcrustes } from "./linalg/procrustes";
export { lstsq } from "./linalg/lstsq";
export { relativeProjection, type RelativeProjectionOptions } from "./relative/relativeProjection";
export { anchorStats, center, centerAndNormalize, centerAndScale, unscaleInPlace, normalizeRows, denormalize, type SpaceStats } from "./relative/normalize";
export {
  farthestPointSample, farthestPointSampleFromGram, absoluteCosineGram, anchorSubspaces, drawAnchorSubspaces,
  type AnchorSubspace, type FarthestPointSampleOptions,
} from "./anchors/farthestPointSample";
export {
  InverseRelativeProjection, IRP_DEFAULTS, fitSubspaceMaps, drawSubspaceDecoders, averageMaps, translatePrefixes, meanOverDraws,
  type IrpOptions, type IrpDiagnostics, type IrpSubspaceDiagnostics, type DrawnSubspace, type SubspaceMaps, type DecoderForm,
  type SubspaceDecoderOptions,
} from "./translate/irp";
export { ProcrustesTranslator } from "./translate/procrustes";
export { LeastSquaresTranslator, type LeastSquaresOptions } from "./translate/leastSquares";
export { AbsoluteTranslator } from "./translate/absolute";
export { createTranslator, type TranslatorOptions } from "./translate/createTranslator";
export { TRANSLATION_METHODS, type Translator, type TranslationMethod, type TranslatorDiagnostics } from "./translate/translator";
export {
  cosineSimilarities, meanCosineSimilarity, meanSquaredError, accuracy, argmaxRows, pearsonCorrelation,
  linearCka, topKRetrievalAccuracy,
} from "./metrics/metrics";
export { anisotropy, type Anisotropy } from "./metrics/anisotropy";
export {
  parseNpy, readNpy, readNpyMatrix, npyToMatrix, serializeNpy, writeNpy, writeNpyMatrix,
  type NpyArray, type NpyDtype, type NpyData,
} from "./io/npy";
export { figuresDir, isQuickMode, repoRoot } from "./config";
export { toMatrix, PRUNE_SIDES, type MatrixInput, type PruneSide } from "./validate";
