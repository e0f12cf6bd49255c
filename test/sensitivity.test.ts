import { describe, expect, it } from "vitest";
import { chooseIrpParameters, gridMeans, sensitivityGrid } from "../src/eval/sensitivity";
import { syntheticPair } from "../src/data/synthetic";
import { InverseRelativeProjection } from "../src/translate/irp";
import { scoreTranslation } from "../src/eval/compare";
import { Matrix, selectRows } from "../src/linalg/matrix";
import { matmul } from "../src/linalg/product";
import { ShapeMismatchError } from "../src/errors";
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

  it("reproduces a direct IRP fit for every cell (prefix averaging is exact)", () => {
    const rows = sensitivityGrid({ spaces, omegas: [1, 3, 8], deltas: [0.5], seeds: [7], settings: ["inter"] });
    for (const r of rows.filter((q) => q.source === "A")) {
      const irp = new InverseRelativeProjection({ omega: r.omega, delta: r.delta, seed: r.seed }).fit(spaces[0].anchors, spaces[1].anchors);
      const s = scoreTranslation(irp.transform(spaces[0].test), spaces[1].test, irp.targetStats.mean);
      expect(r.similarity).toBeCloseTo(s.cosine, 12);
      expect(r.conditionNumber).toBeCloseTo(irp.diagnostics.meanConditionNumber, 9);
      expect(r.anchorsKept).toBeCloseTo(irp.diagnostics.meanAnchorsKept, 12);
    }
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
