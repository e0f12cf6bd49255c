/** Anisotropy (src/metrics/anisotropy.ts): the mean cosine between different items, before and after centring. */
import { describe, expect, it } from "vitest";
import { InvalidParameterError } from "../src/errors";
import { Matrix } from "../src/linalg/matrix";
import { anisotropy } from "../src/metrics/anisotropy";
import { randomMatrix } from "./helpers";

/** The mean over i ≠ j of cos(x_i, x_j), pair by pair. */
function bruteForce(x: Matrix): number {
  let s = 0, n = 0;
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < x.rows; j++) {
      if (i === j) continue;
      const a = x.row(i), b = x.row(j);
      let ab = 0, aa = 0, bb = 0;
      for (let k = 0; k < a.length; k++) { ab += a[k] * b[k]; aa += a[k] * a[k]; bb += b[k] * b[k]; }
      s += ab / Math.sqrt(aa * bb);
      n++;
    }
  }
  return s / n;
}

describe("anisotropy", () => {
  it("equals the pairwise mean cosine, before and after centring", () => {
    const x = randomMatrix(40, 6, 1);
    for (let i = 0; i < x.rows; i++) x.data[i * 6] += 3; // a common offset: a narrow cone
    const a = anisotropy(x);
    expect(a.meanCosine).toBeCloseTo(bruteForce(x), 12);
    const mean = Array.from({ length: 6 }, (_, j) => { let s = 0; for (let i = 0; i < x.rows; i++) s += x.get(i, j); return s / x.rows; });
    const centred = new Matrix(x.rows, 6, x.data.map((v, k) => v - mean[k % 6]));
    expect(a.meanCosineCentred).toBeCloseTo(bruteForce(centred), 12);
    // The offset makes the cloud anisotropic (measured 0.66); centring leaves ≈ −1/(n−1) (measured −0.023).
    expect(a.meanCosine).toBeGreaterThan(0.5);
    expect(a.meanCosineCentred).toBeCloseTo(-1 / 39, 1);
  });

  it("known answers: identical directions give 1, ± pairs give −1/(n−1); zero rows are left out", () => {
    expect(anisotropy(new Matrix(3, 2, Float64Array.from([1, 1, 2, 2, 0.5, 0.5]))).meanCosine).toBeCloseTo(1, 12);
    const pm = anisotropy(new Matrix(3, 2, Float64Array.from([1, 0, -1, 0, 0, 0])));
    expect(pm.items).toBe(2);
    expect(pm.meanCosine).toBeCloseTo(-1, 12);
    expect(() => anisotropy(new Matrix(2, 2, Float64Array.from([1, 0, 0, 0])))).toThrow(InvalidParameterError);
    expect(() => anisotropy(new Matrix(2, 1, Float64Array.from([1, NaN])))).toThrow(/finite/);
  });
});
