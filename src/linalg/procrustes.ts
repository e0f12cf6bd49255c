import { ShapeMismatchError } from "../errors";
import { Matrix, assertFiniteEntries } from "./matrix";
import { matmulTransA, matmulTransB } from "./product";
import { svd } from "./svd";

/**
 * The orthogonal matrix R (d×d) minimising ‖A·R − B‖_F for A, B of shape n×d: with AᵀB = UΣVᵀ,
 * R = U·Vᵀ (Schönemann 1966).
 */
export function orthogonalProcrustes(a: Matrix, b: Matrix): Matrix {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new ShapeMismatchError("b", `expected shape ${a.rows}×${a.cols} like a, got ${b.rows}×${b.cols}`);
  }
  assertFiniteEntries(a, "a");
  assertFiniteEntries(b, "b");
  const c = matmulTransA(a, b);
  assertFiniteEntries(c, "b", "the cross-product aᵀb overflows float64 (rescale a or b)");
  const { U, V } = svd(c);
  return matmulTransB(U!, V!);
}
