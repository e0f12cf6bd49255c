/**
 * latent-bridge — latent space translation via Inverse Relative Projection (IRP) and its baselines.
 *
 *   const irp = new InverseRelativeProjection({ omega: 16, delta: 0.5, seed: 0 }).fit(anchorsX, anchorsY);
 *   const y = irp.transform(x);
 *   saveTranslator(irp, "model.npz");                                  // fit once …
 *   await transformFile(loadTranslator("model.npz"), "x.npy", "y.npy"); // … apply many, any file size
 *
 * The core: no npm package is loaded by importing it (the experiment layers have their own entry
 * points: package.json "exports").
 */
export * from "./errors";
export { Matrix, transpose, selectRows, padCols, sliceCols, columnMeans, rowNorms, frobeniusNorm, maxAbsDiff } from "./linalg/matrix";
export { matmul, matmulTransA, matmulTransB, matvec, dot, float32ProductErrorBound, PRECISIONS, type Precision } from "./linalg/product";
export { Random, SEED_MAX } from "./linalg/random";
export { svd, singularValues, type SvdResult } from "./linalg/svd";
export { kernelBackend } from "./linalg/wasm/kernels";
export { setKernels, kernelChoice, KERNEL_CHOICES, type KernelChoice } from "./linalg/kernelChoice";
export { BLAS_LIBRARIES } from "./linalg/blas";
export { pinv, pinvWithInfo, conditionNumber, defaultRcond, type PinvOptions, type PinvResult } from "./linalg/pinv";
export { pinvByGram, pinvOfRowsByGram, GRAM_ERROR_BOUND, type GramPinvResult } from "./linalg/pinvGram";
export { orthogonalProcrustes } from "./linalg/procrustes";
export { MatrixContentMemo, matrixContentKey } from "./linalg/contentMemo";
export { lstsq } from "./linalg/lstsq";
export { relativeProjection, type RelativeProjectionOptions } from "./relative/relativeProjection";
export { anchorStats, center, centerAndNormalize, centerAndScale, unscaleInPlace, normalizeRows, denormalize, type SpaceStats } from "./relative/normalize";
export {
  farthestPointSample, farthestPointSampleFromGram, absoluteCosineGram, cosineGram, anchorSubspaces, drawAnchorSubspaces,
  type AnchorSubspace, type FarthestPointSampleOptions,
} from "./anchors/farthestPointSample";
export {
  InverseRelativeProjection, IRP_DEFAULTS, MAX_OMEGA, fitSubspaceMaps, drawSubspaceDecoders, drawSubspaceEncoders, averageMaps, mapFactors,
  translatePrefixes, meanOverDraws, resolveIrpVariant, isPlainIrp, filteredSpectrum, polarOfProduct,
  type IrpOptions, type IrpTransformOptions, type IrpDiagnostics, type IrpSubspaceDiagnostics, type DrawnSubspace, type SubspaceMaps, type DecoderForm,
  type SubspaceDecoderOptions, type IrpVariant, type SpectralFilter,
} from "./translate/irp";
export {
  ProcrustesTranslator, PROCRUSTES_VARIANTS, type ProcrustesOptions, type ProcrustesVariant, type ProcrustesDiagnostics,
} from "./translate/procrustes";
export { LeastSquaresTranslator, type LeastSquaresOptions } from "./translate/leastSquares";
export { AbsoluteTranslator } from "./translate/absolute";
export { createTranslator, type TranslatorOptions } from "./translate/createTranslator";
export { TRANSLATION_METHODS, type Translator, type TranslationMethod, type TranslatorDiagnostics } from "./translate/translator";
export {
  cosineSimilarities, meanCosineSimilarity, meanSquaredError, accuracy, argmaxRows, pearsonCorrelation,
  linearCka, topKRetrievalAccuracy,
} from "./metrics/metrics";
export { meanReciprocalRank, retrievalScores, type RetrievalScores } from "./metrics/metrics";
export { anisotropy, type Anisotropy } from "./metrics/anisotropy";
export {
  parseNpy, parseNpyHeader, readNpy, readNpyMatrix, npyToMatrix, serializeNpy, writeNpy, writeNpyMatrix,
  type NpyArray, type NpyDtype, type NpyData, type NpyHeader,
} from "./io/npy";
export {
  listNpz, readNpz, readNpzArray, writeNpz, serializeNpz, parseArraySpec, type NpzMember, type NpzEntry,
} from "./io/npz";
export { readMatrix, openRows, type RowSource } from "./io/arraySource";
export {
  saveTranslator, loadTranslator, readModel, MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelMeta, type SaveTranslatorOptions,
} from "./translate/persist";
export {
  transformFile, defaultOutputDtype, type TransformFileOptions, type TransformFileResult, type OutputDtype,
} from "./translate/transformFile";
export { figuresDir, isQuickMode, repoRoot } from "./config";
export { toMatrix, assertSeed, PRUNE_SIDES, type MatrixInput, type PruneSide } from "./validate";
