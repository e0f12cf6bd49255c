import type { Matrix } from "../linalg/matrix";
import type { MatrixInput } from "../validate";

/**
 * The common interface of every latent-space translator: `fit` on parallel anchors (row i of
 * `anchorsX` and of `anchorsY` are the same item embedded in the source and the target space),
 * then `transform` source embeddings into the target space.
 */
export interface Translator {
  readonly method: TranslationMethod;
  fit(anchorsX: MatrixInput, anchorsY: MatrixInput): this;
  transform(x: MatrixInput): Matrix;
  /** Shapes and method-specific diagnostics, available after `fit`. */
  readonly diagnostics: TranslatorDiagnostics;
}

export type TranslationMethod = "irp" | "procrustes" | "lstsq" | "affine" | "absolute";

export const TRANSLATION_METHODS: readonly TranslationMethod[] = ["irp", "procrustes", "lstsq", "affine", "absolute"];

export interface TranslatorDiagnostics {
  method: TranslationMethod;
  sourceDim: number;
  targetDim: number;
  anchors: number;
  /** Seconds spent in `fit`. */
  fitSeconds: number;
  [key: string]: unknown;
}
