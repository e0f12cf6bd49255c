/**
 * Controlled synthetic pairs (src/data/controlledPair.ts): each knob does what it says and nothing
 * else. Without noise and warp the target is exactly a linear image of the source, Y = X·T with
 * T = B_xᵀ·W·B_y; W has the requested condition number; noise has the requested power on its side
 * only; the warp is the only non-linearity.
 */
import { describe, expect, it } from "vitest";
import { anisotropicMap, controlledPair, groundTruthMap, identityPrediction } from "../src/data/controlledPair";
import { Matrix, maxAbsDiff, transpose } from "../src/linalg/matrix";
import { matmul } from "../src/linalg/product";
import { pinv } from "../src/linalg/pinv";
import { singularValues } from "../src/linalg/svd";
import { InvalidParameterError } from "../src/errors";

const base = { train: 200, test: 100, latentDim: 8, sourceDim: 12, targetDim: 10, seed: 3 };
const stack = (a: Matrix, b: Matrix) => new Matrix(a.rows + b.rows, a.cols, Float64Array.from([...a.data, ...b.data]));
const power = (m: Matrix) => m.data.reduce((s, v) => s + v * v, 0);
const diff = (a: Matrix, b: Matrix) => new Matrix(a.rows, a.cols, a.data.map((v, i) => v - b.data[i]));
/** Relative residual of the least-squares fit y ≈ x·B over all items: 0 for an exactly linear pair. */
const linearResidual = (x: Matrix, y: Matrix) => Math.sqrt(power(diff(matmul(x, matmul(pinv(x), y)), y)) / power(y));

describe("controlledPair", () => {
  it("is deterministic in its seed, has the requested shapes and balanced labels", () => {
    const a = controlledPair(base), b = controlledPair(base), c = controlledPair({ ...base, seed: 4 });
    expect(Array.from(a.y.test.data)).toEqual(Array.from(b.y.test.data));
    expect(maxAbsDiff(a.x.train, c.x.train)).toBeGreaterThan(0.1);
    expect(a.x.train.shape).toEqual([200, 12]);
    expect(a.y.test.shape).toEqual([100, 10]);
    const counts = new Array(10).fill(0);
    a.trainLabels.forEach((l) => counts[l]++);
    expect(counts).toEqual(new Array(10).fill(20));
  });

  it("without noise and warp, Y = X·T exactly; T is orthogonal on the latent for c = 1 and the identity's prediction equals it", () => {
    const p = controlledPair(base);
    const t = groundTruthMap(p);
    expect(maxAbsDiff(matmul(stack(p.x.train, p.x.test), t), stack(p.y.train, p.y.test))).toBeLessThan(1e-10);
    const sv = singularValues(t);
    for (let i = 0; i < base.latentDim; i++) expect(sv[i]).toBeCloseTo(1, 10);
    expect(maxAbsDiff(identityPrediction(p), t)).toBeLessThan(1e-10); // W⁻ᵀ = W for orthogonal W
  });

  it.each([1, 3, 10, 100])("W has condition number c = %f and geometric-mean scale 1", (c) => {
    const w = anisotropicMap(7, c, 5);
    const sv = singularValues(w);
    expect(sv[0] / sv[6]).toBeCloseTo(c, 8);
    expect(sv.reduce((s, v) => s + Math.log(v), 0)).toBeCloseTo(0, 10);
    const p = controlledPair({ ...base, conditionNumber: c });
    expect(maxAbsDiff(matmul(p.x.test, groundTruthMap(p)), p.y.test)).toBeLessThan(1e-9);
    // The identity predicts B_xᵀ·W⁻ᵀ·B_y.
    expect(maxAbsDiff(identityPrediction(p), matmul(matmul(transpose(p.bx), transpose(pinv(p.w))), p.by))).toBe(0);
  });

  it("noise has power ν² × the signal's, on its own side only", () => {
    const clean = controlledPair(base);
    const src = controlledPair({ ...base, sourceNoise: 0.5 }), tgt = controlledPair({ ...base, targetNoise: 0.3 });
    expect(Array.from(src.y.train.data)).toEqual(Array.from(clean.y.train.data));
    expect(Array.from(tgt.x.train.data)).toEqual(Array.from(clean.x.train.data));
    const ratio = (noisy: Matrix, c: Matrix) => power(diff(noisy, c)) / power(c);
    expect(ratio(stack(src.x.train, src.x.test), stack(clean.x.train, clean.x.test))).toBeCloseTo(0.25, 1);
    expect(ratio(stack(tgt.y.train, tgt.y.test), stack(clean.y.train, clean.y.test))).toBeCloseTo(0.09, 1);
  });

  it("the warp is the only non-linearity, and a stronger warp is less linear", () => {
    const lin = (w: number) => {
      const p = controlledPair({ ...base, warp: w });
      return linearResidual(stack(p.x.train, p.x.test), stack(p.y.train, p.y.test));
    };
    expect(lin(0)).toBeLessThan(1e-10);
    const half = lin(0.5), full = lin(1);
    expect(half).toBeGreaterThan(0.01);
    expect(full).toBeGreaterThan(half);
  });

  it("a latent larger than a space gives it a projection (rank d) that no linear map undoes exactly", () => {
    const p = controlledPair({ ...base, latentDim: 16, sourceDim: 12, targetDim: 10 });
    const sv = singularValues(p.x.train);
    expect(sv[11] / sv[0]).toBeGreaterThan(1e-6);
    expect(linearResidual(stack(p.x.train, p.x.test), stack(p.y.train, p.y.test))).toBeGreaterThan(0.01);
  });

  it("rejects bad options naming them", () => {
    const arg = (o: object, name: string) => {
      try {
        controlledPair({ ...base, ...o });
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidParameterError);
        expect((e as InvalidParameterError).argument).toBe(name);
        return;
      }
      throw new Error(`expected an error for ${name}`);
    };
    arg({ conditionNumber: 0.5 }, "conditionNumber");
    arg({ warp: 1.5 }, "warp");
    arg({ sourceNoise: -1 }, "sourceNoise");
    arg({ targetNoise: NaN }, "targetNoise");
    arg({ train: 1 }, "train");
    arg({ latentDim: 0 }, "latentDim");
    arg({ classes: 1 }, "classes");
    arg({ classes: 500 }, "classes");
    arg({ spectrumDecay: -0.1 }, "spectrumDecay");
    arg({ seed: 0.5 }, "seed");
    arg({ seed: -1 }, "seed");
    // The largest seed works: the parts' streams wrap around instead of leaving the seed range.
    expect(controlledPair({ ...base, seed: 2 ** 32 - 1 }).x.train.rows).toBe(200);
  });
});
