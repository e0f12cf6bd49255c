/**
 * Fuzz: the metrics of src/metrics/metrics.ts on every kind of matrix and vector in arbitraries.ts.
 * Each returns a finite number in its documented range (cosines in [−1, 1], CKA and accuracies in
 * [0, 1], MSE ≥ 0) or throws a typed error — never NaN, never ±Infinity — and modifies nothing.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  accuracy, argmaxRows, cosineSimilarities, linearCka, meanCosineSimilarity, meanSquaredError, pearsonCorrelation,
  topKRetrievalAccuracy,
} from "../../src/metrics/metrics";
import { FUZZ_RUNS, SPECIAL_VALUES, buildMatrix, expectFinite, expectUnchanged, matrixSpec, params, returnsOrThrowsTyped, snapshot, timeoutFor } from "./arbitraries";

const shapes = { maxRows: 30, maxCols: 40 };
const inRange = (lo: number, hi: number) => (v: number) => {
  expectFinite(v);
  expect(v).toBeGreaterThanOrEqual(lo);
  expect(v).toBeLessThanOrEqual(hi);
};

describe("fuzz: metrics", () => {
  it("matrix metrics: finite values in range, or a typed error", () => {
    fc.assert(fc.property(matrixSpec(shapes), matrixSpec(shapes), fc.boolean(), fc.integer({ min: -1, max: 40 }), (sa, sb, sameShape, k) => {
      const a = buildMatrix(sa), b = sameShape ? buildMatrix(sb, { rows: sa.rows, cols: sa.cols }) : buildMatrix(sb);
      const before = snapshot(a, b);
      returnsOrThrowsTyped(() => cosineSimilarities(a, b), (c) => {
        expect(c.length).toBe(a.rows);
        for (const v of c) inRange(-1, 1)(v);
      });
      returnsOrThrowsTyped(() => meanCosineSimilarity(a, b), inRange(-1, 1));
      returnsOrThrowsTyped(() => meanSquaredError(a, b), inRange(0, Number.MAX_VALUE));
      returnsOrThrowsTyped(() => linearCka(a, buildMatrix(sb, { rows: sa.rows })), inRange(0, 1));
      returnsOrThrowsTyped(() => topKRetrievalAccuracy(a, b, k), inRange(0, 1));
      returnsOrThrowsTyped(() => argmaxRows(a), (idx) => {
        for (const i of idx) expect(i >= 0 && i < a.cols).toBe(true);
      });
      expectUnchanged([a, b], before);
    }), params());
  }, timeoutFor(FUZZ_RUNS, 20));

  it("vector metrics: Pearson in [−1, 1] and accuracy in [0, 1], or a typed error", () => {
    const value = fc.oneof(fc.double(), fc.constantFrom(...SPECIAL_VALUES), fc.integer({ min: -3, max: 3 }));
    const scale = fc.constantFrom(1, 1e-300, 1e300, 1e308);
    fc.assert(fc.property(fc.array(value, { maxLength: 30 }), fc.array(value, { maxLength: 30 }), scale, fc.boolean(), (x, y, s, same) => {
      const xs = x.map((v) => v * s), ys = same ? y.slice(0, x.length).concat(x.slice(y.length)).map((v) => v * s) : y;
      const bx = xs.slice(), by = ys.slice();
      returnsOrThrowsTyped(() => pearsonCorrelation(xs, ys), inRange(-1, 1));
      returnsOrThrowsTyped(() => accuracy(xs, ys), inRange(0, 1));
      expect(xs).toEqual(bx);
      expect(ys).toEqual(by);
    }), params());
  });
});
