import { Matrix, columnMeans } from "../linalg/matrix";
import { matmulTransB } from "../linalg/product";
import { assertCols, toMatrix, type MatrixInput } from "../validate";
import { centerAndNormalize, normalizeRows } from "./normalize";

export interface RelativeProjectionOptions {
  /**
   * Centre x and the anchors on the anchor mean first (IRP does; Moschella et al. 2023 do not, relying
   * on the network's own normalisation). Default true.
   */
  center?: boolean;
}

/**
 * Relative representation (Moschella et al. 2023, eq. 1 of the IRP paper): the cosine similarity of
 * every row of x to every anchor, an n×k matrix. Invariant to rotations, reflections and isotropic
 * rescaling of the space (and, when centred, to translations).
 */
export function relativeProjection(x: MatrixInput, anchors: MatrixInput, options: RelativeProjectionOptions = {}): Matrix {
  const a = toMatrix(anchors, "anchors");
  const xm = toMatrix(x, "x");
  assertCols(xm, a.cols, "x", "the anchors' dimension");
  if (options.center ?? true) {
    const mean = columnMeans(a);
    return matmulTransB(centerAndNormalize(xm, mean, "x"), centerAndNormalize(a, mean, "anchors"));
  }
  return matmulTransB(normalizeRows(xm, "x"), normalizeRows(a, "anchors"));
}
