/**
 * MatrixContentMemo (src/linalg/contentMemo.ts): values keyed by a matrix's content, not its
 * identity; least recently used values leave first once the byte budget is passed; and Procrustes
 * through the anchors' span gives the same bits with a shared memo of row spaces as without.
 */
import { describe, expect, it } from "vitest";
import { MatrixContentMemo, matrixContentKey } from "../src/linalg/contentMemo";
import { Matrix, selectRows } from "../src/linalg/matrix";
import { ProcrustesTranslator } from "../src/translate/procrustes";
import { InvalidParameterError } from "../src/errors";
import { randomMatrix } from "./helpers";

describe("matrixContentKey", () => {
  it("is equal for equal content (copies, row selections, subarray views) and differs for one flipped bit or another shape", () => {
    const a = randomMatrix(7, 5, 1);
    const key = matrixContentKey(a);
    expect(matrixContentKey(a.clone())).toBe(key);
    expect(matrixContentKey(selectRows(a, Int32Array.from([0, 1, 2, 3, 4, 5, 6])))).toBe(key);
    const wide = new Float64Array(3 + a.data.length);
    wide.set(a.data, 3);
    expect(matrixContentKey(Matrix.fromFlat(7, 5, wide.subarray(3)))).toBe(key);
    const flipped = a.clone();
    flipped.data[17] = Number(flipped.data[17]) + Number.EPSILON * Math.abs(flipped.data[17]); // the last bit of one entry
    expect(flipped.data[17]).not.toBe(a.data[17]);
    expect(matrixContentKey(flipped)).not.toBe(key);
    expect(matrixContentKey(Matrix.fromFlat(5, 7, a.data))).not.toBe(key);
    const negZero = new Matrix(2, 2), posZero = new Matrix(2, 2);
    negZero.data[0] = -0;
    expect(matrixContentKey(negZero)).not.toBe(matrixContentKey(posZero)); // bits, not values
  });
});

describe("MatrixContentMemo", () => {
  it("computes once per content and tag, and recomputes after the matrix changes in place", () => {
    const memo = new MatrixContentMemo();
    const a = randomMatrix(4, 3, 2);
    let calls = 0;
    const sum = (m: Matrix) => () => (calls++, m.data.reduce((s, v) => s + v, 0));
    const first = memo.get(a, "sum", sum(a), () => 8);
    expect(memo.get(a.clone(), "sum", sum(a), () => 8)).toBe(first);
    expect(calls).toBe(1);
    memo.get(a, "other", sum(a), () => 8);
    expect(calls).toBe(2);
    a.data[0] += 1;
    expect(memo.get(a, "sum", sum(a), () => 8)).toBeCloseTo(first + 1, 12);
    expect(calls).toBe(3);
    expect({ hits: memo.hits, misses: memo.misses }).toEqual({ hits: 1, misses: 3 });
  });

  it("drops the least recently used values past its byte budget and never keeps a value larger than it", () => {
    // Each entry holds its value (8 bytes here) and a copy of its 1×1 key (8 bytes): three fit in 48.
    const memo = new MatrixContentMemo(48);
    const m = (v: number) => Matrix.from([[v]]);
    let calls = 0;
    const get = (v: number, bytes = 8) => memo.get(m(v), "t", () => (calls++, `v${v}`), () => bytes);
    get(1); get(2); get(3);
    expect(memo.bytes).toBe(48);
    get(1); // 1 is now the most recent
    get(4); // evicts 2, the least recently used
    expect(memo.bytes).toBe(48);
    calls = 0;
    get(1); get(3); get(4);
    expect(calls).toBe(0);
    expect(get(5, 100)).toBe("v5"); // returned, not kept, and nothing evicted for it
    expect(memo.bytes).toBe(48);
    get(1); get(3); get(4);
    expect(calls).toBe(1);
    get(5, 100);
    expect(calls).toBe(2);
    get(2); // evicts 1, now the least recently used
    calls = 0;
    get(3); get(4); get(2);
    expect(calls).toBe(0);
    get(1);
    expect(calls).toBe(1);
  });

  it("keeps one copy of a key for all its tags, and lets it go with the last of them", () => {
    const memo = new MatrixContentMemo(40);
    const a = Matrix.from([[1, 2]]), b = Matrix.from([[3, 4]]); // 16-byte copies
    memo.get(a, "x", () => 1, () => 8);
    memo.get(a.clone(), "y", () => 2, () => 8);
    expect(memo.bytes).toBe(8 + 8 + 16);
    memo.get(b, "x", () => 3, () => 8); // 40 + 8 + 16 > 40: drops a's "x", then a's "y" and a's copy
    expect(memo.bytes).toBe(8 + 16);
    let calls = 0;
    memo.get(b, "x", () => (calls++, 0), () => 8);
    expect(calls).toBe(0);
    memo.get(a, "y", () => (calls++, 0), () => 8);
    expect(calls).toBe(1);
  });

  it("tells apart matrices that differ by signs or by swapped entries (every bit reaches the key)", () => {
    const a = randomMatrix(6, 5, 3);
    const signs = a.clone();
    signs.data[2] = -signs.data[2];
    signs.data[9] = -signs.data[9];
    const swapped = a.clone();
    [swapped.data[0], swapped.data[1]] = [swapped.data[1], swapped.data[0]];
    const keys = new Set([a, signs, swapped].map(matrixContentKey));
    expect(keys.size).toBe(3);
    const memo = new MatrixContentMemo();
    const values = [a, signs, swapped].map((x) => memo.get(x, "first", () => x.data[0], () => 8));
    expect(values).toEqual([a.data[0], signs.data[0], swapped.data[0]]);
    expect(memo.misses).toBe(3);
  });

  it("rejects a bad budget naming it", () => {
    for (const bad of [-1, NaN, Infinity, "1" as unknown as number]) expect(() => new MatrixContentMemo(bad)).toThrow(InvalidParameterError);
    expect(() => new MatrixContentMemo(-1)).toThrow(/maxBytes/);
  });
});

describe("ProcrustesTranslator with shared row spaces", () => {
  it("gives the same bits as without, computing each anchor set's row space once over all pairs", () => {
    const spaces = [randomMatrix(30, 50, 3), randomMatrix(30, 40, 4), randomMatrix(30, 60, 5)];
    const test = randomMatrix(9, 50, 6);
    const memo = new MatrixContentMemo();
    for (let a = 0; a < spaces.length; a++) for (let b = 0; b < spaces.length; b++) {
      if (a === b) continue;
      const plain = new ProcrustesTranslator({ variant: "anchor-span" }).fit(spaces[a], spaces[b]);
      // Fresh copies of the anchors: the memo keys on content.
      const shared = new ProcrustesTranslator({ variant: "anchor-span", memo }).fit(spaces[a].clone(), spaces[b].clone());
      expect(Array.from(shared.rotation.data)).toEqual(Array.from(plain.rotation.data));
      if (a === 0) expect(Array.from(shared.transform(test).data)).toEqual(Array.from(plain.transform(test).data));
    }
    expect(memo.misses).toBe(3);
    expect(memo.hits).toBe(2 * 6 - 3);
  });

  it("rejects a memo that is not a MatrixContentMemo", () => {
    expect(() => new ProcrustesTranslator({ memo: new Map() as never })).toThrow(/memo.*MatrixContentMemo/);
  });
});

describe("InverseRelativeProjection with shared target sides", () => {
  it("fits several sources into one target to the same bits as alone, computing the target side once per setting", async () => {
    const { InverseRelativeProjection } = await import("../src/translate/irp");
    const target = randomMatrix(40, 30, 7);
    const sources = [randomMatrix(40, 20, 8), randomMatrix(40, 25, 9), randomMatrix(40, 30, 10)];
    const test = (d: number) => randomMatrix(6, d, 11 + d);
    const memo = new MatrixContentMemo();
    const settings = [{ omega: 4, delta: 0.5 }, { omega: 4, delta: 0.5, orthogonalize: true }, { omega: 2, delta: 0.3, ridge: 0.1 }, { omega: 3, delta: 0.4, whiten: true }];
    for (const setting of settings) for (const x of sources) {
      const alone = new InverseRelativeProjection({ ...setting, seed: 1 }).fit(x, target);
      const shared = new InverseRelativeProjection({ ...setting, seed: 1, memo }).fit(x.clone(), target.clone());
      expect(Array.from(shared.transform(test(x.cols)).data)).toEqual(Array.from(alone.transform(test(x.cols)).data));
      expect(shared.diagnostics.subspaces).toEqual(alone.diagnostics.subspaces);
    }
    // (ω, δ, ridge, whiten) decide the target side; orthogonalize does not (it acts on the collapsed
    // map). The ridge and whitened sides also keep their subspaces' SVDs (computed once per side).
    const sides = [...(memo as unknown as { entries: Map<string, unknown> }).entries.keys()].filter((k) => k.startsWith("irp target side"));
    expect(sides).toHaveLength(3);
    // Source pruning reads the source: no sharing of the target side.
    const bySource = new MatrixContentMemo();
    new InverseRelativeProjection({ prune: "source", memo: bySource }).fit(sources[0], target);
    expect(bySource.misses + bySource.hits).toBe(0);
  });

  it("rejects a memo that is not a MatrixContentMemo, and createTranslator passes one through", async () => {
    const { InverseRelativeProjection } = await import("../src/translate/irp");
    const { createTranslator } = await import("../src/translate/createTranslator");
    expect(() => new InverseRelativeProjection({ memo: {} as never })).toThrow(/memo.*MatrixContentMemo/);
    const memo = new MatrixContentMemo();
    const x = randomMatrix(12, 30, 1), y = randomMatrix(12, 20, 2);
    createTranslator("irp", { memo, delta: 0.3 }).fit(x, y);
    createTranslator("procrustes", { memo, variant: "anchor-span" }).fit(x, y);
    expect(memo.misses).toBe(3); // one IRP target side, two row spaces
    createTranslator("procrustes", { memo, variant: "anchor-span" }).fit(x.clone(), y.clone());
    expect([memo.misses, memo.hits]).toEqual([3, 2]);
  });
});

describe("shared spectra for IRP's variants", () => {
  it("filters one SVD per subspace for every ridge λ and the whitening, to the same bits as apart", async () => {
    const { filteredSpectrum } = await import("../src/translate/irp");
    const { sensitivityGrid } = await import("../src/eval/sensitivity");
    const s = randomMatrix(12, 40, 21);
    const svds = new MatrixContentMemo();
    for (const filter of [{ ridge: 0.01, whiten: false }, { ridge: 10, whiten: false }, { ridge: 0, whiten: true }]) {
      expect(Array.from(filteredSpectrum(s.clone(), filter, undefined, svds).matrix.data)).toEqual(Array.from(filteredSpectrum(s, filter).matrix.data));
    }
    expect([svds.misses, svds.hits]).toEqual([1, 2]);
    const spaces = [
      { name: "a", anchors: randomMatrix(30, 20, 22), test: randomMatrix(10, 20, 23) },
      { name: "b", anchors: randomMatrix(30, 25, 24), test: randomMatrix(10, 25, 25) },
    ];
    const grid = { spaces, omegas: [1, 4], deltas: [0, 0.5], settings: ["inter" as const], progress: false };
    const shared = new MatrixContentMemo();
    for (const variant of [{ ridge: 0.1 }, { ridge: 1 }, { whiten: true }]) {
      expect(sensitivityGrid({ ...grid, variant, memo: shared })).toEqual(sensitivityGrid({ ...grid, variant }));
    }
    expect(shared.hits).toBeGreaterThan(shared.misses);
  });
});

describe("LeastSquaresTranslator with a shared memo", () => {
  it("fits one source into several targets to the same bits, with one pseudo-inverse per design", async () => {
    const { LeastSquaresTranslator } = await import("../src/translate/leastSquares");
    const x = randomMatrix(30, 12, 31), targets = [randomMatrix(30, 8, 32), randomMatrix(30, 20, 33)];
    const memo = new MatrixContentMemo();
    for (const affine of [false, true]) for (const y of targets) {
      const alone = new LeastSquaresTranslator({ affine }).fit(x, y).transform(x);
      const shared = new LeastSquaresTranslator({ affine, memo }).fit(x.clone(), y).transform(x);
      expect(Array.from(shared.data)).toEqual(Array.from(alone.data));
    }
    expect([memo.misses, memo.hits]).toEqual([2, 2]); // one design each for lstsq and affine
    expect(() => new LeastSquaresTranslator({ memo: 1 as never })).toThrow(/memo/);
  });
});

describe("irpGapDiagnostic with a shared memo", () => {
  it("gives the same diagnostic as without, reusing each side's decompositions across pairs", async () => {
    const { irpGapDiagnostic } = await import("../src/eval/irpDiagnostic");
    const a = randomMatrix(60, 20, 41), b = randomMatrix(60, 30, 42), c = randomMatrix(60, 25, 43);
    const grid = { omegas: [1, 4], deltas: [0, 0.5], seed: 3 };
    const memo = new MatrixContentMemo();
    for (const [x, y] of [[a, b], [a, c], [b, c]]) {
      expect(irpGapDiagnostic({ anchorsX: x, anchorsY: y, ...grid, memo })).toEqual(irpGapDiagnostic({ anchorsX: x, anchorsY: y, ...grid }));
    }
    expect(memo.hits).toBeGreaterThan(0);
  });
});
