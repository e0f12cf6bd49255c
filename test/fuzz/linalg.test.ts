/**
 * Fuzz: svd, singular values, pinv, condition numbers, lstsq and orthogonal Procrustes on every kind
 * of matrix in arbitraries.ts. Each call returns finite results (with the algebraic identities
 * that define them, where they are cheap to check) or throws a typed error, within a time bound,
 * and never modifies its input.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Matrix, maxAbsDiff } from "../../src/linalg/matrix";
import { matmul, matmulTransA } from "../../src/linalg/product";
import { conditionNumber, pinvWithInfo } from "../../src/linalg/pinv";
import { svd, singularValues } from "../../src/linalg/svd";
import { lstsq } from "../../src/linalg/lstsq";
import { orthogonalProcrustes } from "../../src/linalg/procrustes";
import { FUZZ_RUNS, arbMatrix, buildMatrix, expectFinite, expectUnchanged, matrixSpec, params, returnsOrThrowsTyped, snapshot, timeoutFor } from "./arbitraries";

const small = { maxRows: 24, maxCols: 60 };

describe("fuzz: linear algebra", () => {
  it("svd: finite U, s, V with orthonormal columns, decreasing s ≥ 0, reconstructing A (relative 1e-9) — or a typed error", () => {
    fc.assert(fc.property(arbMatrix(small), (a) => {
      const before = snapshot(a);
      returnsOrThrowsTyped(() => svd(a), ({ U, s, V }) => {
        expectFinite(U, s, V);
        for (let i = 1; i < s.length; i++) expect(s[i]).toBeLessThanOrEqual(s[i - 1]);
        if (s.length > 0) expect(s[s.length - 1]).toBeGreaterThanOrEqual(0);
        const r = s.length;
        expect(maxAbsDiff(matmulTransA(U!, U!), Matrix.identity(r))).toBeLessThan(1e-9);
        expect(maxAbsDiff(matmulTransA(V!, V!), Matrix.identity(r))).toBeLessThan(1e-9);
        if (s[0] > 0 && s[0] < 1e300) {
          const us = U!.clone();
          for (let i = 0; i < us.rows; i++) for (let j = 0; j < r; j++) us.data[i * r + j] *= s[j];
          const back = matmul(us, new Matrix(V!.cols, V!.rows, transposeData(V!)));
          expect(maxAbsDiff(back, a) / s[0]).toBeLessThan(1e-9);
        }
        const sv = singularValues(a);
        for (let i = 0; i < r; i++) expect(Math.abs(sv[i] - s[i])).toBeLessThanOrEqual(1e-9 * s[0]);
      });
      expectUnchanged([a], before);
    }), params());
  }, timeoutFor(FUZZ_RUNS, 20));

  it("pinv: finite, A·A⁺·A = A (relative 1e-8) — or a typed error; condition numbers ≥ 1 or NaN for the zero matrix", () => {
    fc.assert(fc.property(arbMatrix(small), fc.constantFrom(undefined, 0, 1e-12, 1e-3, 0.5), (a, rcond) => {
      const before = snapshot(a);
      returnsOrThrowsTyped(() => pinvWithInfo(a, { rcond }), (info) => {
        expectFinite(info.pinv, info.singularValues);
        expect(info.pinv.shape).toEqual([a.cols, a.rows]);
        const smax = info.singularValues[0] ?? 0;
        if (smax > 0 && smax < 1e150 && info.rank > 0 && info.condKept < 1e6) {
          const back = matmul(matmul(a, info.pinv), a);
          // Only the kept part of A is reproduced; what rcond dropped is bounded by rcond·σ_max.
          const dropped = info.singularValues[info.rank] ?? 0;
          expect(maxAbsDiff(back, a)).toBeLessThanOrEqual(1e-8 * smax + 2 * dropped);
        }
        if (info.rank > 0) expect(info.condKept).toBeGreaterThanOrEqual(1);
      });
      returnsOrThrowsTyped(() => conditionNumber(a), (c) => expect(Number.isNaN(c) || c >= 1).toBe(true));
      expectUnchanged([a], before);
    }), params());
  }, timeoutFor(FUZZ_RUNS, 20));

  it("lstsq and orthogonal Procrustes: finite solutions of the right shape — or a typed error", () => {
    fc.assert(fc.property(matrixSpec(small), matrixSpec(small), (sa, sb) => {
      const a = buildMatrix(sa), b = buildMatrix(sb, { rows: sa.rows });
      const before = snapshot(a, b);
      returnsOrThrowsTyped(() => lstsq(a, b), ({ solution }) => {
        expectFinite(solution);
        expect(solution.shape).toEqual([a.cols, b.cols]);
      });
      const c = buildMatrix(sb, { rows: sa.rows, cols: sa.cols });
      returnsOrThrowsTyped(() => orthogonalProcrustes(a, c), (r) => {
        expectFinite(r);
        expect(maxAbsDiff(matmulTransA(r, r), Matrix.identity(a.cols))).toBeLessThan(1e-9);
      });
      expectUnchanged([a, b], before);
    }), params());
  }, timeoutFor(FUZZ_RUNS, 20));
});

function transposeData(m: Matrix): Float64Array {
  const out = new Float64Array(m.data.length);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) out[j * m.rows + i] = m.data[i * m.cols + j];
  return out;
}
