import { describe, expect, it } from "vitest";
import { gridMeans, sensitivityGrid } from "../src/eval/sensitivity";
import { chooseIrpIntoTarget, chooseIrpParameters, chooseIrpPerPair, heldOutSplit } from "../src/eval/irpChoice";
import { syntheticPair } from "../src/data/synthetic";
import { InverseRelativeProjection } from "../src/translate/irp";
import { scoreTranslation } from "../src/eval/compare";
import { Matrix, selectRows, transpose } from "../src/linalg/matrix";
import { matmul } from "../src/linalg/product";
import { pinvWithInfo } from "../src/linalg/pinv";
import { absoluteCosineGram, drawAnchorSubspaces } from "../src/anchors/farthestPointSample";
import { anchorStats, centerAndNormalize, denormalize } from "../src/relative/normalize";
import { InvalidParameterError, ShapeMismatchError, TooFewAnchorsError } from "../src/errors";
import { bottomRows, randomMatrix, topRows } from "./helpers";

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

describe("ω × δ sensitivity grid", () => {
  const { x, y } = syntheticPair({ n: 260, sourceDim: 12, targetDim: 16, seed: 3 });
  const spaces = [
    { name: "A", anchors: topRows(x, 200), test: bottomRows(x, 60) },
    { name: "B", anchors: topRows(y, 200), test: bottomRows(y, 60) },
  ];

  it("peaks near similarity 1 on a pair related by a known rotation (and intra-space)", () => {
    const rows = sensitivityGrid({ spaces, omegas: [1, 4], deltas: [0, 0.3, 0.6], seeds: [0, 1] });
    expect(rows).toHaveLength(2 /* intra */ * 2 * 3 * 2 + 2 /* inter */ * 2 * 3 * 2);
    const best = Math.max(...rows.filter((r) => r.setting === "inter").map((r) => r.centredSimilarity));
    expect(best).toBeGreaterThan(0.999);
    const z = gridMeans(rows, "centredSimilarity", [1, 4], [0, 0.3, 0.6], (r) => r.setting === "intra");
    expect(z[0][0]).toBeGreaterThan(0.999);
  });

  it("every cell is eq. 5 averaged over the cell's first ω draws (a literal reference, shared targets included)", () => {
    // A third space decoding into B, so B's subspaces and pseudo-inverses are shared by two sources.
    const z = syntheticPair({ n: 260, sourceDim: 9, targetDim: 16, seed: 5 }).x;
    const three = [...spaces, { name: "C", anchors: topRows(z, 200), test: bottomRows(z, 60) }];
    const omegas = [3, 1, 8], delta = 0.5, seed = 7;
    const rows = sensitivityGrid({ spaces: three, omegas, deltas: [delta], seeds: [seed], settings: ["inter"] });
    const unit = (m: Matrix, mean: Float64Array) => centerAndNormalize(m, mean, "m");
    for (const r of rows.filter((q) => q.target === "B")) {
      const src = three.find((q) => q.name === r.source)!, tgt = three[1];
      const sx = anchorStats(src.anchors), sy = anchorStats(tgt.anchors);
      const ux = unit(src.anchors, sx.mean), uy = unit(tgt.anchors, sy.mean), xt = unit(src.test, sx.mean);
      const draws = drawAnchorSubspaces(absoluteCosineGram(uy), 200, r.omega, delta, seed);
      const sum = new Matrix(60, 16);
      let cond = 0;
      for (const idx of draws) {
        const info = pinvWithInfo(transpose(selectRows(uy, idx)));
        const term = matmul(matmul(xt, transpose(selectRows(ux, idx))), info.pinv);
        sum.data.forEach((_, i) => (sum.data[i] += term.data[i] / r.omega));
        cond += info.condKept / r.omega;
      }
      const s = scoreTranslation(denormalize(sum, sy), tgt.test, sy.mean);
      expect(r.similarity).toBeCloseTo(s.cosine, 12);
      expect(r.centredSimilarity).toBeCloseTo(s.centredCosine, 12);
      expect(r.conditionNumber / cond).toBeCloseTo(1, 10);
      expect(r.anchorsKept).toBeCloseTo(draws.reduce((a, d) => a + d.length, 0) / r.omega, 12);
      expect(r.distinctSubspaces).toBe(new Set(draws).size);
    }
    // Rows come ω-ascending per (pair, δ), target-major.
    expect(rows.slice(0, 3).map((r) => [r.source, r.target, r.omega])).toEqual([["A", "B", 1], ["A", "B", 3], ["A", "B", 8]]);
  });

  it("at δ = 0 every draw keeps all anchors: one subspace, the same cell for every ω, the unit target anchors' condition number", () => {
    const rows = sensitivityGrid({ spaces, omegas: [1, 2, 16], deltas: [0], seeds: [3], settings: ["inter"] });
    const b = rows.filter((r) => r.target === "B");
    const sy = anchorStats(spaces[1].anchors);
    const cond = pinvWithInfo(centerAndNormalize(spaces[1].anchors, sy.mean, "B")).condKept;
    for (const r of b) {
      expect([r.anchorsKept, r.distinctSubspaces]).toEqual([200, 1]);
      expect(r.conditionNumber / cond).toBeCloseTo(1, 10);
      expect(r.similarity).toBeCloseTo(b[0].similarity, 12);
    }
  });

  it("explicit pairs evaluate only those pairs, with the same rows as the full grid", () => {
    const all = sensitivityGrid({ spaces, omegas: [1, 4], deltas: [0.2, 0.6], seeds: [1], settings: ["inter"] });
    const one = sensitivityGrid({ spaces, omegas: [1, 4], deltas: [0.2, 0.6], seeds: [1], pairs: [["B", "A"]] });
    expect(one).toEqual(all.filter((r) => r.source === "B"));
    expect(() => sensitivityGrid({ spaces, pairs: [["A", "Z"]] })).toThrow(/pairs\[0\]\[1\].*no space named "Z"/);
  });

  it("refuses spaces over different items", () => {
    expect(() => sensitivityGrid({ spaces: [spaces[0], { name: "C", anchors: topRows(y, 199), test: bottomRows(y, 60) }] })).toThrow(ShapeMismatchError);
  });
});

describe("choosing (ω, δ) from the anchors alone", () => {
  it("is never worse than δ = 0 on a set built to be ill-conditioned", () => {
    // Anchors crowded around a few directions (near-duplicates) plus noise: δ = 0 inverts a badly
    // conditioned matrix.
    const k = 120, d = 40;
    const centres = randomMatrix(6, d, 1);
    const noise = randomMatrix(k + 80, d, 2, 0.05);
    const x = new Matrix(k + 80, d);
    for (let i = 0; i < k + 80; i++) for (let j = 0; j < d; j++) x.data[i * d + j] = centres.get(i % 6, j) + noise.get(i, j);
    const y = matmul(x, randomMatrix(d, 30, 3));
    for (let i = 0; i < y.data.length; i++) y.data[i] += 0.05 * noise.data[i % noise.data.length];
    const ax = selectRows(x, range(0, k)), ay = selectRows(y, range(0, k));
    const choice = chooseIrpParameters({ anchorsX: ax, anchorsY: ay, omegas: [1, 4, 16], deltas: [0, 0.2, 0.5, 0.8], seed: 0 });
    const atZero = choice.table.find((r) => r.omega === 1 && r.delta === 0)!;
    expect(choice.score).toBeGreaterThanOrEqual(atZero.score);
    // On the held-out items too, the chosen setting is at least as good as δ = 0.
    const tx = selectRows(x, range(k, k + 80)), ty = selectRows(y, range(k, k + 80));
    const score = (omega: number, delta: number) => {
      const irp = new InverseRelativeProjection({ omega, delta, seed: 0 }).fit(ax, ay);
      return scoreTranslation(irp.transform(tx), ty).cosine;
    };
    expect(score(choice.omega, choice.delta)).toBeGreaterThanOrEqual(score(1, 0) - 1e-9);
  });
});

describe("the (ω, δ) chooser's protocol", () => {
  const { x, y } = syntheticPair({ n: 150, sourceDim: 10, targetDim: 14, noise: 0.1, seed: 8 });
  const z = syntheticPair({ n: 150, sourceDim: 6, targetDim: 14, noise: 0.1, seed: 9 }).x;
  const grid = { omegas: [1, 4], deltas: [0, 0.4, 0.8], seed: 2 };

  it("holds out round(k·share) anchors of a seeded permutation and fits on the rest", () => {
    const { fit, test } = heldOutSplit(150, 0.2, 2);
    expect([fit.length, test.length]).toEqual([120, 30]);
    expect(new Set([...fit, ...test]).size).toBe(150);
    expect(Array.from(heldOutSplit(150, 0.2, 2).test)).toEqual(Array.from(test));
    expect(() => heldOutSplit(150, 1, 0)).toThrow(InvalidParameterError);
    expect(() => heldOutSplit(2, 0.2, 0)).toThrow(/leaves 1 anchors/);
  });

  it("scores each cell by the held-out anchors' reconstruction and returns the grid it looked at", () => {
    const c = chooseIrpParameters({ anchorsX: x, anchorsY: y, ...grid });
    expect([c.anchors, c.heldOut]).toEqual([120, 30]);
    expect(c.table.map((t) => [t.omega, t.delta])).toEqual([[1, 0], [4, 0], [1, 0.4], [4, 0.4], [1, 0.8], [4, 0.8]]);
    const { fit, test } = heldOutSplit(150, 0.2, 2);
    for (const cell of c.table) {
      const irp = new InverseRelativeProjection({ omega: cell.omega, delta: cell.delta, seed: 2 }).fit(selectRows(x, fit), selectRows(y, fit));
      expect(cell.score).toBeCloseTo(scoreTranslation(irp.transform(selectRows(x, test)), selectRows(y, test)).cosine, 12);
      expect(cell.anchorsKept).toBeCloseTo(irp.diagnostics.meanAnchorsKept, 12);
    }
    expect(c.score).toBe(Math.max(...c.table.map((t) => t.score)));
    expect(c.table.find((t) => t.omega === c.omega && t.delta === c.delta)!.score).toBe(c.score);
  });

  it("per pair over several spaces equals the pairwise choice, and the overall choice is the best mean", () => {
    const named = [{ name: "x", anchors: x }, { name: "y", anchors: y }, { name: "z", anchors: z }];
    const all = chooseIrpPerPair(named, grid);
    expect(all.perPair.map((p) => `${p.source}→${p.target}`)).toEqual(["x→y", "x→z", "y→x", "y→z", "z→x", "z→y"]);
    for (const p of all.perPair) {
      const one = chooseIrpParameters({ anchorsX: named.find((s) => s.name === p.source)!.anchors, anchorsY: named.find((s) => s.name === p.target)!.anchors, ...grid });
      expect([p.omega, p.delta, p.score]).toEqual([one.omega, one.delta, one.score]);
    }
    const cell = all.table.find((t) => t.omega === 4 && t.delta === 0.4)!;
    const mean = all.perPair.reduce((s, p) => s + chooseIrpParameters({
      anchorsX: named.find((q) => q.name === p.source)!.anchors, anchorsY: named.find((q) => q.name === p.target)!.anchors, ...grid,
    }).table.find((t) => t.omega === 4 && t.delta === 0.4)!.score, 0) / 6;
    expect(cell.score).toBeCloseTo(mean, 12);
    expect(all.overall.score).toBe(Math.max(...all.table.map((t) => t.score)));
  });

  it("into one target from several sources equals each pair's own choice bit for bit, table included", () => {
    const both = chooseIrpIntoTarget([x, z], y, grid);
    expect(both).toHaveLength(2);
    expect(both[0]).toEqual(chooseIrpParameters({ anchorsX: x, anchorsY: y, ...grid }));
    expect(both[1]).toEqual(chooseIrpParameters({ anchorsX: z, anchorsY: y, ...grid }));
    const ridge = { ...grid, variant: { ridge: 0.1 } };
    expect(chooseIrpIntoTarget([z, x], y, ridge)[1]).toEqual(chooseIrpParameters({ anchorsX: x, anchorsY: y, ...ridge }));
    expect(() => chooseIrpIntoTarget([], y)).toThrow(/sources/);
    expect(() => chooseIrpIntoTarget([x, selectRows(z, [0, 1, 2])], y)).toThrow(/target.*sources\[1\] has 3 rows/);
  });

  it("refuses anchors of different items, too few anchors, repeated space names", () => {
    expect(() => chooseIrpParameters({ anchorsX: x, anchorsY: selectRows(y, [0, 1, 2]) })).toThrow(ShapeMismatchError);
    expect(() => chooseIrpParameters({ anchorsX: selectRows(x, [0, 1]), anchorsY: selectRows(y, [0, 1]) })).toThrow(TooFewAnchorsError);
    expect(() => chooseIrpParameters({ anchorsX: x, anchorsY: y, holdout: 0 })).toThrow(/holdout/);
    expect(() => chooseIrpPerPair([{ name: "x", anchors: x }, { name: "x", anchors: y }])).toThrow(/distinct/);
  });
});
