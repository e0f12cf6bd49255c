import { describe, expect, it } from "vitest";
import { absoluteCosineGram, anchorSubspaces, farthestPointSample } from "../src/anchors/farthestPointSample";
import { normalizeRows } from "../src/relative/normalize";
import { conditionNumber } from "../src/linalg/pinv";
import { selectRows } from "../src/linalg/matrix";
import { InvalidParameterError, ZeroNormError } from "../src/errors";
import { correlatedPoints, randomMatrix } from "./helpers";

function pairwiseMinDistance(points: ReturnType<typeof randomMatrix>, idx: Int32Array): number {
  const unit = normalizeRows(points, "points");
  const g = absoluteCosineGram(unit);
  let min = Infinity;
  for (let a = 0; a < idx.length; a++)
    for (let b = a + 1; b < idx.length; b++) min = Math.min(min, 1 - g[idx[a] * points.rows + idx[b]]);
  return min;
}

describe("farthest point sampling (1−|cos|, δ)", () => {
  const pts = correlatedPoints(120, 24, 6, 5);

  it.each([0.05, 0.2, 0.5, 0.8, 0.95])("keeps every pair of selected anchors at distance ≥ δ = %f", (delta) => {
    const idx = farthestPointSample(pts, { delta, seed: 1 });
    expect(idx.length).toBeGreaterThanOrEqual(1);
    if (idx.length > 1) expect(pairwiseMinDistance(pts, idx)).toBeGreaterThanOrEqual(delta);
  });

  it("keeps every anchor at δ = 0 and counts never grow as δ rises", () => {
    expect(farthestPointSample(pts, { delta: 0, seed: 3 }).length).toBe(120);
    let previous = Infinity;
    for (const delta of [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99]) {
      const n = farthestPointSample(pts, { delta, first: 0 }).length;
      expect(n).toBeLessThanOrEqual(previous);
      previous = n;
    }
  });

  it("lowers the condition number of a correlated anchor set as δ rises", () => {
    const conds = [0, 0.3, 0.6, 0.9].map((delta) => conditionNumber(selectRows(normalizeRows(pts, "p"), farthestPointSample(pts, { delta, first: 0 }))));
    for (let i = 1; i < conds.length; i++) expect(conds[i]).toBeLessThan(conds[i - 1]);
  });

  it("treats antipodal points as duplicates (|cos|) and is deterministic in its seed", () => {
    const p = randomMatrix(10, 5, 9);
    const withOpposite = randomMatrix(11, 5, 9);
    for (let j = 0; j < 5; j++) withOpposite.data[10 * 5 + j] = -p.data[0 * 5 + j];
    const idx = farthestPointSample(withOpposite, { delta: 0.01, first: 0 });
    expect(Array.from(idx)).not.toContain(10);
    expect(farthestPointSample(pts, { delta: 0.5, seed: 7 })).toEqual(farthestPointSample(pts, { delta: 0.5, seed: 7 }));
  });

  it("rejects δ outside [0, 1) and zero vectors", () => {
    for (const delta of [-0.1, 1, 1.5, NaN]) expect(() => farthestPointSample(pts, { delta })).toThrow(InvalidParameterError);
    const z = randomMatrix(4, 3, 1);
    z.data.fill(0, 3, 6);
    expect(() => farthestPointSample(z, { delta: 0.1 })).toThrow(ZeroNormError);
  });
});

describe("anchor subspaces", () => {
  it("merges identical draws and keeps the multiplicities summing to ω", () => {
    const unit = normalizeRows(correlatedPoints(60, 10, 4, 2), "p");
    const g = absoluteCosineGram(unit);
    const all = anchorSubspaces(g, 60, 8, 0, 1);
    expect(all).toHaveLength(1);
    expect(all[0].multiplicity).toBe(8);
    const pruned = anchorSubspaces(g, 60, 32, 0.6, 1);
    expect(pruned.reduce((s, x) => s + x.multiplicity, 0)).toBe(32);
    const keys = new Set(pruned.map((x) => x.indices.join(",")));
    expect(keys.size).toBe(pruned.length);
  });
});
