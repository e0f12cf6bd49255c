import type { Matrix } from "../linalg/matrix";
import { LatentBridgeError } from "../errors";
import { createTranslator, type TranslatorOptions } from "../translate/createTranslator";
import type { TranslationMethod } from "../translate/translator";
import { meanCosineSimilarity, meanSquaredError, topKRetrievalAccuracy } from "./metrics";

export interface TranslationScores {
  /** Mean cosine between translated and true target rows. */
  cosine: number;
  /** Mean cosine after centring both on the true targets' mean (direction only). */
  centredCosine: number;
  mse: number;
  /** Share of rows whose own target is the nearest (cosine) among all true targets. */
  top1: number;
}

/** How close translated vectors are to the true targets of the same items. */
export function scoreTranslation(translated: Matrix, truth: Matrix): TranslationScores {
  const mean = new Float64Array(truth.cols);
  for (let i = 0; i < truth.rows; i++) for (let j = 0; j < truth.cols; j++) mean[j] += truth.data[i * truth.cols + j] / truth.rows;
  const centre = (m: Matrix) => {
    const c = m.clone();
    for (let i = 0; i < c.rows; i++) for (let j = 0; j < c.cols; j++) c.data[i * c.cols + j] -= mean[j];
    return c;
  };
  return {
    cosine: meanCosineSimilarity(translated, truth),
    centredCosine: meanCosineSimilarity(centre(translated), centre(truth)),
    mse: meanSquaredError(translated, truth),
    top1: topKRetrievalAccuracy(translated, truth, 1),
  };
}

export interface MethodComparisonRow extends Partial<TranslationScores> {
  method: TranslationMethod;
  fitSeconds?: number;
  /** Why the method could not run on this pair (e.g. absolute across dimensions). */
  unavailable?: string;
}

/**
 * Fits every method on the same anchors and scores it on held-out items. A method that cannot
 * handle the pair (the absolute baseline across dimensions) gets a row saying why instead of scores.
 */
export function compareMethods(args: {
  anchorsX: Matrix; anchorsY: Matrix; testX: Matrix; testY: Matrix;
  methods?: TranslationMethod[]; options?: TranslatorOptions;
}): MethodComparisonRow[] {
  const methods = args.methods ?? ["irp", "procrustes", "lstsq", "affine", "absolute"];
  return methods.map((method) => {
    try {
      const t = createTranslator(method, args.options).fit(args.anchorsX, args.anchorsY);
      return { method, ...scoreTranslation(t.transform(args.testX), args.testY), fitSeconds: t.diagnostics.fitSeconds };
    } catch (e) {
      if (e instanceof LatentBridgeError && method === "absolute") return { method, unavailable: e.message };
      throw e;
    }
  });
}
