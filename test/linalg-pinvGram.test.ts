/**
 * The Gram-matrix pseudo-inverse (src/linalg/pinvGram.ts): pinv(A) = (AᵀA)⁻¹·Aᵀ or Aᵀ·(A·Aᵀ)⁻¹ when
 * (m + n)·eps·κ² ≤ GRAM_ERROR_BOUND, the SVD (`pinvWithInfo`) otherwise. Both must agree to the
 * promised 1e-9 relative (max |difference| / max |entry|); ill-conditioned and rank-deficient
 * matrices and singular values near the cut-off must take the SVD, whose result is then returned
 * unchanged (bit for bit).
 */
import { afterEach, describe, expect, it } from "vitest";
import { Matrix, maxAbsDiff, transpose } from "../src/linalg/matrix";
import { matmul } from "../src/linalg/product";
import { svd } from "../src/linalg/svd";
import { defaultRcond, pinvWithInfo } from "../src/linalg/pinv";
import { GRAM_ERROR_BOUND, pinvByGram, pinvOfRowsByGram } from "../src/linalg/pinvGram";
import { InvalidParameterError, NonFiniteError, ShapeMismatchError } from "../src/errors";
import { resetKernels } from "../src/linalg/wasm/kernels";
import { kernelsHere, randomMatrix, withKernels } from "./helpers";

/** The kernel choices that run these sizes fast (the TypeScript kernels have their own test below). */
const fastKernels = () => kernelsHere().filter((k) => k !== "js");

/** U·diag(s)·Vᵀ with Haar-ish U (m×p), V (n×p), p = s.length = min(m, n). */
function withSpectrum(m: number, n: number, s: readonly number[], seed: number): Matrix {
  const u = svd(randomMatrix(m, s.length, seed)).U!, v = svd(randomMatrix(n, s.length, seed + 1)).U!;
  const us = u.clone();
  for (let i = 0; i < m; i++) for (let j = 0; j < s.length; j++) us.data[i * s.length + j] *= s[j];
  return matmul(us, transpose(v));
}

/** p singular values from 1 down to 1/κ, geometrically. */
function geometric(p: number, kappa: number): number[] {
  return Array.from({ length: p }, (_, j) => Math.pow(kappa, -j / (p - 1)));
}

/**
 * The largest κ the Gram path may admit for an m×n matrix: (m + n)·eps·κ² = 1e-9, the promised
 * agreement with the worst-case error constant (written out, not read from GRAM_ERROR_BOUND, so that
 * loosening the bound fails here).
 */
function kappaAtBound(m: number, n: number): number {
  return Math.sqrt(1e-9 / ((m + n) * Number.EPSILON));
}

function relativeDiff(a: Matrix, ref: Matrix): number {
  let top = 0;
  for (const v of ref.data) top = Math.max(top, Math.abs(v));
  return maxAbsDiff(a, ref) / top;
}

it("the bound is the promise: GRAM_ERROR_BOUND = 1e-9", () => {
  expect(GRAM_ERROR_BOUND).toBe(1e-9);
  expect(kappaAtBound(170, 768)).toBeCloseTo(69.3, 1);
});

afterEach(() => {
  delete process.env.LATENT_BRIDGE_KERNELS;
  resetKernels();
});

describe("pinvByGram", () => {
  it.each([
    ["wide", 40, 300], ["tall", 300, 40], ["IRP-like 170×768", 170, 768], ["tall 768×170", 768, 170], ["2:1", 60, 120],
  ])("%s Gaussian matrices take the Gram path and equal the SVD's pseudo-inverse, spectrum and condition numbers (WebAssembly and BLAS kernels)", (_, m, n) => {
    for (const [choice, seed] of fastKernels().flatMap((k) => [1, 2, 3].map((seed) => [k, seed] as const))) withKernels(choice, () => {
      const a = randomMatrix(m, n, seed * 31 + m);
      const g = pinvByGram(a), ref = pinvWithInfo(a);
      expect(g.path).toBe("gram");
      expect(g.pinv.shape).toEqual([n, m]);
      expect(relativeDiff(g.pinv, ref.pinv)).toBeLessThan(1e-12);
      expect(g.rank).toBe(ref.rank);
      for (let i = 0; i < ref.singularValues.length; i++) {
        expect(Math.abs(g.singularValues[i] - ref.singularValues[i]) / ref.singularValues[i]).toBeLessThan(1e-12);
      }
      expect(Math.abs(g.condKept / ref.condKept - 1)).toBeLessThan(1e-12);
      expect(Math.abs(g.condFull / ref.condFull - 1)).toBeLessThan(1e-12);
    });
  });

  it.each([[170, 768], [768, 170], [30, 2048], [256, 2048]])(
    "%i×%i at the bound's largest κ still takes the Gram path and agrees with the SVD to 1e-10; 1.5× beyond it takes the SVD (WebAssembly and BLAS kernels)",
    (m, n) => { for (const choice of fastKernels()) withKernels(choice, () => {
      const p = Math.min(m, n), kappa = kappaAtBound(m, n);
      const inside = withSpectrum(m, n, geometric(p, 0.99 * kappa), 7 + m);
      const g = pinvByGram(inside), ref = pinvWithInfo(inside);
      expect(g.path).toBe("gram");
      expect(relativeDiff(g.pinv, ref.pinv)).toBeLessThan(1e-10);
      expect(Math.abs(g.condKept / ref.condKept - 1)).toBeLessThan(1e-10);
      const outside = withSpectrum(m, n, geometric(p, 1.5 * kappa), 8 + m);
      const f = pinvByGram(outside), fref = pinvWithInfo(outside);
      expect(f.path).toBe("svd");
      expect(maxAbsDiff(f.pinv, fref.pinv)).toBe(0);
    }); },
  );

  it("square matrices agree too when the Gram path is admitted for them (minAspect 1), and by default take the SVD", () => {
    const a = withSpectrum(120, 120, geometric(120, 20), 5);
    const g = pinvOfRowsByGram(a, { minAspect: 1 })!; // pinv(aᵀ)
    expect(g.path).toBe("gram");
    expect(relativeDiff(g.pinv, pinvWithInfo(transpose(a)).pinv)).toBeLessThan(1e-11);
    expect(pinvByGram(a).path).toBe("svd");
    expect(pinvByGram(randomMatrix(100, 199, 4)).path).toBe("svd"); // just short of 2:1
  });

  it("ill-conditioned and rank-deficient matrices take the SVD, unchanged, with its rank and cut-off", () => {
    const ill = withSpectrum(50, 400, geometric(50, 1e6), 9);
    const deficient = matmul(randomMatrix(50, 10, 10), randomMatrix(10, 400, 11)); // rank 10
    for (const a of [ill, deficient, transpose(deficient), new Matrix(20, 80)]) {
      const g = pinvByGram(a), ref = pinvWithInfo(a);
      expect(g.path).toBe("svd");
      expect(maxAbsDiff(g.pinv, ref.pinv)).toBe(0);
      expect(g.rank).toBe(ref.rank);
    }
    expect(pinvByGram(deficient).rank).toBe(10);
  });

  it("keeps numpy's cut-off: a singular value just above rcond·σ_max is kept (Gram path), just below it is dropped (SVD)", () => {
    const rcond = 1e-2;
    const spectrum = (last: number) => [...geometric(9, 10), last];
    const above = withSpectrum(10, 60, spectrum(rcond * (1 + 1e-4)), 12);
    const ga = pinvByGram(above, { rcond });
    expect(ga.path).toBe("gram");
    expect(ga.rank).toBe(10);
    expect(relativeDiff(ga.pinv, pinvWithInfo(above, { rcond }).pinv)).toBeLessThan(1e-12);
    const below = withSpectrum(10, 60, spectrum(rcond * (1 - 1e-4)), 12);
    const gb = pinvByGram(below, { rcond });
    expect(gb.path).toBe("svd");
    expect(gb.rank).toBe(9);
    // Within the margin (1e-6) the SVD decides, as exactly as it always did.
    const edge = withSpectrum(10, 60, spectrum(rcond * (1 + 1e-8)), 12);
    expect(pinvByGram(edge, { rcond }).path).toBe("svd");
    expect(pinvByGram(edge, { rcond }).rank).toBe(pinvWithInfo(edge, { rcond }).rank);
    // The default cut-off max(m, n)·eps is far below anything the Gram path admits.
    expect(pinvByGram(above).rank).toBe(10);
    expect(defaultRcond(10, 60)).toBeLessThan(1e-13);
  });

  it("on the Gram path pinv(Aᵀ) is pinv(A)ᵀ bit for bit, and rescaling by 2^±600 or 1e±200 is exact or near-exact", () => {
    const a = randomMatrix(30, 200, 13);
    const p = pinvByGram(a), pt = pinvByGram(transpose(a));
    expect(p.path).toBe("gram");
    expect(maxAbsDiff(transpose(pt.pinv), p.pinv)).toBe(0);
    const big = new Matrix(30, 200, a.data.map((v) => v * 2 ** 600));
    expect(maxAbsDiff(new Matrix(200, 30, pinvByGram(big).pinv.data.map((v) => v * 2 ** 600)), p.pinv)).toBe(0);
    for (const c of [1e200, 1e-200]) {
      const r = pinvByGram(new Matrix(30, 200, a.data.map((v) => v * c)));
      expect(r.path).toBe("gram");
      expect(relativeDiff(new Matrix(200, 30, r.pinv.data.map((v) => v * c)), p.pinv)).toBeLessThan(1e-12);
      expect(Math.abs(r.singularValues[0] / (c * p.singularValues[0]) - 1)).toBeLessThan(1e-12);
    }
  });

  it("pinvOfRowsByGram with the caller's Gram matrix B·Bᵀ gives (B·Bᵀ)⁻¹·B, and refuses a Gram of the wrong shape", () => {
    const b = randomMatrix(25, 90, 14);
    const gram = matmul(b, transpose(b));
    const r = pinvOfRowsByGram(b, { gram })!;
    expect(r.pinv.shape).toEqual([25, 90]);
    expect(maxAbsDiff(r.pinv, pinvOfRowsByGram(b)!.pinv)).toBe(0);
    // Moore–Penrose: Bᵀ·D·Bᵀ = Bᵀ and D·Bᵀ = I for full row rank.
    expect(maxAbsDiff(matmul(r.pinv, transpose(b)), Matrix.identity(25))).toBeLessThan(1e-13);
    expect(() => pinvOfRowsByGram(b, { gram: new Matrix(24, 24) })).toThrow(ShapeMismatchError);
    // Rows too long to square (‖row‖² beyond float64) are left to the SVD, not an Infinity.
    expect(pinvOfRowsByGram(new Matrix(25, 90, b.data.map((v) => v * 1e160)))).toBeNull();
  });

  it("with the TypeScript kernels too (LATENT_BRIDGE_KERNELS=js)", () => {
    process.env.LATENT_BRIDGE_KERNELS = "js";
    resetKernels();
    const a = randomMatrix(40, 160, 15);
    const g = pinvByGram(a);
    expect(g.path).toBe("gram");
    expect(relativeDiff(g.pinv, pinvWithInfo(a).pinv)).toBeLessThan(1e-12);
  });

  it("the WebAssembly inverse Cholesky factor gives the TypeScript one's bits (the same loops): the same pseudo-inverse on both kernels", () => {
    // Inner lengths ≤ 256, where both kernels' products round alike, so any difference is the factor's.
    for (const [p, q] of [[40, 160], [37, 150], [64, 250]]) {
      const b = randomMatrix(p, q, p + q);
      const wasm = pinvOfRowsByGram(b)!;
      process.env.LATENT_BRIDGE_KERNELS = "js";
      resetKernels();
      const js = pinvOfRowsByGram(b)!;
      delete process.env.LATENT_BRIDGE_KERNELS;
      resetKernels();
      expect(wasm.path).toBe("gram");
      expect(js.pinv.data, `${p}×${q}`).toEqual(wasm.pinv.data);
    }
  });

  it("bad input: rcond is checked, non-finite entries are a NonFiniteError naming a", () => {
    expect(() => pinvByGram(randomMatrix(5, 20, 1), { rcond: -1 })).toThrow(InvalidParameterError);
    expect(() => pinvByGram(randomMatrix(5, 20, 1), { rcond: NaN })).toThrow(InvalidParameterError);
    const bad = randomMatrix(5, 20, 2);
    bad.data[7] = NaN;
    expect(() => pinvByGram(bad)).toThrow(NonFiniteError);
    expect(() => pinvByGram(bad)).toThrow(/\ba\b/);
    expect(pinvByGram(new Matrix(0, 4)).pinv.shape).toEqual([4, 0]);
  });
});
