/**
 * The kernel choice "blas" (src/linalg/blas.ts, kernelChoice.ts): products and SVDs by the machine's
 * BLAS and LAPACK. They must agree with the WebAssembly kernels to rounding (not bit for bit: another
 * summation order), keep every contract of the SVD (orthonormal vectors, decreasing values, the same
 * exact scaling of extreme entries, the same errors) and of numpy's pinv cut-off, and fail with a
 * typed error naming the setting when the library or koffi is missing. On CI (CI=true, where
 * scripts/setup.sh installs OpenBLAS and npm ci installs koffi) the BLAS must load, so that these
 * tests cannot skip silently there.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Matrix, transpose } from "../src/linalg/matrix";
import { matmul, matmulTransA, matmulTransB, productWithRows } from "../src/linalg/product";
import { singularValues, svd } from "../src/linalg/svd";
import { pinvWithInfo } from "../src/linalg/pinv";
import { pinvByGram } from "../src/linalg/pinvGram";
import { blasKernels } from "../src/linalg/blas";
import { setKernels, type KernelChoice } from "../src/linalg/kernelChoice";
import { kernelBackend, resetKernels } from "../src/linalg/wasm/kernels";
import { InverseRelativeProjection } from "../src/translate/irp";
import { InvalidParameterError, MissingDependencyError, NonFiniteError } from "../src/errors";
import { blasAvailable, correlatedPoints, randomMatrix, withKernels } from "./helpers";

const available = blasAvailable();
const on = withKernels;

/** max |a − b| relative to max |b|. */
function relDiff(a: Matrix | Float64Array, b: Matrix | Float64Array): number {
  const x = a instanceof Matrix ? a.data : a, y = b instanceof Matrix ? b.data : b;
  expect(x.length).toBe(y.length);
  let d = 0, m = 0;
  for (let i = 0; i < x.length; i++) {
    d = Math.max(d, Math.abs(x[i] - y[i]));
    m = Math.max(m, Math.abs(y[i]));
  }
  return d / m;
}

function expectOrthonormalColumns(q: Matrix, tol: number): void {
  const g = matmulTransA(q, q);
  for (let i = 0; i < g.rows; i++) for (let j = 0; j < g.cols; j++) expect(Math.abs(g.get(i, j) - (i === j ? 1 : 0))).toBeLessThan(tol);
}

afterEach(() => {
  setKernels(undefined);
  delete process.env.LATENT_BRIDGE_BLAS_LIBRARY;
  resetKernels();
});

describe("the kernel choice", () => {
  it("rejects an unknown LATENT_BRIDGE_KERNELS value or setKernels argument, naming it", () => {
    const before = process.env.LATENT_BRIDGE_KERNELS;
    process.env.LATENT_BRIDGE_KERNELS = "cuda";
    try {
      expect(() => matmul(randomMatrix(40, 40, 1), randomMatrix(40, 40, 2))).toThrow(InvalidParameterError);
      expect(() => kernelBackend()).toThrow(/LATENT_BRIDGE_KERNELS: expected one of wasm, js, blas, got "cuda"/);
    } finally {
      if (before === undefined) delete process.env.LATENT_BRIDGE_KERNELS;
      else process.env.LATENT_BRIDGE_KERNELS = before;
    }
    expect(() => setKernels("gpu" as KernelChoice)).toThrow(/kernels: expected one of wasm, js, blas, got "gpu"/);
  });

  it("names the missing library and how to install one when LATENT_BRIDGE_BLAS_LIBRARY does not load", () => {
    process.env.LATENT_BRIDGE_BLAS_LIBRARY = "/nonexistent/libnothing.so";
    setKernels("blas");
    let error: unknown;
    try {
      matmul(randomMatrix(40, 40, 1), randomMatrix(40, 40, 2));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MissingDependencyError);
    // Without koffi the message names koffi instead; with it, the library and the variable.
    expect((error as Error).message).toMatch(available ? /LATENT_BRIDGE_BLAS_LIBRARY=\/nonexistent\/libnothing\.so/ : /koffi/);
    // The failure is remembered (no retry per product) and reported again, never a silent fallback.
    expect(() => svd(randomMatrix(5, 5, 3))).toThrow(MissingDependencyError);
  });

  it("loads on CI, where setup installs OpenBLAS and npm ci koffi", () => {
    if (process.env.CI !== "true") return;
    expect(available).toBe(true);
  });
});

describe.skipIf(!available)("BLAS products and SVD agree with the WebAssembly kernels", () => {
  it("reports the library it loaded", () => {
    expect(on("blas", kernelBackend)).toMatch(/^blas \S+/);
    expect(on("wasm", kernelBackend)).toBe("wasm-simd");
  });

  it("multiplies as the kernels do, transposes included, to rounding", () => {
    const a = randomMatrix(67, 53, 1), b = randomMatrix(53, 71, 2), bt = transpose(b), at = transpose(a);
    const ref = on("wasm", () => matmul(a, b));
    for (const got of on("blas", () => [matmul(a, b), matmulTransB(a, bt), matmulTransA(at, b)])) {
      expect(got.rows).toBe(67);
      expect(got.cols).toBe(71);
      expect(relDiff(got, ref)).toBeLessThan(1e-14);
    }
    // A known answer: [[1, 2], [3, 4]]·[[5, 6], [7, 8]] padded into a product above the kernel threshold.
    const p = new Matrix(40, 40), q = new Matrix(40, 40);
    p.data.set([1, 2], 0);
    p.data.set([3, 4], 40);
    q.data.set([5, 6], 0);
    q.data.set([7, 8], 40);
    const c = on("blas", () => matmul(p, q));
    expect([c.get(0, 0), c.get(0, 1), c.get(1, 0), c.get(1, 1)]).toEqual([19, 22, 43, 50]);
  });

  it("hands productWithRows' callback the BLAS product in float64, and leaves float32 to the kernel's stated bound", () => {
    const b = randomMatrix(48, 40, 4), rows = randomMatrix(300, 48, 5);
    const run = (precision: "float64" | "float32") =>
      productWithRows(300, 48, b, (a) => a.set(precision === "float32" ? Float32Array.from(rows.data) : rows.data), (c) => c.clone(), precision);
    expect(relDiff(on("blas", () => run("float64")), matmul(rows, b))).toBeLessThan(1e-14);
    // The float32 product is the WebAssembly kernel's with either choice: the same bits.
    expect(on("blas", () => run("float32")).data).toEqual(on("wasm", () => run("float32")).data);
  });

  for (const [m, n] of [[90, 60], [60, 90], [200, 40], [64, 64]] as const) {
    it(`decomposes a ${m}×${n} matrix: A = U·S·Vᵀ, orthonormal U and V, the kernels' singular values`, () => {
      const a = randomMatrix(m, n, m + n);
      const { U, s, V } = on("blas", () => svd(a));
      const ref = on("wasm", () => svd(a));
      const r = Math.min(m, n);
      expect([U!.rows, U!.cols, V!.rows, V!.cols, s.length]).toEqual([m, r, n, r, r]);
      for (let i = 1; i < r; i++) expect(s[i]).toBeLessThanOrEqual(s[i - 1]);
      expect(relDiff(s, ref.s)).toBeLessThan(1e-13);
      const us = U!.clone();
      for (let i = 0; i < m; i++) for (let j = 0; j < r; j++) us.data[i * r + j] *= s[j];
      expect(relDiff(matmulTransB(us, V!), a)).toBeLessThan(1e-13);
      expectOrthonormalColumns(U!, 1e-13);
      expectOrthonormalColumns(V!, 1e-13);
      expect(relDiff(on("blas", () => singularValues(a)), ref.s)).toBeLessThan(1e-13);
    });
  }

  it("scales extreme entries exactly as the kernels do (no overflow at 1e300, no underflow at 1e-300)", () => {
    for (const scale of [1e300, 1e-300]) {
      const a = randomMatrix(30, 20, 9, scale);
      const got = on("blas", () => singularValues(a)), ref = on("wasm", () => singularValues(a));
      expect(got.every(Number.isFinite)).toBe(true);
      expect(relDiff(got, ref)).toBeLessThan(1e-13);
    }
  });

  it("refuses NaN and a spectrum beyond float64 with the kernels' errors", () => {
    const a = randomMatrix(10, 10, 3);
    a.set(2, 3, NaN);
    expect(() => on("blas", () => svd(a))).toThrow(NonFiniteError);
    const big = new Matrix(4, 4, new Float64Array(16).fill(1.7e308));
    expect(() => on("blas", () => singularValues(big))).toThrow(/overflows float64/);
  });

  it("keeps numpy's pinv cut-off: the same rank, the Moore–Penrose conditions, the Gram path's answer", () => {
    // Rank 12 by construction: 28 singular values are rounding, below numpy's default cut-off.
    const low = matmul(randomMatrix(50, 12, 1), randomMatrix(12, 40, 2));
    const got = on("blas", () => pinvWithInfo(low)), ref = on("wasm", () => pinvWithInfo(low));
    expect(got.rank).toBe(12);
    expect(got.rank).toBe(ref.rank);
    expect(relDiff(got.pinv, ref.pinv)).toBeLessThan(1e-10);
    const x = got.pinv;
    const axa = on("blas", () => matmul(matmul(low, x), low));
    expect(relDiff(axa, low)).toBeLessThan(1e-12);
    const xax = on("blas", () => matmul(matmul(x, low), x));
    expect(relDiff(xax, x)).toBeLessThan(1e-12);
    // Far from square and well conditioned: the Gram path, the same answer as the kernels'.
    const tall = randomMatrix(300, 40, 5);
    const g = on("blas", () => pinvByGram(tall)), gw = on("wasm", () => pinvByGram(tall));
    expect(g.path).toBe("gram");
    expect(relDiff(g.pinv, gw.pinv)).toBeLessThan(1e-12);
  });

  it("inverts a Cholesky factor as the kernels do: W lower triangular with W·G·Wᵀ = I; false for an indefinite G", () => {
    const b = randomMatrix(30, 90, 8);
    const g = matmulTransB(b, b);
    const blas = on("blas", blasKernels)!;
    const w = g.data.slice();
    expect(blas.inverseCholesky(w, 30)).toBe(true);
    const wm = new Matrix(30, 30, w);
    for (let i = 0; i < 30; i++) for (let j = i + 1; j < 30; j++) expect(wm.get(i, j)).toBe(0);
    const identity = matmulTransB(matmul(wm, g), wm);
    for (let i = 0; i < 30; i++) for (let j = 0; j < 30; j++) expect(Math.abs(identity.get(i, j) - (i === j ? 1 : 0))).toBeLessThan(1e-12);
    const indefinite = new Float64Array([1, 2, 2, 1]); // eigenvalues 3 and −1
    expect(blas.inverseCholesky(indefinite, 2)).toBe(false);
  });

  it("fits and applies IRP to the kernels' answer (ω = 4, δ = 0.3, a transform of 500 rows)", () => {
    const x = correlatedPoints(400, 48, 20, 1), y = correlatedPoints(400, 40, 20, 2);
    const inputs = correlatedPoints(500, 48, 20, 3);
    const fitApply = () => new InverseRelativeProjection({ omega: 4, delta: 0.3, seed: 7 }).fit(x, y).transform(inputs);
    expect(relDiff(on("blas", fitApply), on("wasm", fitApply))).toBeLessThan(1e-10);
  });
});
