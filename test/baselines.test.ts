import { describe, expect, it } from "vitest";
import { ProcrustesTranslator } from "../src/translate/procrustes";
import { LeastSquaresTranslator } from "../src/translate/leastSquares";
import { AbsoluteTranslator } from "../src/translate/absolute";
import { createTranslator } from "../src/translate/createTranslator";
import { Matrix, maxAbsDiff } from "../src/linalg/matrix";
import { matmul } from "../src/linalg/product";
import { InvalidParameterError, NotFittedError, ShapeMismatchError } from "../src/errors";
import { TRANSLATION_METHODS } from "../src/translate/translator";
import { bottomRows, meanCenteredCosine, randomMatrix, randomOrthogonal, topRows } from "./helpers";

/** y = s·[x 0]·Q + t (or x cut to fewer dims), the similarity transform every baseline should handle. */
function similarPair(dx: number, dy: number, seed: number) {
  const r = Math.min(dx, dy);
  const z = randomMatrix(260, r, seed);
  const x = matmul(z, topRows(randomOrthogonal(dx, seed + 1), r));
  const y = matmul(z, topRows(randomOrthogonal(dy, seed + 2), r));
  for (let i = 0; i < x.data.length; i++) x.data[i] = 2 * x.data[i] + 0.5;
  for (let i = 0; i < y.data.length; i++) y.data[i] = 0.3 * y.data[i] + (i % dy) * 0.1;
  return { ax: topRows(x, 200), ay: topRows(y, 200), tx: bottomRows(x, 60), ty: bottomRows(y, 60) };
}

describe("orthogonal Procrustes translator (Maiorca et al. 2023)", () => {
  it.each([[10, 10], [8, 14], [14, 8]])("recovers rotation + shift + isotropic scale exactly, %i-d → %i-d via zero-padding", (dx, dy) => {
    const { ax, ay, tx, ty } = similarPair(dx, dy, dx * 7 + dy);
    const t = new ProcrustesTranslator().fit(ax, ay);
    expect(t.diagnostics.paddedDim).toBe(Math.max(dx, dy));
    const out = t.transform(tx);
    expect(out.shape).toEqual([60, dy]);
    expect(maxAbsDiff(out, ty)).toBeLessThan(1e-9);
    // The fitted map is the d_x×d_y block of an orthogonal map: orthonormal rows (d_x ≤ d_y) or columns.
    const r = t.rotation;
    expect(r.shape).toEqual([dx, dy]);
    const rt = new Matrix(r.cols, r.rows, transposeData(r));
    const gram = dx <= dy ? matmul(r, rt) : matmul(rt, r);
    expect(maxAbsDiff(gram, Matrix.identity(Math.min(dx, dy)))).toBeLessThan(1e-10);
  });
});

function transposeData(m: Matrix): Float64Array {
  const out = new Float64Array(m.data.length);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) out[j * m.rows + i] = m.data[i * m.cols + j];
  return out;
}

describe("least squares translators", () => {
  it("lstsq recovers a linear map through the origin; affine recovers a linear map plus bias", () => {
    const x = randomMatrix(100, 6, 1), w = randomMatrix(6, 4, 2);
    const y = matmul(x, w);
    const lin = new LeastSquaresTranslator().fit(topRows(x, 80), topRows(y, 80));
    expect(maxAbsDiff(lin.transform(bottomRows(x, 20)), bottomRows(y, 20))).toBeLessThan(1e-10);
    const shifted = y.clone();
    for (let i = 0; i < shifted.data.length; i++) shifted.data[i] += [1, -2, 3, 0.5][i % 4];
    const aff = createTranslator("affine").fit(topRows(x, 80), topRows(shifted, 80));
    expect(maxAbsDiff(aff.transform(bottomRows(x, 20)), bottomRows(shifted, 20))).toBeLessThan(1e-10);
    // Without a bias the shift cannot be represented.
    const linShift = createTranslator("lstsq").fit(topRows(x, 80), topRows(shifted, 80));
    expect(maxAbsDiff(linShift.transform(bottomRows(x, 20)), bottomRows(shifted, 20))).toBeGreaterThan(0.1);
  });

  it("irp, procrustes and affine recover a shifted similarity transform across dimensions (cosine > 0.999)", () => {
    const { ax, ay, tx, ty } = similarPair(12, 16, 3);
    for (const method of ["irp", "procrustes", "affine"] as const) {
      const t = createTranslator(method, { omega: 4, delta: 0.2 }).fit(ax, ay);
      const mean = new Float64Array(16);
      for (let i = 0; i < ay.rows; i++) for (let j = 0; j < 16; j++) mean[j] += ay.get(i, j) / ay.rows;
      expect(meanCenteredCosine(t.transform(tx), ty, mean, mean), method).toBeGreaterThan(0.999);
    }
  });
});

describe("absolute baseline and the factory", () => {
  it("absolute is the identity and refuses spaces of different dimension", () => {
    const x = randomMatrix(10, 5, 1);
    const t = new AbsoluteTranslator().fit(x, randomMatrix(10, 5, 2));
    expect(maxAbsDiff(t.transform(x), x)).toBe(0);
    expect(() => new AbsoluteTranslator().fit(x, randomMatrix(10, 6, 2))).toThrow(ShapeMismatchError);
    expect(() => new AbsoluteTranslator().fit(x, randomMatrix(10, 6, 2))).toThrow(/equal dimension/);
  });

  it("knows every method, refuses unknown ones, and refuses transform before fit", () => {
    for (const m of TRANSLATION_METHODS) expect(createTranslator(m).method).toBe(m);
    expect(() => createTranslator("umap")).toThrow(InvalidParameterError);
    expect(() => createTranslator("umap")).toThrow(/method/);
    for (const m of TRANSLATION_METHODS) expect(() => createTranslator(m).transform([[1]])).toThrow(NotFittedError);
  });

  it("refuses anchor sets of different sizes and inputs of the wrong width", () => {
    for (const m of TRANSLATION_METHODS) {
      expect(() => createTranslator(m).fit(randomMatrix(10, 4, 1), randomMatrix(9, 4, 2))).toThrow(ShapeMismatchError);
      const t = createTranslator(m, { delta: 0 }).fit(randomMatrix(10, 4, 1), randomMatrix(10, 4, 2));
      expect(() => t.transform(randomMatrix(3, 5, 3))).toThrow(ShapeMismatchError);
    }
  });
});
