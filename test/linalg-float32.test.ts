/**
 * The float32 product (`precision: "float32"`, src/linalg/product.ts, `sgemm_f64` in kernels.c) and
 * the product whose operand is written straight into the kernel's memory (`productWithRows`, what
 * IRP's transform uses):
 * - float64: the same bits as `matmul(centerAndNormalize(x), M)` and the old transform, on both
 *   kernels — the notebooks' numbers cannot move;
 * - float32: every entry within the stated bound |C̃_ij − C_ij| ≤ float32ProductErrorBound(k)·Σ_p
 *   |A_ip|·|B_pj|, on adversarial data (inner lengths past the 256-term partial sums, entries of
 *   mixed magnitude, sums that cancel to nearly zero), and far from the bound on typical data; and
 *   it really runs in float32 (differs from float64), so the test can tell.
 */
import { afterEach, describe, expect, it } from "vitest";
import { InvalidParameterError, ZeroNormError } from "../src/errors";
import { Matrix, frobeniusNorm, rowNorms } from "../src/linalg/matrix";
import { float32ProductErrorBound, matmul, productWithRows, type Precision } from "../src/linalg/product";
import { Random } from "../src/linalg/random";
import { resetKernels } from "../src/linalg/wasm/kernels";
import { anchorStats, centerAndNormalize, centerAndNormalizeInto, denormalize } from "../src/relative/normalize";
import { InverseRelativeProjection } from "../src/translate/irp";
import { randomMatrix, rotatedCopy } from "./helpers";

afterEach(() => {
  delete process.env.LATENT_BRIDGE_KERNELS;
  resetKernels();
});

function withJsKernels<T>(f: () => T): T {
  process.env.LATENT_BRIDGE_KERNELS = "js";
  resetKernels();
  try {
    return f();
  } finally {
    delete process.env.LATENT_BRIDGE_KERNELS;
    resetKernels();
  }
}

const copyOf = (c: Matrix) => new Matrix(c.rows, c.cols, c.data.slice());

function product(a: Matrix, b: Matrix, precision: Precision): Matrix {
  return productWithRows(a.rows, a.cols, b, (buf) => buf.set(a.data), copyOf, precision);
}

/** max_ij |C̃_ij − C_ij| / (Σ_p |A_ip|·|B_pj|): the error in units of the bound's scale. */
function scaledError(a: Matrix, b: Matrix, approx: Matrix): number {
  const exact = matmul(a, b);
  const absA = new Matrix(a.rows, a.cols, a.data.map(Math.abs)), absB = new Matrix(b.rows, b.cols, b.data.map(Math.abs));
  const scale = matmul(absA, absB);
  let worst = 0;
  for (let i = 0; i < exact.data.length; i++) {
    if (scale.data[i] > 0) worst = Math.max(worst, Math.abs(approx.data[i] - exact.data[i]) / scale.data[i]);
    else expect(approx.data[i]).toBe(0);
  }
  return worst;
}

describe("productWithRows, float64", () => {
  it("equals matmul bit for bit on both kernels (shapes off the 4×4 and 8-wide tiles, below and above the wasm threshold)", () => {
    for (const [m, k, n] of [[3, 5, 7], [37, 300, 45], [130, 257, 9], [64, 64, 64]]) {
      const a = randomMatrix(m, k, m + k), b = randomMatrix(k, n, n);
      for (const run of [(f: () => void) => f(), withJsKernels]) {
        run(() => {
          expect(product(a, b, "float64").data).toEqual(matmul(a, b).data);
          expect(Object.is(product(a, b, "float64").data[0], matmul(a, b).data[0])).toBe(true);
        });
      }
    }
  });
});

describe("the float32 product", () => {
  const bound = float32ProductErrorBound;

  it("states its bound: (min(k, 256) + 3)·2⁻²⁴ + k·2⁻⁵³", () => {
    expect(bound(100)).toBeCloseTo(103 * 2 ** -24 + 100 * 2 ** -53, 20);
    expect(bound(4096)).toBeCloseTo(259 * 2 ** -24 + 4096 * 2 ** -53, 20);
    expect(bound(768)).toBeLessThan(1.6e-5);
  });

  it("typical data: within the bound, far below it, and really float32 (differs from float64)", () => {
    const a = randomMatrix(203, 768, 1), b = randomMatrix(768, 131, 2);
    const c = product(a, b, "float32");
    const err = scaledError(a, b, c);
    expect(err).toBeLessThanOrEqual(bound(768));
    expect(err).toBeLessThan(bound(768) / 20);
    expect(err).toBeGreaterThan(0);
  });

  it("adversarial: inner length 3,000 (12 partial sums), mixed magnitudes 1e±6, cancelling sums — within the bound", () => {
    const rng = new Random(7);
    const m = 21, k = 3000, n = 19;
    const a = new Matrix(m, k), b = new Matrix(k, n);
    for (let i = 0; i < a.data.length; i++) a.data[i] = rng.normal() * 10 ** (6 * (2 * rng.uniform() - 1));
    for (let i = 0; i < b.data.length; i++) b.data[i] = rng.normal() * 10 ** (6 * (2 * rng.uniform() - 1));
    // Cancellation: row 0 of A pairs each entry with its negative, against equal rows of B, so the
    // exact product is ~0 while Σ|A||B| is large (the bound is relative to the latter, never to |C|).
    for (let p = 0; p + 1 < k; p += 2) {
      a.data[p + 1] = -a.data[p];
      for (let j = 0; j < n; j++) b.data[(p + 1) * n + j] = b.data[p * n + j] * (1 + 1e-7 * rng.normal());
    }
    // All-equal large entries (worst case for float32 accumulation: every partial sum grows).
    for (let p = 0; p < k; p++) a.data[k + p] = 1e3;
    for (let p = 0; p < k; p++) b.data[p * n] = 1 + 2 ** -20;
    const c = product(a, b, "float32");
    expect(scaledError(a, b, c)).toBeLessThanOrEqual(bound(k));
    // Sums that only grow (ones times 0.1, not a float32 number): float32's worst case in practice;
    // the error is then a sizeable fraction of the bound, so the bound is not vacuous.
    const ones = new Matrix(40, 1024, new Float64Array(40 * 1024).fill(1)), tenths = new Matrix(1024, 40, new Float64Array(1024 * 40).fill(0.1));
    const grow = scaledError(ones, tenths, product(ones, tenths, "float32"));
    expect(grow).toBeLessThanOrEqual(bound(1024));
    expect(grow).toBeGreaterThan(bound(1024) / 100);
    // The cancelled row stays near zero relative to its scale (no float32 blow-up).
    const exact = matmul(a, b);
    expect(Math.abs(c.data[0] - exact.data[0])).toBeLessThanOrEqual(bound(k) * a.data.slice(0, k).reduce((s, v, p) => s + Math.abs(v * b.data[p * n]), 0));
  });

  it("without the WebAssembly kernels it is computed in float64 (within the bound trivially)", () => {
    const a = randomMatrix(50, 70, 3), b = randomMatrix(70, 40, 4);
    withJsKernels(() => expect(product(a, b, "float32").data).toEqual(matmul(a, b).data));
  });

  it("rows are independent: a block of rows gives the same bits as those rows of the whole product", () => {
    const a = randomMatrix(300, 400, 5), b = randomMatrix(400, 260, 6);
    const whole = product(a, b, "float32");
    const rows = new Matrix(120, 400, a.data.slice(100 * 400, 220 * 400));
    expect(product(rows, b, "float32").data).toEqual(whole.data.slice(100 * 260, 220 * 260));
  });
});

describe("centerAndNormalizeInto", () => {
  const x = randomMatrix(90, 33, 11, 3);
  const stats = anchorStats(randomMatrix(60, 33, 12, 3));

  it("into a Float64Array: centerAndNormalize's values bit for bit; into a Float32Array: them rounded", () => {
    const out = new Float64Array(x.data.length);
    centerAndNormalizeInto(x, stats, "x", out);
    const ref = centerAndNormalize(x, stats, "x").data;
    expect(out).toEqual(ref);
    const out32 = new Float32Array(x.data.length);
    centerAndNormalizeInto(x, stats, "x", out32);
    expect(out32).toEqual(Float32Array.from(ref));
  });

  it("tiny and huge rows (the scaled-norm paths) match too", () => {
    const odd = x.clone();
    for (let j = 0; j < 33; j++) {
      odd.data[j] = 1e-160 * (j + 1); // squares underflow
      odd.data[33 + j] = 1e-310 * (j + 1); // subnormal: no exact reciprocal of the norm
      odd.data[66 + j] = 1e200 * ((j % 3) - 1); // squares overflow
    }
    const origin = { mean: new Float64Array(33), meanNorm: 1 };
    const out = new Float64Array(odd.data.length);
    centerAndNormalizeInto(odd, origin, "x", out);
    const ref = centerAndNormalize(odd, origin, "x").data;
    expect(out).toEqual(ref);
    expect(ref[33]).toBeCloseTo(1 / Math.sqrt((33 * 34 * 67) / 6), 6); // a unit row, not the 1e-310 entries
  });

  it("a row at the mean is the same ZeroNormError, naming the same row", () => {
    const bad = x.clone();
    for (let j = 0; j < 33; j++) bad.data[5 * 33 + j] = stats.mean[j];
    const caught = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as ZeroNormError;
      }
      throw new Error("no error");
    };
    const ours = caught(() => centerAndNormalizeInto(bad, stats, "x", new Float64Array(bad.data.length)));
    const ref = caught(() => centerAndNormalize(bad, stats, "x"));
    expect(ours).toBeInstanceOf(ZeroNormError);
    expect(ours.message).toBe(ref.message);
    expect(ours.row).toBe(5);
    // Near the threshold (1e-12 of the magnitudes): the same decision on either side of it.
    for (const [offset, refused] of [[1e-14, true], [1e-9, false]] as const) {
      const near = x.clone();
      for (let j = 0; j < 33; j++) near.data[7 * 33 + j] = stats.mean[j] * (1 + offset * Math.cos(j));
      const out = new Float64Array(near.data.length);
      if (refused) {
        expect(caught(() => centerAndNormalizeInto(near, stats, "x", out)).message).toBe(caught(() => centerAndNormalize(near, stats, "x")).message);
      } else {
        centerAndNormalizeInto(near, stats, "x", out);
        expect(out).toEqual(centerAndNormalize(near, stats, "x").data);
      }
    }
  });
});

describe("IRP transform precision", () => {
  const ax = randomMatrix(300, 96, 21);
  const ay = rotatedCopy(ax, 112, 22, 0.3).y;
  for (let i = 0; i < ay.data.length; i++) ay.data[i] += 0.02 * Math.sin(3 * i);
  const irp = new InverseRelativeProjection({ omega: 4, delta: 0.5, seed: 1 }).fit(ax, ay);
  const x = randomMatrix(700, 96, 23);

  it("float64 (default, or asked for) equals the unfused normalise → matmul → denormalise bit for bit, on both kernels", () => {
    for (const run of [(f: () => void) => f(), withJsKernels]) {
      run(() => {
        const map = irp.map;
        const ref = denormalize(matmul(centerAndNormalize(x, irp.sourceStats, "x"), map), irp.targetStats, 1e-12 * frobeniusNorm(map));
        expect(irp.transform(x).data).toEqual(ref.data);
        expect(irp.transform(x, { precision: "float64" }).data).toEqual(ref.data);
      });
    }
  });

  it("float32: each row within the bound the product's error implies after de-normalisation", () => {
    const y64 = irp.transform(x), y32 = irp.transform(x, { precision: "float32" });
    const decoded = matmul(centerAndNormalize(x, irp.sourceStats, "x"), irp.map);
    const norms = rowNorms(decoded);
    // |Δz_j| ≤ c·‖M_:j‖ (unit rows), so ‖Δz‖ ≤ c·‖M‖_F, and z/‖z‖ moves by at most 2‖Δz‖/‖z‖.
    const dz = float32ProductErrorBound(irp.map.rows) * frobeniusNorm(irp.map);
    const d = y64.cols;
    let differs = false;
    for (let i = 0; i < x.rows; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const e = y32.data[i * d + j] - y64.data[i * d + j];
        s += e * e;
        if (e !== 0) differs = true;
      }
      expect(Math.sqrt(s)).toBeLessThanOrEqual((2 * irp.targetStats.meanNorm * dz) / (norms[i] - dz));
    }
    expect(differs).toBe(true);
  });

  it("a bad precision or option is an InvalidParameterError naming it", () => {
    expect(() => irp.transform(x, { precision: "float16" as Precision })).toThrow(InvalidParameterError);
    expect(() => irp.transform(x, { precision: "float16" as Precision })).toThrow(/precision/);
    expect(() => irp.transform(x, { precison: "float32" } as never)).toThrow(/precison/);
  });
});
