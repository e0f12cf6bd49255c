import { Matrix, rowNorms } from "../linalg/matrix";
import { InvalidParameterError } from "../errors";
import { assertNonZeroRows, toMatrix, type MatrixInput } from "../validate";

/**
 * Rescale injection (the IRP paper, §4.2): every row normalised to unit L2 norm, then multiplied by
 * α — the direction of each embedding is kept, its scale replaced by α.
 */
export function rescaleInject(x: MatrixInput, alpha: number): Matrix {
  if (!Number.isFinite(alpha) || alpha <= 0) {
    throw new InvalidParameterError("alpha", `expected a finite number > 0, got ${alpha}`);
  }
  const m = toMatrix(x, "x");
  const norms = rowNorms(m);
  assertNonZeroRows(norms, "x", " (rescale injection needs a direction)");
  const out = new Matrix(m.rows, m.cols);
  for (let i = 0; i < m.rows; i++) {
    const f = alpha / norms[i];
    for (let j = 0, o = i * m.cols; j < m.cols; j++) out.data[o + j] = m.data[o + j] * f;
  }
  return out;
}

/**
 * A grid of rescale factors: `count` values log-spaced over [min, max], plus the `include` values
 * (e.g. the training data's mean scale), sorted and de-duplicated.
 */
export function rescaleGrid(options: { min: number; max: number; count: number; include?: number[] }): number[] {
  const { min, max, count } = options;
  if (!(min > 0) || !(max > min) || !Number.isFinite(max)) {
    throw new InvalidParameterError("min", `expected 0 < min < max < ∞, got min ${min}, max ${max}`);
  }
  if (!Number.isInteger(count) || count < 2) throw new InvalidParameterError("count", `expected an integer ≥ 2, got ${count}`);
  const out = Array.from({ length: count }, (_, i) => Math.exp(Math.log(min) + ((Math.log(max) - Math.log(min)) * i) / (count - 1)));
  for (const v of options.include ?? []) {
    if (!(v > 0) || !Number.isFinite(v)) throw new InvalidParameterError("include", `expected finite values > 0, got ${v}`);
    out.push(v);
  }
  out.sort((a, b) => a - b);
  return out.filter((v, i) => i === 0 || v / out[i - 1] - 1 > 1e-12);
}
