import { describe, expect, it } from "vitest";
import { syntheticPair, randomRotation } from "../src/data/synthetic";
import { compareMethods, scoreTranslation } from "../src/eval/compare";
import { Matrix, maxAbsDiff, transpose } from "../src/linalg/matrix";
import { matmul } from "../src/linalg/product";
import { InvalidParameterError } from "../src/errors";
import { bottomRows, topRows } from "./helpers";

describe("synthetic spaces and method comparison", () => {
  it("builds a rotated, rescaled, shifted copy across dimensions (orthogonal rotation, exact without noise)", () => {
    const q = randomRotation(9, 3);
    expect(maxAbsDiff(matmul(q, transpose(q)), Matrix.identity(9))).toBeLessThan(1e-12);
    const { x, y } = syntheticPair({ n: 50, sourceDim: 6, targetDim: 9, seed: 1 });
    expect(x.shape).toEqual([50, 6]);
    expect(y.shape).toEqual([50, 9]);
    expect(() => syntheticPair({ n: 5, sourceDim: 6, targetDim: 4 })).toThrow(InvalidParameterError);
    // Same seed, same spaces.
    expect(maxAbsDiff(syntheticPair({ n: 50, sourceDim: 6, targetDim: 9, seed: 1 }).y, y)).toBe(0);
  });

  it("scores a perfect translation as cosine 1, MSE 0, top-1 1", () => {
    const { y } = syntheticPair({ n: 30, sourceDim: 4, targetDim: 4, seed: 2 });
    const s = scoreTranslation(y, y);
    expect(s.cosine).toBeCloseTo(1, 12);
    expect(s.centredCosine).toBeCloseTo(1, 12);
    expect(s.mse).toBe(0);
    expect(s.top1).toBe(1);
  });

  it("ranks methods as theory says on a noiseless similarity transform across dimensions", () => {
    const { x, y } = syntheticPair({ n: 300, sourceDim: 10, targetDim: 16, seed: 4 });
    const rows = compareMethods({ anchorsX: topRows(x, 200), anchorsY: topRows(y, 200), testX: bottomRows(x, 100), testY: bottomRows(y, 100), options: { omega: 4, delta: 0.2 } });
    const by = Object.fromEntries(rows.map((r) => [r.method, r]));
    expect(by.procrustes.mse!).toBeLessThan(1e-18);
    expect(by.affine.mse!).toBeLessThan(1e-18);
    expect(by.irp.centredCosine!).toBeGreaterThan(0.999);
    expect(by.irp.top1).toBe(1);
    expect(by.absolute.unavailable).toMatch(/equal dimension/);
    expect(by.absolute.cosine).toBeUndefined();
  });
});

describe("relative round trip (Fig. 1)", () => {
  it("gives identical relative representations and exact directions for an isometry + scale + shift", async () => {
    const { planarDemo } = await import("../src/data/synthetic");
    const { relativeRoundTrip } = await import("../src/eval/compare");
    const demo = planarDemo({ n: 40, anchors: 3, seed: 2 });
    const r = relativeRoundTrip(demo.x, demo.y, demo.anchorIndices);
    expect(r.maxRelativeGap).toBeLessThan(1e-12);
    expect(r.scores.centredCosine).toBeCloseTo(1, 10);
  });
});
