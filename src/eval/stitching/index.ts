/** Zero-shot stitching for classification (the IRP paper, §5: Table 2, Fig. 6, Fig. 7). */
export {
  evaluateStitching, resolveIrpSettings, STITCHING_METHODS, DEFAULT_STITCHING_METHODS,
  type StitchingMethod, type StitchingRow, type StitchingOptions, type StitchingResult,
} from "./stitching";
export {
  summarizeStitching, stitchingMatrix,
  type StitchingSummaryRow, type StitchingMatrix, type StitchingMatrixOptions,
} from "./summary";
export {
  reconstructionAndAccuracy, correlationOrNaN,
  type ReconstructionAndAccuracyOptions, type ReconstructionAndAccuracyResult, type StitchingSensitivityRow, type SensitivityCell,
} from "./sensitivity";
export {
  validateStitchingData, drawAnchorIndices, DEFAULT_STITCHING_HEAD,
  type StitchingData, type StitchingEncoder, type StitchingHeadSpec, type HeadFactory, type HeadRequest,
} from "./common";
export {
  runStitching,
  type StitchingProtocol, type StitchingRun, type SeedContext, type PairContext, type Translation, type PairTranslator,
} from "./protocol";
export {
  evaluatePanel,
  type PanelMethod, type PanelOptions, type PanelResult, type PanelRow, type PanelTranslation,
} from "./panel";
