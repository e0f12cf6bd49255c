import { Matrix, columnMeans } from "../linalg/matrix";
import { matmulTransB } from "../linalg/product";
import { assertCols, checkOptions, toMatrix, type MatrixInput } from "../validate";
import { InvalidParameterError } from "../errors";
import { anchorStats, centerAndNormalize, normalizeRows } from "./normalize";

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
export function relativeProjection(x: MatrixInput, anchors: MatrixInput, options?: RelativeProjectionOptions): Matrix {
  const o = checkOptions(options, ["center"]);
  if (o.center !== undefined && typeof o.center !== "boolean") {
    throw new InvalidParameterError("center", `expected true or false, got ${JSON.stringify(o.center)}`);
  }
  const a = toMatrix(anchors, "anchors");
  const xm = toMatrix(x, "x");
  assertCols(xm, a.cols, "x", "the anchors' dimension");
  if (o.center ?? true) {
    // With one anchor there is no spread to check (it is its own mean, and then a ZeroNormError).
    const stats = a.rows > 1 ? anchorStats(a, "anchors") : { mean: columnMeans(a), meanNorm: 0 };
    return matmulTransB(centerAndNormalize(xm, stats, "x"), centerAndNormalize(a, stats, "anchors"));
  }
  return matmulTransB(normalizeRows(xm, "x"), normalizeRows(a, "anchors"));
}
