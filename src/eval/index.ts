/**
 * The evaluation layer without the stitching protocol (which has its own entry, `./stitching/index`):
 * scoring translations and comparing methods, ω×δ sensitivity grids, and choosing (ω, δ) from the
 * anchors alone. Pure numerics on matrices: no TensorFlow.js, no data sets.
 */
export { scoreTranslation, cosineScores, compareMethods, relativeRoundTrip, type TranslationScores, type MethodComparisonRow } from "./compare";
export {
  sensitivityGrid, gridMeans, DEFAULT_OMEGAS, DEFAULT_DELTAS, type EmbeddedSpace, type SensitivityRow, type SensitivityOptions,
} from "./sensitivity";
export {
  chooseIrpParameters, chooseIrpPerPair, heldOutSplit,
  type IrpChoiceOptions, type IrpChoiceCell, type ParameterChoice, type PairChoice, type IrpChoice,
} from "./irpChoice";
