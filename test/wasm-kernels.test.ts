/**
 * The WebAssembly kernels (src/linalg/wasm/kernels.c) against the TypeScript reference code they replace:
 * same decompositions and products to rounding, on shapes that exercise every path (square, tall
 * enough for QR first, wide, rank-deficient, sizes that are not multiples of the 4×4 tiles, the
 * 32-reflector blocks or the 128/256 cache blocks).
 */
import { afterEach, describe, expect, it } from "vitest";
import { Matrix, maxAbsDiff, transpose } from "../src/linalg/matrix";
import { matmul, matmulTransA } from "../src/linalg/product";
import { svd } from "../src/linalg/svd";
import { pinvWithInfo } from "../src/linalg/pinv";
import { kernelBackend, reserve, resetKernels, wasmKernels } from "../src/linalg/wasm/kernels";
import { KERNELS_SOURCE_SHA256 } from "../src/linalg/wasm/kernelsBinary";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { randomMatrix } from "./helpers";
import { Random } from "../src/linalg/random";

function withBackend<T>(backend: "js" | "wasm", f: () => T): T {
  const before = process.env.LATENT_BRIDGE_KERNELS;
  if (backend === "js") process.env.LATENT_BRIDGE_KERNELS = "js";
  else delete process.env.LATENT_BRIDGE_KERNELS;
  resetKernels();
  try {
    return f();
  } finally {
    if (before === undefined) delete process.env.LATENT_BRIDGE_KERNELS;
    else process.env.LATENT_BRIDGE_KERNELS = before;
    resetKernels();
  }
}

function lowRank(rows: number, cols: number, rank: number, seed: number): Matrix {
  return matmul(randomMatrix(rows, rank, seed), randomMatrix(rank, cols, seed + 1));
}

function reconstructionError(a: Matrix, r: { U?: Matrix; s: Float64Array; V?: Matrix }): number {
  const us = r.U!.clone();
  for (let i = 0; i < us.rows; i++) for (let j = 0; j < r.s.length; j++) us.data[i * us.cols + j] *= r.s[j];
  return maxAbsDiff(matmul(us, transpose(r.V!)), a);
}

function orthonormalityError(q: Matrix): number {
  return maxAbsDiff(matmulTransA(q, q), Matrix.identity(q.cols));
}

afterEach(() => resetKernels());

describe("WebAssembly kernels", () => {
  it("load by default on this runtime, and LATENT_BRIDGE_KERNELS=js turns them off", () => {
    expect(withBackend("wasm", kernelBackend)).toBe("wasm-simd");
    expect(withBackend("js", kernelBackend)).toBe("js");
  });

  it("were built from the current src/linalg/wasm/kernels.c (else run scripts/build-wasm.sh)", () => {
    const source = readFileSync(join(__dirname, "..", "src", "linalg", "wasm", "kernels.c"));
    expect(createHash("sha256").update(source).digest("hex")).toBe(KERNELS_SOURCE_SHA256);
  });

  const shapes: Array<[string, Matrix]> = [
    ["square 96×96", randomMatrix(96, 96, 1)],
    ["tall 300×70 (QR first, a partial block of reflectors)", randomMatrix(300, 70, 2)],
    ["slightly tall 130×100 (no QR)", randomMatrix(130, 100, 3)],
    ["wide 37×211", randomMatrix(37, 211, 4)],
    ["rank 9 in 120×80", lowRank(120, 80, 9, 5)],
    ["rank 5 in 40×200 (wide, QR first)", lowRank(40, 200, 5, 6)],
    ["one row 1×17", randomMatrix(1, 17, 7)],
    ["one column 23×1", randomMatrix(23, 1, 8)],
  ];

  it.each(shapes)("SVD of %s: same singular values as the reference, exact reconstruction, orthonormal factors", (_name, a) => {
    const js = withBackend("js", () => svd(a));
    const wasm = withBackend("wasm", () => svd(a));
    const scale = js.s[0];
    expect(wasm.s.length).toBe(js.s.length);
    for (let i = 0; i < js.s.length; i++) expect(Math.abs(wasm.s[i] - js.s[i])).toBeLessThan(1e-12 * scale);
    expect(reconstructionError(a, wasm)).toBeLessThan(1e-12 * scale);
    expect(orthonormalityError(wasm.V!)).toBeLessThan(1e-12);
    // Singular vectors of a zero singular value are not unique; only the full-rank shapes compare U.
    expect(orthonormalityError(wasm.U!)).toBeLessThan(1e-12);
  });

  /** An n×n upper bidiagonal matrix: what divide and conquer sees after the bidiagonalisation. */
  function bidiagonal(n: number, d: (i: number) => number, e: (i: number) => number): Matrix {
    const b = new Matrix(n, n);
    for (let i = 0; i < n; i++) {
      b.data[i * n + i] = d(i);
      if (i + 1 < n) b.data[i * n + i + 1] = e(i);
    }
    return b;
  }

  /** Orthogonal factors around a chosen spectrum. */
  function withSpectrum(n: number, sigma: (i: number) => number, seed: number): Matrix {
    const q1 = withBackend("js", () => svd(randomMatrix(n, n, seed)).U!), q2 = withBackend("js", () => svd(randomMatrix(n, n, seed + 1)).V!);
    const d = new Matrix(n, n);
    for (let i = 0; i < n; i++) d.data[i * n + i] = sigma(i);
    return matmul(matmul(q1, d), transpose(q2));
  }

  const kahan = (n: number, theta: number) => {
    const k = new Matrix(n, n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) k.data[i * n + j] = Math.sin(theta) ** i * (i === j ? 1 : -Math.cos(theta));
    return k;
  };

  // Sizes ≥ 48 take the divide-and-conquer path for the vectors; these stress its deflation (equal,
  // clustered, zero and tiny values, tiny z) and its secular equation (graded, ill-conditioned).
  const hard: Array<[string, () => Matrix]> = [
    ["identity 120 (every value equal)", () => Matrix.identity(120)],
    ["zero 80", () => new Matrix(80, 80)],
    ["all ones 100 (rank 1)", () => new Matrix(100, 100, new Float64Array(100 * 100).fill(1))],
    ["random 49 (one split)", () => randomMatrix(49, 49, 31)],
    ["bidiagonal with zeros on the diagonal", () => bidiagonal(120, (i) => (i % 7 === 0 ? 0 : 1 + i), () => 1)],
    ["bidiagonal with zeros on the superdiagonal", () => bidiagonal(120, () => 2, (i) => (i % 5 === 0 ? 0 : 0.5))],
    ["bidiagonal, graded over 15 decades", () => bidiagonal(150, (i) => 10 ** (-i / 10), (i) => 10 ** (-i / 10))],
    ["bidiagonal, near-equal pairs", () => bidiagonal(128, (i) => Math.floor(i / 2) + 1, () => 1e-9)],
    ["bidiagonal, mixed signs", () => bidiagonal(100, (i) => (i % 2 ? -1 : 1) * (i + 1), (i) => (i % 3 ? -0.3 : 0.7))],
    ["Kahan 100 (cond ~1e18)", () => kahan(100, 1.2)],
    ["two clusters 1 ± 1e-12", () => withSpectrum(120, (i) => (i < 60 ? 1 : 1 + 1e-14 * i), 40)],
    ["geometric spectrum 1 … 1e-15", () => withSpectrum(120, (i) => 1e-15 ** (i / 119), 42)],
    ["rank 5 of 120", () => withSpectrum(120, (i) => (i < 5 ? 1 + i : 0), 44)],
  ];

  it.each(hard)("divide-and-conquer vectors of %s: exact reconstruction, orthonormal, reference values", (_name, make) => {
    const a = make();
    const { wasm, fallbacks } = withBackend("wasm", () => {
      const k = wasmKernels()!, before = k.dc_fallback_count();
      return { wasm: svd(a), fallbacks: k.dc_fallback_count() - before };
    });
    const js = withBackend("js", () => svd(a));
    const scale = js.s[0] || 1;
    expect(reconstructionError(a, wasm)).toBeLessThan(1e-13 * scale);
    expect(orthonormalityError(wasm.U!)).toBeLessThan(1e-12);
    expect(orthonormalityError(wasm.V!)).toBeLessThan(1e-12);
    for (let i = 0; i < js.s.length; i++) {
      expect(Math.abs(wasm.s[i] - js.s[i])).toBeLessThan(1e-13 * scale);
      if (i > 0) expect(wasm.s[i]).toBeLessThanOrEqual(wasm.s[i - 1]);
    }
    expect(wasm.s[wasm.s.length - 1]).toBeGreaterThanOrEqual(0);
    // It solved every secular equation itself (no fall-back to the QR iteration).
    expect(fallbacks).toBe(0);
  });

  /** Root i of the merge's secular equation 1 + Σ z_j²/(p_j² − σ²) = 0, by the kernel alone. */
  function secularRoot(p: number[], z: number[], i: number): { steps: number; origin: number; tau: number; residual: number } {
    const k = wasmKernels()!, n = p.length;
    const { ptr, view } = reserve(k, [n, n, 2, n]);
    view[0].set(p);
    view[1].set(z);
    const steps = k.dc_secular(n, i, ptr[0], ptr[1], ptr[2], ptr[3]);
    const o = view[2][0], tau = view[2][1], sigma = p[o] + tau;
    let f = 1, size = 1;
    for (let j = 0; j < n; j++) {
      const t = (z[j] * z[j]) / ((p[j] - p[o] - tau) * (p[j] + sigma));
      f += t;
      size += Math.abs(t);
    }
    return { steps, origin: o, tau, residual: Math.abs(f) / size };
  }

  it("secular equation: roots interlace the poles, f(σ) ≈ 0, and hard cases converge in few steps", () => {
    const tol = 64 * 2 ** -52;
    // Regressions: the last root with two near poles (79 steps, mostly bisection, before the model
    // picked the root of its quadratic inside the bracket), and a root far from both model poles with
    // a large z_0 (55 steps before the switch between the middle-way and fixed-weight models).
    const hard: Array<[number[], number[], number]> = [
      [[0, 1 - 2 * tol, 1], [1e-3, 3 * tol, tol], 2],
      [[0, 5e-14, 1e-13, 1], [0.24, tol, 1e-8, tol], 2],
    ];
    for (const [p, z, i] of hard) {
      const r = secularRoot(p, z, i);
      expect(r.steps).toBeGreaterThan(0);
      expect(r.steps).toBeLessThanOrEqual(20);
      expect(r.residual).toBeLessThan(1e-14);
    }
    // Random poles with clusters near the tolerance and z over ten decades.
    const rng = new Random(5);
    for (let trial = 0; trial < 60; trial++) {
      const n = 2 + Math.floor(rng.uniform() * 30);
      const p = [0];
      for (let j = 1; j < n; j++) p.push(p[j - 1] + (rng.uniform() < 0.3 ? tol * (1 + 10 * rng.uniform()) : 10 ** (-12 * rng.uniform())));
      const top = p[n - 1];
      for (let j = 0; j < n; j++) p[j] /= top;
      const z = p.map(() => (rng.uniform() < 0.3 ? tol * (1 + rng.uniform()) : 10 ** (-10 * rng.uniform())));
      for (let i = 0; i < n; i++) {
        const r = secularRoot(p, z, i);
        expect(r.steps).toBeGreaterThan(0);
        // σ = p_origin + τ (σ itself may round onto a pole): p_i < σ < p_{i+1}.
        expect(p[r.origin] - p[i] + r.tau).toBeGreaterThan(0);
        if (i + 1 < n) expect(p[i + 1] - p[r.origin] - r.tau).toBeGreaterThan(0);
        expect(r.residual).toBeLessThan(1e-13);
      }
    }
  });

  it.each([
    ["1e300", 1e300],
    ["1e-300", 1e-300],
  ])("entries of size %s: no overflow or underflow in either backend, pseudo-inverse scaled back", (_name, size) => {
    // Regression: the fused bidiagonalisation multiplies two entries, which overflowed above ~1e154
    // (the iteration then never converged).
    const unit = randomMatrix(70, 60, 50);
    const a = new Matrix(70, 60, unit.data.map((v) => v * size));
    for (const backend of ["js", "wasm"] as const) {
      const ref = withBackend(backend, () => svd(unit));
      const r = withBackend(backend, () => svd(a));
      for (let i = 0; i < ref.s.length; i++) expect(Math.abs(r.s[i] / size - ref.s[i])).toBeLessThan(1e-12 * ref.s[0]);
      expect(reconstructionError(a, r) / size).toBeLessThan(1e-12 * ref.s[0]);
      const p = withBackend(backend, () => pinvWithInfo(a)).pinv, pRef = withBackend(backend, () => pinvWithInfo(unit)).pinv;
      expect(maxAbsDiff(new Matrix(p.rows, p.cols, p.data.map((v) => v * size)), pRef)).toBeLessThan(1e-10 * Math.max(...pRef.data.map(Math.abs)));
    }
  });

  it("singular values without vectors equal those with vectors", () => {
    const a = randomMatrix(150, 60, 9);
    const withVectors = withBackend("wasm", () => svd(a).s);
    const alone = withBackend("wasm", () => svd(a, { computeVectors: false }).s);
    for (let i = 0; i < alone.length; i++) expect(alone[i]).toBeCloseTo(withVectors[i], 12);
  });

  it.each([
    [5, 7, 3], // below the size where the kernel is used
    [33, 65, 17],
    [130, 257, 131], // crosses the 128-row and 256-deep cache blocks, leftover tiles
    [4, 1030, 1029], // crosses the 1,024-column block
  ])("matmul %i×%i · %i-wide equals the reference", (m, k, n) => {
    const a = randomMatrix(m, k, m + k), b = randomMatrix(k, n, k + n);
    const js = withBackend("js", () => matmul(a, b));
    const wasm = withBackend("wasm", () => matmul(a, b));
    expect(maxAbsDiff(js, wasm)).toBeLessThan(1e-12 * Math.sqrt(k));
  });

  it.each([
    ["tall 90×60", 90, 60, 12],
    ["wide 40×130 (QR first)", 40, 130, 7],
    ["square 70×70", 70, 70, 70],
  ])("pseudo-inverse and its diagnostics agree with the reference, %s of rank %#", (_name, rows, cols, rank) => {
    const a = lowRank(rows, cols, rank, rows + cols);
    const js = withBackend("js", () => pinvWithInfo(a));
    const wasm = withBackend("wasm", () => pinvWithInfo(a));
    expect(wasm.rank).toBe(Math.min(rank, rows, cols));
    expect(js.rank).toBe(wasm.rank);
    expect(wasm.pinv.rows).toBe(cols);
    expect(wasm.pinv.cols).toBe(rows);
    expect(maxAbsDiff(js.pinv, wasm.pinv)).toBeLessThan(1e-10 * Math.max(...js.pinv.data.map(Math.abs)));
    expect(wasm.condKept).toBeCloseTo(js.condKept, 6);
  });

  it("pseudo-inverse of an ill-conditioned matrix (cond 1e8) satisfies the four Penrose conditions on both paths", () => {
    // Singular values 1 … 1e-8 (geometric) between random orthogonal factors.
    const m = 120, n = 80;
    const q1 = withBackend("js", () => svd(randomMatrix(m, m, 20)).U!), q2 = withBackend("js", () => svd(randomMatrix(n, n, 21)).U!);
    const d = new Matrix(m, n);
    for (let i = 0; i < n; i++) d.data[i * n + i] = Math.pow(1e8, -i / (n - 1));
    const a = matmul(matmul(q1, d), transpose(q2));
    const rel = (x: Matrix, y: Matrix) => maxAbsDiff(x, y) / Math.max(...y.data.map(Math.abs));
    for (const backend of ["js", "wasm"] as const) {
      const p = withBackend(backend, () => pinvWithInfo(a));
      expect(p.rank).toBe(n);
      const ap = matmul(a, p.pinv), pa = matmul(p.pinv, a);
      expect(rel(matmul(ap, a), a)).toBeLessThan(1e-7);
      expect(rel(matmul(pa, p.pinv), p.pinv)).toBeLessThan(1e-7);
      expect(rel(ap, transpose(ap))).toBeLessThan(1e-7);
      expect(rel(pa, transpose(pa))).toBeLessThan(1e-7);
    }
  });

  it("memory grown by a large call is reused correctly by later small ones", () => {
    withBackend("wasm", () => {
      const big = randomMatrix(400, 300, 11);
      svd(big);
      const small = randomMatrix(12, 9, 12);
      const r = svd(small);
      expect(reconstructionError(small, r)).toBeLessThan(1e-13 * r.s[0]);
      const again = svd(big);
      expect(reconstructionError(big, again)).toBeLessThan(1e-12 * again.s[0]);
    });
  });
});
