import { columnMeans, maxAbsDiff, selectRows, type Matrix } from "../linalg/matrix";
import { relativeProjection } from "../relative/relativeProjection";
import { InverseRelativeProjection } from "../translate/irp";
import { LatentBridgeError } from "../errors";
import { createTranslator, type TranslatorOptions } from "../translate/createTranslator";
import type { TranslationMethod } from "../translate/translator";
import { meanCosineSimilarity, meanSquaredError, topKRetrievalAccuracy } from "../metrics/metrics";

export interface TranslationScores {
  /** Mean cosine between translated and true target rows. */
  cosine: number;
  /** Mean cosine after centring both on `centre` (default: the true targets' mean): direction only. */
  centredCosine: number;
  mse: number;
  /** Share of rows whose own target is the nearest (cosine) among all true targets. */
  top1: number;
}

/** How close translated vectors are to the true targets of the same items. */
export function scoreTranslation(translated: Matrix, truth: Matrix, centre?: ArrayLike<number>): TranslationScores {
  return {
    ...cosineScores(translated, truth, centre),
    mse: meanSquaredError(translated, truth),
    top1: topKRetrievalAccuracy(translated, truth, 1),
  };
}

/**
 * `scoreTranslation`'s two cosines alone (the same numbers), for grids that read nothing else: its
 * top-1 retrieval ranks every row against every target, an n×n×d product per cell.
 */
export function cosineScores(translated: Matrix, truth: Matrix, centre?: ArrayLike<number>): Pick<TranslationScores, "cosine" | "centredCosine"> {
  const mean = centre ? Float64Array.from(centre) : columnMeans(truth);
  return {
    cosine: meanCosineSimilarity(translated, truth),
    centredCosine: meanCosineSimilarity(translated, truth, { centre: mean }),
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

/**
 * The paper's Fig. 1 on a planar pair: relative representations of the same items in both spaces,
 * and the IRP decoding of X into Y with all anchors (ω = 1, δ = 0).
 */
export function relativeRoundTrip(x: Matrix, y: Matrix, anchorIndices: ArrayLike<number>): {
  relativeX: Matrix; relativeY: Matrix; decoded: Matrix;
  /** max |rel_X − rel_Y|: 0 when the spaces differ by an isometry, rescaling and shift. */
  maxRelativeGap: number;
  scores: TranslationScores;
} {
  const ax = selectRows(x, anchorIndices), ay = selectRows(y, anchorIndices);
  const relativeX = relativeProjection(x, ax), relativeY = relativeProjection(y, ay);
  const irp = new InverseRelativeProjection({ omega: 1, delta: 0 }).fit(ax, ay);
  const decoded = irp.transform(x);
  return {
    relativeX, relativeY, decoded, maxRelativeGap: maxAbsDiff(relativeX, relativeY),
    // Directions are compared around the target anchors' centre, the point IRP decodes around.
    scores: scoreTranslation(decoded, y, irp.targetStats.mean),
  };
}
