import { describe, expect, it } from "vitest";
import { Matrix, columnMeans, frobeniusNorm, maxAbsDiff, rowNorms, transpose } from "../src/linalg/matrix";
import { matmul, matmulTransA, matmulTransB } from "../src/linalg/product";
import { svd, singularValues } from "../src/linalg/svd";
import { conditionNumber, pinv, pinvWithInfo } from "../src/linalg/pinv";
import { orthogonalProcrustes } from "../src/linalg/procrustes";
import { lstsq } from "../src/linalg/lstsq";
import { InvalidParameterError, NonFiniteError, ShapeMismatchError } from "../src/errors";
import { Random, SEED_MAX } from "../src/linalg/random";
import { assertSeed } from "../src/validate";
import { reserve, wasmKernels } from "../src/linalg/wasm/kernels";
import { kernelsHere, randomMatrix, randomOrthogonal, withKernels } from "./helpers";

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

describe("issue 13: numerics on non-finite and extreme input", () => {
  it.each(kernelsHere())("item 1 (%s): svd, pinv and cond of a matrix holding NaN/±Inf end in a NonFiniteError naming the entry, at once", (backend) => {
    withKernels(backend, () => {
      for (const [m, n] of [[3, 2], [2, 3], [60, 50], [200, 64]]) {
        for (const bad of [NaN, Infinity, -Infinity]) {
          const a = randomMatrix(m, n, m + n);
          a.set(1, 1, bad);
          const t0 = performance.now();
          for (const f of [() => svd(a), () => singularValues(a), () => pinv(a), () => conditionNumber(a), () => lstsq(a, randomMatrix(m, 2, 1))]) {
            let caught: unknown;
            try {
              f();
            } catch (e) {
              caught = e;
            }
            expect(caught, `${m}×${n} ${bad}`).toBeInstanceOf(NonFiniteError);
            expect((caught as NonFiniteError).argument).toBe("a");
            expect([(caught as NonFiniteError).row, (caught as NonFiniteError).col]).toEqual([1, 1]);
          }
          expect(performance.now() - t0).toBeLessThan(1000);
        }
      }
    });
  });

  it("item 1: the wasm QR iteration itself (below the input check) ends NaN in a ConvergenceError instead of spinning", () => {
    // svd() refuses NaN before calling the kernel, so the kernel is driven directly here: NaN that
    // arose inside (from finite input) must still end, not spin in log_chain as it did.
    const k = wasmKernels();
    expect(k).not.toBeNull();
    const m = 3, n = 2;
    const counts = [m * n, n, 0, Math.min(m + 1, n) + 1, n + 1, m, n * m, n * n, n, n, n, n, 0, k!.qr_scratch_size(m, n), n * n, 2 * n, k!.log_scratch_size(n), 0, 0, 0, k!.dc_scratch_size(n)];
    const { ptr, view } = reserve(k!, counts);
    view[0].set([1, NaN, 5, 2, 4, 6]);
    const status = k!.svd_columns(ptr[0], m, n, 3, ptr[3], ptr[4], ptr[5], ptr[6], ptr[7], ptr[8], ptr[9], ptr[10], ptr[11], ptr[14], ptr[15], ptr[13], ptr[16], ptr[20]);
    expect(status).toBe(1); // did not converge (it used to loop forever in log_chain)
  });

  it("item 8: row norms of entries ~1e200 or ~1e-170 neither overflow nor underflow (as LAPACK's dnrm2)", () => {
    const a = Matrix.from([[3e200, 4e200], [3e-170, 4e-170], [3, 4], [0, 0], [1.5e308, 1.5e308]]);
    const n = rowNorms(a);
    expect(n[0]).toBeCloseTo(5e200, -186);
    expect(n[0] / 5e200).toBeCloseTo(1, 14);
    expect(n[1] / 5e-170).toBeCloseTo(1, 14);
    expect(n[2]).toBe(5);
    expect(n[3]).toBe(0);
    expect(n[4]).toBe(Infinity); // the true norm 2.1e308 is beyond float64
    expect(frobeniusNorm(Matrix.from([[3e200], [4e200]])) / 5e200).toBeCloseTo(1, 14);
    // Column means of entries whose sum overflows.
    expect(Array.from(columnMeans(Matrix.from([[1.5e308], [1.5e308]])))).toEqual([1.5e308]);
  });

  it("item 9: Random refuses seeds outside [0, 2^32 − 1] (2^32 used to give seed 0's stream); every seed in range is its own stream", () => {
    for (const seed of [2 ** 32, 2 ** 32 + 5, -1, -(2 ** 31), 0.5, NaN, Infinity]) {
      expect(() => new Random(seed), String(seed)).toThrow(InvalidParameterError);
      expect(() => new Random(seed)).toThrow(/seed: expected an integer seed in \[0, 2\^32 − 1\]/);
    }
    const first = (seed: number) => new Random(seed).nextUint32();
    expect(first(SEED_MAX)).not.toBe(first(0));
    expect(first(0)).toBe(first(0));
    expect(new Set([0, 1, 2 ** 31, SEED_MAX].map(first)).size).toBe(4);
    expect(assertSeed(SEED_MAX)).toBe(SEED_MAX);
    expect(() => assertSeed("3", "options.seed")).toThrow(/options\.seed: .* got a string \("3"\)/);
  });
});

describe("issue 13: bugs found by the fuzz suite (test/fuzz/linalg.test.ts), kept as named regressions", () => {
  const both = (f: () => void) => {
    for (const choice of kernelsHere()) withKernels(choice, f);
  };
  const finite = (...ms: (Matrix | Float64Array)[]) => {
    for (const m of ms) for (const v of m instanceof Matrix ? m.data : m) expect(Number.isFinite(v)).toBe(true);
  };

  it("fuzz #1: entries near ±1.8e308 — σ_max beyond float64 is a NonFiniteError, not an Infinity singular value", () => {
    both(() => {
      const a = Matrix.from([[1e300, -1e307, 1.7976931348623157e308, 1e307], [0, 0, 1e300, -1e307], [-1e307, -1e307, 1e307, 1e307]]);
      expect(() => svd(a)).toThrow(/a: the largest singular value overflows float64/);
      expect(() => pinv(a)).toThrow(NonFiniteError);
      expect(() => singularValues(a)).toThrow(NonFiniteError);
      // Just inside the range it works.
      const b = Matrix.from([[1e307, 0], [0, 1e300]]);
      expect(Array.from(singularValues(b))).toEqual([1e307, 1e300]);
    });
  });

  it("fuzz #2: the pseudo-inverse of a subnormal matrix (entries 5e-324) overflows: a NonFiniteError, not Infinity entries", () => {
    both(() => {
      expect(() => pinv(Matrix.from([[5e-324, 0], [0, 5e-324]]))).toThrow(/a: the pseudo-inverse overflows float64/);
      finite(pinv(Matrix.from([[1e-300, 0], [0, 2e-300]])));
    });
  });

  it("fuzz #3: lstsq and orthogonalProcrustes check their second argument (±Infinity in b gave an infinite solution)", () => {
    const a = randomMatrix(4, 3, 1), b = randomMatrix(4, 2, 2);
    b.set(2, 1, -Infinity);
    expect(() => lstsq(a, b)).toThrow(/^b: expected finite numbers, found -Infinity at row 2, column 1$/);
    const c = randomMatrix(4, 3, 3);
    c.set(0, 0, NaN);
    expect(() => orthogonalProcrustes(a, c)).toThrow(/^b: expected finite numbers, found NaN at row 0, column 0$/);
  });

  it("fuzz #4: a 2×21 matrix with entries 1e300 and ~1e-21 (subnormal once scaled by 2^-997) no longer gives NaN singular vectors", () => {
    both(() => {
      const row0 = new Array(21).fill(0);
      row0[15] = -1e300;
      const row1 = Array.from({ length: 21 }, (_, j) => (j === 7 ? 1e-300 : ((j * 7919) % 13 - 6) * 1e-21));
      const a = Matrix.from([row0, row1]);
      const { U, s, V } = svd(a);
      finite(U!, s, V!);
      expect(s[0]).toBe(1e300);
      expect(maxAbsDiff(matmulTransA(V!, V!), Matrix.identity(2))).toBeLessThan(1e-12);
      // σ₂ ≈ 4e-20 is 1e-320 of σ₁: below the rounding of any SVD, it may come out as 0.
      expect(s[1]).toBeLessThan(1e-280);
      const b = Matrix.from([[1e300, 0, 0], [0, 1e-21, 1e-21]]);
      finite(svd(b).V!);
    });
  });

  it("fuzz #5: near-identical rows with one 1e300 entry (a subnormal Householder norm inside the bidiagonalisation) no longer give NaN", () => {
    both(() => {
      const base = Array.from({ length: 18 }, (_, j) => Math.sin(j + 1));
      const rows = [0, 1, 2, 3].map(() => base.slice());
      rows[0][14] = -1e300;
      rows[0][16] = 1e-300;
      rows[2][5] = 2.2250738585072014e-308;
      const a = Matrix.from(rows);
      const { U, s, V } = svd(a);
      finite(U!, s, V!);
      expect(maxAbsDiff(matmulTransA(U!, U!), Matrix.identity(4))).toBeLessThan(1e-12);
      expect(maxAbsDiff(matmulTransA(V!, V!), Matrix.identity(4))).toBeLessThan(1e-12);
      expect(s[0]).toBeCloseTo(1e300, -290);
    });
  });
});
