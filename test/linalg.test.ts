import { describe, expect, it } from "vitest";
import { Matrix, maxAbsDiff, transpose } from "../src/linalg/matrix";
import { matmul, matmulTransA, matmulTransB } from "../src/linalg/product";
import { svd, singularValues } from "../src/linalg/svd";
import { conditionNumber, pinv, pinvWithInfo } from "../src/linalg/pinv";
import { orthogonalProcrustes } from "../src/linalg/procrustes";
import { lstsq } from "../src/linalg/lstsq";
import { InvalidParameterError, ShapeMismatchError } from "../src/errors";
import { randomMatrix, randomOrthogonal } from "./helpers";

function naiveMatmul(a: Matrix, b: Matrix): Matrix {
  const c = new Matrix(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++)
    for (let j = 0; j < b.cols; j++) {
      let s = 0;
      for (let p = 0; p < a.cols; p++) s += a.get(i, p) * b.get(p, j);
      c.set(i, j, s);
    }
  return c;
}

function reconstruct(u: Matrix, s: Float64Array, v: Matrix): Matrix {
  const us = u.clone();
  for (let i = 0; i < us.rows; i++) for (let j = 0; j < s.length; j++) us.data[i * us.cols + j] *= s[j];
  return matmul(us, transpose(v));
}

function orthonormalityError(q: Matrix): number {
  return maxAbsDiff(matmulTransA(q, q), Matrix.identity(q.cols));
}

describe("products", () => {
  it.each([[1, 1, 1], [5, 7, 3], [9, 4, 13], [33, 17, 65], [12, 300, 10], [7, 513, 6]])("matmul %i×%i·%i×… matches the naive triple loop", (m, k, n) => {
    const a = randomMatrix(m, k, m), b = randomMatrix(k, n, n);
    expect(maxAbsDiff(matmul(a, b), naiveMatmul(a, b))).toBeLessThan(1e-12);
    expect(maxAbsDiff(matmulTransB(a, transpose(b)), naiveMatmul(a, b))).toBeLessThan(1e-12);
    expect(maxAbsDiff(matmulTransA(transpose(a), b), naiveMatmul(a, b))).toBeLessThan(1e-12);
  });

  it("refuses inner dimensions that differ", () => {
    expect(() => matmul(randomMatrix(2, 3, 1), randomMatrix(4, 2, 2))).toThrow(ShapeMismatchError);
  });
});

describe("svd", () => {
  it.each([[6, 4], [4, 6], [30, 30], [50, 20], [20, 50], [300, 17], [17, 300], [1, 5], [5, 1]])("reconstructs a %i×%i matrix with orthonormal factors", (m, n) => {
    const a = randomMatrix(m, n, m * 100 + n);
    const { U, s, V } = svd(a);
    expect(U!.shape).toEqual([m, Math.min(m, n)]);
    expect(V!.shape).toEqual([n, Math.min(m, n)]);
    expect(maxAbsDiff(reconstruct(U!, s, V!), a)).toBeLessThan(1e-12);
    expect(orthonormalityError(U!)).toBeLessThan(1e-12);
    expect(orthonormalityError(V!)).toBeLessThan(1e-12);
    for (let i = 1; i < s.length; i++) expect(s[i]).toBeLessThanOrEqual(s[i - 1]);
  });

  it("finds known singular values of Q1·diag(s)·Q2ᵀ", () => {
    const want = [9, 5, 3, 1, 0.5, 1e-3];
    const q1 = randomOrthogonal(6, 1), q2 = randomOrthogonal(6, 2);
    const a = reconstruct(q1, Float64Array.from(want), q2);
    const got = singularValues(a);
    want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 12));
  });

  it("handles exact rank deficiency and the zero matrix", () => {
    const b = randomMatrix(12, 3, 5), c = randomMatrix(3, 9, 6);
    const s = singularValues(matmul(b, c)); // rank 3
    expect(s[2]).toBeGreaterThan(1e-3);
    for (let i = 3; i < s.length; i++) expect(s[i]).toBeLessThan(1e-13 * s[0]);
    // Tall (QR-first path) and rank-deficient.
    const tall = svd(matmul(randomMatrix(60, 3, 7), randomMatrix(3, 8, 8)));
    for (let i = 3; i < 8; i++) expect(tall.s[i]).toBeLessThan(1e-13 * tall.s[0]);
    expect(orthonormalityError(tall.U!)).toBeLessThan(1e-12);
    expect(orthonormalityError(tall.V!)).toBeLessThan(1e-12);
    expect(Array.from(svd(new Matrix(10, 2)).s)).toEqual([0, 0]);
    expect(orthonormalityError(svd(new Matrix(10, 2)).U!)).toBeLessThan(1e-15);
    const z = svd(new Matrix(4, 3));
    expect(Array.from(z.s)).toEqual([0, 0, 0]);
    expect(orthonormalityError(z.U!)).toBeLessThan(1e-15);
  });
});

describe("pinv", () => {
  it("inverts a square non-singular matrix", () => {
    const a = randomMatrix(8, 8, 11);
    expect(maxAbsDiff(matmul(a, pinv(a)), Matrix.identity(8))).toBeLessThan(1e-10);
  });

  it.each([[10, 4], [4, 10]])("satisfies the four Penrose conditions for a rank-deficient %i×%i matrix", (m, n) => {
    const a = matmul(randomMatrix(m, 2, m), randomMatrix(2, n, n)); // rank 2
    const info = pinvWithInfo(a);
    const p = info.pinv;
    expect(info.rank).toBe(2);
    expect(info.condFull).toBeGreaterThan(1e12);
    expect(Number.isFinite(info.condKept)).toBe(true);
    expect(maxAbsDiff(matmul(matmul(a, p), a), a)).toBeLessThan(1e-12);
    expect(maxAbsDiff(matmul(matmul(p, a), p), p)).toBeLessThan(1e-12);
    const ap = matmul(a, p), pa = matmul(p, a);
    expect(maxAbsDiff(ap, transpose(ap))).toBeLessThan(1e-12);
    expect(maxAbsDiff(pa, transpose(pa))).toBeLessThan(1e-12);
  });

  it("uses numpy's cut-off max(m,n)·eps·σmax, overridable with rcond", () => {
    const q1 = randomOrthogonal(5, 3), q2 = randomOrthogonal(5, 4);
    // Default cut-off here: 5·eps ≈ 1.1e-15, so 1e-12 is kept and the exact zero is not.
    const a = reconstruct(q1, Float64Array.from([1, 1e-3, 1e-6, 1e-12, 0]), q2);
    expect(pinvWithInfo(a).rank).toBe(4);
    expect(pinvWithInfo(a, { rcond: 1e-5 }).rank).toBe(2);
    expect(pinvWithInfo(a, { rcond: 1e-9 }).rank).toBe(3);
    expect(() => pinv(a, { rcond: -1 })).toThrow(InvalidParameterError);
  });

  it("reports condition numbers of the kept and the full spectrum", () => {
    const q1 = randomOrthogonal(4, 7), q2 = randomOrthogonal(4, 8);
    const a = reconstruct(q1, Float64Array.from([10, 4, 2, 0.5]), q2);
    expect(conditionNumber(a)).toBeCloseTo(20, 10);
    expect(conditionNumber(a, { kept: true })).toBeCloseTo(20, 10);
    const r = matmul(randomMatrix(6, 2, 1), randomMatrix(2, 6, 2));
    expect(conditionNumber(r)).toBeGreaterThan(1e12);
    expect(conditionNumber(r, { kept: true })).toBeLessThan(1e6);
  });
});

describe("orthogonal Procrustes and least squares", () => {
  it("recovers a random orthogonal map exactly", () => {
    const a = randomMatrix(40, 10, 21), q = randomOrthogonal(10, 22);
    const r = orthogonalProcrustes(a, matmul(a, q));
    expect(maxAbsDiff(r, q)).toBeLessThan(1e-12);
    expect(orthonormalityError(r)).toBeLessThan(1e-12);
  });

  it("lstsq solves a consistent overdetermined system and gives the minimum-norm solution", () => {
    const a = randomMatrix(30, 5, 31), w = randomMatrix(5, 3, 32);
    expect(maxAbsDiff(lstsq(a, matmul(a, w)).solution, w)).toBeLessThan(1e-11);
    // Underdetermined: the minimum-norm solution lies in the row space of a.
    const u = randomMatrix(3, 8, 33), b = randomMatrix(3, 2, 34);
    const sol = lstsq(u, b).solution;
    expect(maxAbsDiff(matmul(u, sol), b)).toBeLessThan(1e-12);
    expect(maxAbsDiff(sol, matmul(pinv(u), b))).toBeLessThan(1e-12);
  });
});
