import { describe, expect, it } from "vitest";
import {
  crossLingualSummary, crossLingualTable, differentPairSimilarity, NOT_AVAILABLE, pairSimilarity, type CrossLingualSpaces,
} from "../src/experiments/crossLingual";
import { InvalidParameterError, ShapeMismatchError } from "../src/errors";
import { Matrix, padCols, selectRows } from "../src/linalg/matrix";
import { matmul } from "../src/linalg/product";
import { randomMatrix, randomOrthogonal } from "./helpers";

const K = 80, N = 40, R = 6;
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

/** A language's space: the shared latent padded to `dim`, rotated, scaled and shifted (an isometry up to scale). */
function isometricImage(z: Matrix, dim: number, seed: number, scale: number, shift: number): Matrix {
  const y = matmul(padCols(z, dim), randomOrthogonal(dim, seed));
  for (let i = 0; i < y.data.length; i++) y.data[i] = scale * y.data[i] + shift * (((i % dim) % 3) - 1);
  return y;
}

function split(m: Matrix): { anchors: Matrix; test: Matrix } {
  return { anchors: selectRows(m, range(0, K)), test: selectRows(m, range(K, K + N)) };
}

/**
 * en and es 6-d, fr 9-d: all images of one latent; multilingual = one more image plus per-language
 * noise. Offsets stay moderate: IRP restores the target anchors' MEAN norm, not each item's own, so
 * with a large offset the raw (uncentred) cosine dips below 1 even when every direction is exact.
 */
function alignedSpaces(): CrossLingualSpaces {
  const z = randomMatrix(K + N, R, 11);
  const multi = isometricImage(z, 8, 40, 1, 0.5);
  const noisy = (seed: number) => {
    const e = randomMatrix(N, 8, seed, 0.05);
    const t = selectRows(multi, range(K, K + N));
    return new Matrix(N, 8, t.data.map((v, i) => v + e.data[i]));
  };
  return {
    corpus: "synthetic",
    languages: ["en", "es", "fr"],
    monolingual: { en: split(isometricImage(z, 6, 21, 2, 0.5)), es: split(isometricImage(z, 6, 22, 0.5, 0.2)), fr: split(isometricImage(z, 9, 23, 1, 0.3)) },
    multilingual: { en: noisy(51), es: noisy(52), fr: noisy(53) },
  };
}

describe("cross-lingual table (Table 1) on synthetic spaces", () => {
  const spaces = alignedSpaces();
  const rows = crossLingualTable({ spaces, omega: 4, delta: 0.3, seed: 0, omegas: [1, 4], deltas: [0, 0.5] });

  it("has one row per ordered pair of different languages", () => {
    expect(rows.map((r) => `${r.source}>${r.target}`)).toEqual(["en>es", "en>fr", "es>en", "es>fr", "fr>en", "fr>es"]);
    for (const r of rows) {
      expect(r.n).toBe(N);
      expect(r.anchors).toBe(K);
      expect([r.irpOmega, r.irpDelta]).toEqual([4, 0.3]);
    }
  });

  it("IRP between spaces that are isometric images of each other gives cosine > 0.99, stated and chosen", () => {
    for (const r of rows) {
      expect(r.irp, `${r.source}→${r.target}`).toBeGreaterThan(0.99);
      expect(r.irpChosen).toBeGreaterThan(0.99);
      expect(r.irpTop1).toBe(1);
      expect([1, 4]).toContain(r.irpChosenOmega);
      expect([0, 0.5]).toContain(r.irpChosenDelta);
    }
  });

  it("puts every random-pair floor below its parallel cosine", () => {
    for (const r of rows) {
      expect(r.randomPairFloor).toBeLessThan(r.irp - 0.2);
      expect(r.multilingualFloor as number).toBeLessThan((r.multilingual as number) - 0.2);
      if (r.absolute !== NOT_AVAILABLE) expect(r.absoluteFloor as number).toBeLessThan(1);
    }
  });

  it("writes n/a for Absolute where the dimensions differ, a number where they match", () => {
    for (const r of rows) {
      const differ = r.source === "fr" || r.target === "fr";
      expect(r.absolute === NOT_AVAILABLE, `${r.source}→${r.target}`).toBe(differ);
      expect(r.absoluteFloor === NOT_AVAILABLE).toBe(differ);
    }
    // Different rotations: comparing the raw encodings is NOT a translation.
    const enEs = rows.find((r) => r.source === "en" && r.target === "es")!;
    expect(enEs.absolute as number).toBeLessThan(0.9);
  });

  it("writes n/a for the multilingual columns when no multilingual encodings are given", () => {
    const { multilingual: _m, ...mono } = spaces;
    const r = crossLingualTable({ spaces: mono, omega: 1, delta: 0, omegas: [1], deltas: [0] });
    expect(r.every((x) => x.multilingual === NOT_AVAILABLE && x.multilingualTop1 === NOT_AVAILABLE)).toBe(true);
  });

  it("stays at its floor between UNRELATED spaces (the high cosines above are not an artefact)", () => {
    const unrelated: CrossLingualSpaces = {
      corpus: "unrelated", languages: ["a", "b"],
      monolingual: { a: split(randomMatrix(K + N, 6, 101)), b: split(randomMatrix(K + N, 6, 102)) },
    };
    for (const r of crossLingualTable({ spaces: unrelated, omega: 1, delta: 0, omegas: [1], deltas: [0] })) {
      expect(Math.abs(r.irp - r.randomPairFloor)).toBeLessThan(0.15);
      expect(r.irp).toBeLessThan(0.4);
    }
  });

  it("refuses spaces over different items or missing languages", () => {
    const bad: CrossLingualSpaces = { ...spaces, monolingual: { ...spaces.monolingual, es: { anchors: spaces.monolingual.es.anchors, test: selectRows(spaces.monolingual.es.test, range(0, N - 1)) } } };
    expect(() => crossLingualTable({ spaces: bad })).toThrow(ShapeMismatchError);
    expect(() => crossLingualTable({ spaces: { ...spaces, languages: ["en", "de"] } })).toThrow(InvalidParameterError);
    expect(() => crossLingualTable({ spaces, delta: 1 })).toThrow(InvalidParameterError);
  });

  it("summarises over language pairs per corpus", () => {
    const s = crossLingualSummary(rows);
    const irp = s.find((x) => x.column === "irp")!;
    expect(irp.pairs).toBe(6);
    expect(irp.mean as number).toBeCloseTo(rows.reduce((a, r) => a + r.irp, 0) / 6, 12);
    const abs = s.find((x) => x.column === "absolute")!;
    expect(abs.pairs).toBe(2); // en↔es only
  });
});

describe("pairSimilarity and differentPairSimilarity", () => {
  const a = randomMatrix(7, 3, 1), b = randomMatrix(7, 3, 2);
  const cos = (x: Float64Array, y: Float64Array) => {
    let d = 0, nx = 0, ny = 0;
    for (let j = 0; j < x.length; j++) {
      d += x[j] * y[j];
      nx += x[j] * x[j];
      ny += y[j] * y[j];
    }
    return d / Math.sqrt(nx * ny);
  };

  it("matches a brute-force count over all i ≠ j pairs", () => {
    const p = pairSimilarity(a, b);
    const off: number[] = [];
    let par = 0, hits = 0;
    for (let i = 0; i < 7; i++) {
      par += cos(a.row(i), b.row(i));
      let best = -Infinity;
      for (let j = 0; j < 7; j++) if (j !== i) {
        off.push(cos(a.row(i), b.row(j)));
        best = Math.max(best, cos(a.row(i), b.row(j)));
      }
      if (cos(a.row(i), b.row(i)) > best) hits++;
    }
    const mean = off.reduce((s, v) => s + v, 0) / off.length;
    expect(p.parallel).toBeCloseTo(par / 7, 12);
    expect(p.floor).toBeCloseTo(mean, 12);
    expect(p.floorStd).toBeCloseTo(Math.sqrt(off.reduce((s, v) => s + (v - mean) ** 2, 0) / off.length), 12);
    expect(p.top1).toBeCloseTo(hits / 7, 12);
    expect(() => pairSimilarity(a, randomMatrix(7, 4, 3))).toThrow(ShapeMismatchError);
    expect(() => pairSimilarity(selectRows(a, [0]), selectRows(b, [0]))).toThrow(InvalidParameterError);
  });

  it("pools non-parallel cosines over language pairs with matching dimensions", () => {
    const spaces = alignedSpaces();
    const rows = differentPairSimilarity(spaces);
    expect(rows.map((r) => r.space)).toEqual(["absolute", "multilingual"]);
    const abs = rows[0];
    // Only en↔es have equal dims: two ordered pairs.
    expect(abs.pairs).toBe(2 * N * (N - 1));
    const enEs = pairSimilarity(spaces.monolingual.en.test, spaces.monolingual.es.test);
    const esEn = pairSimilarity(spaces.monolingual.es.test, spaces.monolingual.en.test);
    expect(abs.mean).toBeCloseTo((enEs.floor + esEn.floor) / 2, 12);
    expect(rows[1].parallelMean).toBeGreaterThan(rows[1].mean);
  });
});
