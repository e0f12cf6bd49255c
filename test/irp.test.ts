import { describe, expect, it } from "vitest";
import {
  InverseRelativeProjection, MAX_OMEGA, applyIrpMap, averageMaps, drawSubspaceDecoders, fitSubspaceMaps, meanOverDraws, translatePrefixes,
} from "../src/translate/irp";
import { absoluteCosineGram } from "../src/anchors/farthestPointSample";
import { centerAndNormalize, denormalize } from "../src/relative/normalize";
import { Matrix, frobeniusNorm, maxAbsDiff, rowNorms, selectRows, transpose } from "../src/linalg/matrix";
import { matmul } from "../src/linalg/product";
import { pinvWithInfo } from "../src/linalg/pinv";
import { pinvOfRowsByGram } from "../src/linalg/pinvGram";
import { relativeProjection } from "../src/relative/relativeProjection";
import {
  DegenerateAnchorsError, InvalidParameterError, NonFiniteError, NotFittedError, ShapeMismatchError, TooFewAnchorsError, ZeroNormError,
} from "../src/errors";
import { bottomRows, correlatedPoints, meanCenteredCosine, randomMatrix, randomOrthogonal, topRows } from "./helpers";

describe("IRP: known answers", () => {
  it("inverts intra-space exactly with ≥ d anchors in general position (δ = 0)", () => {
    const d = 12;
    const anchors = randomMatrix(30, d, 1);
    const x = randomMatrix(20, d, 2);
    const irp = new InverseRelativeProjection({ omega: 1, delta: 0 }).fit(anchors, anchors);
    const y = irp.transform(x);
    const { mean, meanNorm } = irp.targetStats;
    // Direction of the centred vector is recovered exactly; its norm is the anchors' mean norm.
    expect(meanCenteredCosine(y, x, mean, mean)).toBeCloseTo(1, 12);
    const centred = new Matrix(y.rows, d, y.data.map((v, i) => v - mean[i % d]));
    rowNorms(centred).forEach((n) => expect(n).toBeCloseTo(meanNorm, 10));
    // Anchor completion: with full-rank anchors the collapsed map is the identity.
    expect(maxAbsDiff(irp.map, Matrix.identity(d))).toBeLessThan(1e-10);
  });

  it.each([[16, 16], [16, 24], [24, 16]])("recovers a random orthogonal map between %i-d and %i-d spaces", (dx, dy) => {
    // Both spaces embed the same r-dimensional latent z isometrically: x = z·Bx, y = z·By with
    // orthonormal-row Bx, By (r = min(dx, dy)); so y is an orthogonal map of x, padded or cut.
    const r = Math.min(dx, dy);
    const z = randomMatrix(300, r, dx * 31 + dy);
    const bx = topRows(randomOrthogonal(dx, 1), r), by = topRows(randomOrthogonal(dy, 2), r);
    const xs = matmul(z, bx), ys = matmul(z, by);
    const irp = new InverseRelativeProjection({ omega: 4, delta: 0.1, seed: 2 }).fit(topRows(xs, 200), topRows(ys, 200));
    const out = irp.transform(bottomRows(xs, 100));
    expect(out.shape).toEqual([100, dy]);
    expect(meanCenteredCosine(out, bottomRows(ys, 100), irp.targetStats.mean, irp.targetStats.mean)).toBeGreaterThan(0.999);
  });

  it("collapsed map equals the literal per-subspace average of eq. 5 to 1e-9", () => {
    const ax = correlatedPoints(80, 20, 8, 11), ay = correlatedPoints(80, 14, 8, 11);
    const x = correlatedPoints(40, 20, 8, 12);
    for (const [omega, delta, prune] of [[1, 0, "target"], [8, 0.3, "target"], [16, 0.7, "source"], [5, 0.95, "target"]] as const) {
      const irp = new InverseRelativeProjection({ omega, delta, seed: 4, prune }).fit(ax, ay);
      expect(maxAbsDiff(irp.transform(x), irp.transformLiteral(x))).toBeLessThan(1e-9);
    }
  });

  it("draws for a large ω are a prefix-compatible superset: averaging the first ω equals fitting with ω", () => {
    const ax = correlatedPoints(70, 12, 6, 51), ay = correlatedPoints(70, 9, 6, 52);
    const all = fitSubspaceMaps(ax, ay, { omega: 16, delta: 0.5, seed: 3, prune: "target" });
    for (const omega of [1, 2, 5, 16]) {
      const irp = new InverseRelativeProjection({ omega, delta: 0.5, seed: 3 }).fit(ax, ay);
      expect(maxAbsDiff(averageMaps(all, omega), irp.map)).toBeLessThan(1e-12);
      expect(meanOverDraws(all.draws, omega, (d) => d.anchorsKept)).toBeCloseTo(irp.diagnostics.meanAnchorsKept, 12);
    }
  });

  it("decoding through the relative space equals anchor completion for every prefix ω (Σ_s S_X,sᵀ·D_s collapses)", () => {
    const ax = correlatedPoints(90, 18, 7, 61), ay = correlatedPoints(90, 13, 7, 62);
    const x = correlatedPoints(25, 18, 7, 63);
    for (const prune of ["target", "source"] as const) {
      const fitted = fitSubspaceMaps(ax, ay, { omega: 12, delta: 0.4, seed: 5, prune });
      const xUnit = centerAndNormalize(x, fitted.source.mean, "x");
      const prefixes = translatePrefixes(xUnit, fitted.unitX, fitted.draws, [12, 1, 3], fitted.target);
      expect(prefixes.map((p) => p.omega)).toEqual([1, 3, 12]);
      for (const { omega, translated } of prefixes) {
        const collapsed = applyIrpMap(x, fitted.source, fitted.target, averageMaps(fitted, omega));
        expect(maxAbsDiff(translated, collapsed)).toBeLessThan(1e-10);
      }
    }
    const two = fitSubspaceMaps(ax, ay, { omega: 2, delta: 0.4, seed: 5, prune: "target" });
    expect(() => translatePrefixes(centerAndNormalize(x, two.source.mean, "x"), two.unitX, two.draws, [3], two.target)).toThrow(/omegas/);
  });

  it("a subspace's decoder is pinv(S_Yᵀ) in either form, and with target pruning it does not depend on the source", () => {
    const ay = correlatedPoints(70, 16, 6, 71);
    const fromA = fitSubspaceMaps(correlatedPoints(70, 9, 6, 72), ay, { omega: 6, delta: 0.3, seed: 2, prune: "target" });
    const fromB = fitSubspaceMaps(correlatedPoints(70, 21, 6, 73), ay, { omega: 6, delta: 0.3, seed: 2, prune: "target" });
    const shared = drawSubspaceDecoders(fromA.unitY, absoluteCosineGram(fromA.unitY), { omega: 6, delta: 0.3, seed: 2 });
    const rowForm = drawSubspaceDecoders(fromA.unitY, absoluteCosineGram(fromA.unitY), { omega: 6, delta: 0.3, seed: 2, form: "transpose-of-pinv" });
    for (let i = 0; i < 6; i++) {
      expect(Array.from(fromB.draws[i].indices)).toEqual(Array.from(fromA.draws[i].indices));
      expect(maxAbsDiff(fromB.draws[i].decoder, fromA.draws[i].decoder)).toBe(0);
      expect(maxAbsDiff(shared[i].decoder, fromA.draws[i].decoder)).toBe(0);
      // Moore–Penrose: D = pinv(S_Yᵀ) satisfies S_Yᵀ·D·S_Yᵀ = S_Yᵀ, and pinv(S_Y)ᵀ is the same matrix.
      const syT = transpose(selectRows(fromA.unitY, shared[i].indices));
      expect(maxAbsDiff(matmul(matmul(syT, shared[i].decoder), syT), syT)).toBeLessThan(1e-10);
      expect(maxAbsDiff(rowForm[i].decoder, shared[i].decoder) / frobeniusNorm(shared[i].decoder)).toBeLessThan(1e-12);
      expect(rowForm[i].diagnostics.anchorsKept).toBe(shared[i].diagnostics.anchorsKept);
    }
    // Identical draws share one object (their decoder is computed once).
    const loose = drawSubspaceDecoders(fromA.unitY, absoluteCosineGram(fromA.unitY), { omega: 4, delta: 0, seed: 2 });
    expect(new Set(loose).size).toBe(1);
  });

  it("pruned subspaces far from square are decoded through their Gram matrix: pinv(S_Yᵀ) to 1e-10, one bit pattern for both forms; unpruned ones keep the SVD's bits", () => {
    const ay = correlatedPoints(160, 96, 40, 81, 0.3);
    const fitted = fitSubspaceMaps(correlatedPoints(160, 64, 40, 82, 0.3), ay, { omega: 8, delta: 0.5, seed: 4, prune: "target" });
    const rowForm = drawSubspaceDecoders(fitted.unitY, absoluteCosineGram(fitted.unitY), { omega: 8, delta: 0.5, seed: 4, form: "transpose-of-pinv" });
    let gramPath = 0;
    for (let i = 0; i < 8; i++) {
      const sy = selectRows(fitted.unitY, fitted.draws[i].indices);
      const svdPinv = pinvWithInfo(transpose(sy));
      const d = fitted.draws[i];
      if (pinvOfRowsByGram(sy)) {
        gramPath++;
        expect(d.indices.length * 2).toBeLessThanOrEqual(96);
        expect(maxAbsDiff(d.decoder, svdPinv.pinv) / frobeniusNorm(svdPinv.pinv)).toBeLessThan(1e-10);
        expect(Math.abs(d.diagnostics.conditionNumber / svdPinv.condKept - 1)).toBeLessThan(1e-10);
        // The Gram read from all the anchors' (fit) or formed from S_Y (here): the same bits, either form.
        expect(maxAbsDiff(rowForm[i].decoder, d.decoder)).toBe(0);
      } else {
        expect(maxAbsDiff(d.decoder, svdPinv.pinv)).toBe(0);
      }
    }
    expect(gramPath).toBeGreaterThan(0);
    // δ = 0 keeps all 160 anchors (≥ d_y/2): the SVD, bit for bit as before, in either form.
    const loose = fitSubspaceMaps(correlatedPoints(160, 64, 40, 82, 0.3), ay, { omega: 2, delta: 0, seed: 4, prune: "target" });
    expect(maxAbsDiff(loose.draws[0].decoder, pinvWithInfo(transpose(loose.unitY)).pinv)).toBe(0);
  });

  it("reports anchors kept and condition numbers per subspace, and their means", () => {
    const a = correlatedPoints(100, 16, 5, 21);
    const irp = new InverseRelativeProjection({ omega: 6, delta: 0.5, seed: 0 }).fit(a, a);
    const d = irp.diagnostics;
    expect(d.subspaces.reduce((s, x) => s + x.multiplicity, 0)).toBe(6);
    const mean = d.subspaces.reduce((s, x) => s + x.anchorsKept * x.multiplicity, 0) / 6;
    expect(d.meanAnchorsKept).toBeCloseTo(mean, 12);
    expect(d.meanAnchorsKept).toBeLessThan(100);
    for (const s of d.subspaces) expect(s.conditionNumber).toBeGreaterThanOrEqual(1);
    const loose = new InverseRelativeProjection({ omega: 6, delta: 0, seed: 0 }).fit(a, a).diagnostics;
    expect(loose.distinctSubspaces).toBe(1);
    expect(loose.meanAnchorsKept).toBe(100);
    expect(loose.meanConditionNumber).toBeGreaterThan(d.meanConditionNumber);
  });

  it("is deterministic in its seed and invariant to rotating and rescaling the source space", () => {
    const ax = correlatedPoints(60, 10, 6, 31), ay = correlatedPoints(60, 12, 6, 31);
    const x = correlatedPoints(20, 10, 6, 32);
    const a = new InverseRelativeProjection({ omega: 8, delta: 0.4, seed: 9 }).fit(ax, ay).transform(x);
    const b = new InverseRelativeProjection({ omega: 8, delta: 0.4, seed: 9 }).fit(ax, ay).transform(x);
    expect(maxAbsDiff(a, b)).toBe(0);
    const q = randomOrthogonal(10, 33);
    const rot = (m: Matrix) => { const r = matmul(m, q); r.data.forEach((v, i) => (r.data[i] = 3.5 * v)); return r; };
    const c = new InverseRelativeProjection({ omega: 8, delta: 0.4, seed: 9, prune: "target" }).fit(rot(ax), ay).transform(rot(x));
    expect(maxAbsDiff(a, c)).toBeLessThan(1e-9);
  });
});

describe("relative projection", () => {
  it("is invariant to rotation, reflection, isotropic rescaling and (centred) translation", () => {
    const a = randomMatrix(15, 8, 41), x = randomMatrix(10, 8, 42);
    const q = randomOrthogonal(8, 43);
    const t = (m: Matrix) => { const r = matmul(m, q); r.data.forEach((v, i) => (r.data[i] = 0.2 * v + (i % 8) - 3)); return r; };
    expect(maxAbsDiff(relativeProjection(x, a), relativeProjection(t(x), t(a)))).toBeLessThan(1e-12);
    const rel = relativeProjection(x, a, { center: false });
    rel.data.forEach((v) => expect(Math.abs(v)).toBeLessThanOrEqual(1 + 1e-12));
  });
});

describe("denormalize (step 4)", () => {
  it("gives each row the target mean norm, adds the mean, sends a zero row to the centre; with `finite`, an overflow names its entry", () => {
    const stats = { mean: new Float64Array([1, -2]), meanNorm: 10 };
    const y = denormalize(Matrix.from([[3, 4], [0, 0], [1e-20, 0]]), stats, 1e-12, { name: "x", what: "the translation of x" });
    expect(Array.from(y.data)).toEqual([7, 6, 1, -2, 1, -2]);
    const huge = { mean: new Float64Array([1.7e308, 0]), meanNorm: 1e308 };
    expect(() => denormalize(Matrix.from([[0, 1], [1, 0]]), huge, 0, { name: "x", what: "the translation of x" }))
      .toThrow(/x: the translation of x overflows float64.*row 1, column 0/);
    expect(denormalize(Matrix.from([[1, 0]]), huge).data[0]).toBe(Infinity); // unchecked without `finite`
  });
});

function expectArg(fn: () => unknown, type: new (...a: never[]) => Error, argument: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    expect((e as { argument: string }).argument).toBe(argument);
    return;
  }
  throw new Error("expected an error");
}

describe("relative projection at the ends of the float64 range (issue 13, found by test/fuzz/translate.test.ts)", () => {
  it("fuzz #8: a subnormal row ([5e-324, 5e-324], whose norm has lost its digits) and a row near 1.8e308 give cosines in [−1, 1] (they gave 1.414)", () => {
    const anchors = Matrix.from([[-1, -1], [0, 1], [-1, 1], [1, -1]]);
    const x = Matrix.from([[5e-324, 5e-324], [1.7e308, 1.7e308], [1e307, -1.7e308]]);
    const r = relativeProjection(x, anchors, { center: false });
    for (const v of r.data) expect(Math.abs(v)).toBeLessThanOrEqual(1 + 1e-15);
    expect(r.get(0, 0)).toBeCloseTo(-1, 15);
    expect(r.get(1, 3)).toBeCloseTo(0, 15);
    const s = 1 / Math.sqrt(2);
    const ref = relativeProjection([[s, s]], anchors, { center: false });
    for (let j = 0; j < 4; j++) expect(r.get(0, j)).toBeCloseTo(ref.get(0, j), 15);
  });
});

describe("IRP: bad input gets a typed error naming the argument", () => {
  const ax = randomMatrix(20, 5, 1), ay = randomMatrix(20, 6, 2);

  it("transform: a non-finite entry is named wherever it is — checked in the normalising pass, still before a zero row", () => {
    const fitted = new InverseRelativeProjection({ delta: 0 }).fit(ax, ay);
    for (const [row, value] of [[0, NaN], [5, Infinity], [19, -Infinity]] as const) {
      const x = randomMatrix(20, 5, 9);
      x.set(row, 2, value);
      expect(() => fitted.transform(x)).toThrow(new RegExp(`x: expected finite numbers, found ${value} at row ${row}, column 2`));
    }
    // Row 0 is the anchor mean (no direction), row 7 NaN: the NaN is reported, as by a check up front.
    const x = randomMatrix(20, 5, 9);
    x.data.set(fitted.sourceStats.mean, 0);
    x.set(7, 1, NaN);
    expect(() => fitted.transform(x)).toThrow(/x: expected finite numbers, found NaN at row 7, column 1/);
    x.set(7, 1, 0.5);
    expect(() => fitted.transform(x)).toThrow(ZeroNormError);
  });

  it("NaN / Infinity", () => {
    const bad = ax.clone();
    bad.data[7] = NaN;
    expectArg(() => new InverseRelativeProjection().fit(bad, ay), NonFiniteError, "anchorsX");
    const inf = ay.clone();
    inf.data[3] = Infinity;
    expectArg(() => new InverseRelativeProjection().fit(ax, inf), NonFiniteError, "anchorsY");
    const fitted = new InverseRelativeProjection({ delta: 0 }).fit(ax, ay);
    expectArg(() => fitted.transform([[1, 2, NaN, 4, 5]]), NonFiniteError, "x");
  });

  it("zero-norm rows after centring", () => {
    // An anchor at the anchor mean: row 0 set to the mean of the other rows is also the mean of all.
    const dup = ax.clone();
    const others = Array.from({ length: 5 }, (_, j) => { let s = 0; for (let i = 1; i < 20; i++) s += ax.get(i, j); return s / 19; });
    others.forEach((v, j) => dup.set(0, j, v));
    expectArg(() => new InverseRelativeProjection().fit(dup, ay), ZeroNormError, "anchorsX");
    const fitted = new InverseRelativeProjection({ delta: 0 }).fit(ax, ay);
    expectArg(() => fitted.transform([Array.from(fitted.sourceStats.mean)]), ZeroNormError, "x");
  });

  it("anchor counts that differ, too few anchors, shape mismatch", () => {
    expectArg(() => new InverseRelativeProjection().fit(ax, randomMatrix(19, 6, 3)), ShapeMismatchError, "anchorsY");
    expectArg(() => new InverseRelativeProjection().fit(randomMatrix(1, 5, 1), randomMatrix(1, 6, 1)), TooFewAnchorsError, "anchorsX");
    const fitted = new InverseRelativeProjection({ delta: 0 }).fit(ax, ay);
    expectArg(() => fitted.transform(randomMatrix(3, 6, 4)), ShapeMismatchError, "x");
    expectArg(() => new InverseRelativeProjection().fit([[1, 2], [3]], [[1], [2]]), ShapeMismatchError, "anchorsX");
  });

  it("δ outside [0,1), ω < 1, non-integer seed, bad prune, transform before fit", () => {
    for (const delta of [-0.01, 1, 2, NaN, Infinity]) expectArg(() => new InverseRelativeProjection({ delta }), InvalidParameterError, "delta");
    for (const omega of [0, -1, 1.5, NaN]) expectArg(() => new InverseRelativeProjection({ omega }), InvalidParameterError, "omega");
    expectArg(() => new InverseRelativeProjection({ seed: 0.5 }), InvalidParameterError, "seed");
    expectArg(() => new InverseRelativeProjection({ prune: "both" as never }), InvalidParameterError, "prune");
    expectArg(() => new InverseRelativeProjection().transform(ax), NotFittedError, "transform");
  });
});

describe("IRP on degenerate and extreme input (issue 13)", () => {
  const scaled = (m: Matrix, s: number) => new Matrix(m.rows, m.cols, m.data.map((v) => v * s));

  it("item 4: a zero input row with mean-centred anchors is a ZeroNormError, not a direction of rounding noise", () => {
    const raw = correlatedPoints(60, 8, 5, 71);
    const mean = new Float64Array(8);
    for (let i = 0; i < 60; i++) for (let j = 0; j < 8; j++) mean[j] += raw.get(i, j) / 60;
    const anchors = new Matrix(60, 8, raw.data.map((v, i) => v - mean[i % 8])); // mean ≈ 1e-17, not 0
    const irp = new InverseRelativeProjection({ omega: 2, delta: 0 }).fit(anchors, anchors);
    expectArg(() => irp.transform([new Array(8).fill(0)]), ZeroNormError, "x");
    // Before the fix the output depended on the rounding of the mean: moving the anchors by 4e-16
    // changed it completely. Now both fits refuse the row.
    const moved = new Matrix(60, 8, anchors.data.map((v, i) => (i === 0 ? v + 4e-16 : v)));
    expectArg(() => new InverseRelativeProjection({ omega: 2, delta: 0 }).fit(moved, moved).transform([new Array(8).fill(0)]), ZeroNormError, "x");
    // A row a real distance from the mean is translated as before.
    expect(irp.transform([[1e-6, 0, 0, 0, 0, 0, 0, 0]]).rows).toBe(1);
  });

  it("item 8: anchors ×1e200 and ×1e-170 translate like unscaled ones (norms no longer overflow or underflow into 'zero norm')", () => {
    const ax = correlatedPoints(50, 10, 6, 81), ay = correlatedPoints(50, 12, 6, 82), x = correlatedPoints(8, 10, 6, 83);
    const ref = new InverseRelativeProjection({ omega: 4, delta: 0.3 }).fit(ax, ay).transform(x);
    for (const s of [1e200, 1e-170]) {
      const out = new InverseRelativeProjection({ omega: 4, delta: 0.3 }).fit(scaled(ax, s), ay).transform(scaled(x, s));
      expect(maxAbsDiff(out, ref), String(s)).toBeLessThan(1e-9);
      const big = new InverseRelativeProjection({ omega: 4, delta: 0.3 }).fit(ax, scaled(ay, s)).transform(x);
      expect(maxAbsDiff(scaled(big, 1 / s), ref), `target ×${s}`).toBeLessThan(1e-9 * Math.max(1, maxAbsDiff(ref, new Matrix(8, 12))));
    }
  });

  it("items 1 and 4: all-identical or all-zero anchors are a DegenerateAnchorsError naming the argument", () => {
    const ay = randomMatrix(20, 6, 2);
    for (const flat of [new Matrix(20, 5), Matrix.from(Array.from({ length: 20 }, () => [3, 1, 4, 1, 5]))]) {
      expectArg(() => new InverseRelativeProjection().fit(flat, ay), DegenerateAnchorsError, "anchorsX");
      expectArg(() => new InverseRelativeProjection().fit(ay, new Matrix(20, 6)), DegenerateAnchorsError, "anchorsY");
    }
  });

  it("item 2: ω beyond MAX_OMEGA is an InvalidParameterError (it was an out-of-memory crash); MAX_OMEGA itself works", () => {
    expectArg(() => new InverseRelativeProjection({ omega: 1e9 }), InvalidParameterError, "omega");
    expect(() => new InverseRelativeProjection({ omega: 1e9 })).toThrow(/expected an integer in \[1, 1000000\], got 1000000000/);
    const a = randomMatrix(30, 4, 3);
    const t0 = performance.now();
    const irp = new InverseRelativeProjection({ omega: MAX_OMEGA, delta: 0.5 }).fit(a, a);
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(irp.diagnostics.omega).toBe(MAX_OMEGA);
  });

  it("item 9: seeds outside [0, 2^32 − 1] are refused instead of wrapping (2^32 gave seed 0's output)", () => {
    for (const seed of [2 ** 32, -1, 2 ** 53, 0.5]) expectArg(() => new InverseRelativeProjection({ seed }), InvalidParameterError, "seed");
    const a = correlatedPoints(40, 6, 4, 91);
    const top = new InverseRelativeProjection({ omega: 4, delta: 0.5, seed: 2 ** 32 - 1 }).fit(a, a);
    const zero = new InverseRelativeProjection({ omega: 4, delta: 0.5, seed: 0 }).fit(a, a);
    expect(top.subspaces.map((s) => s.indices.join()).join(";")).not.toBe(zero.subspaces.map((s) => s.indices.join()).join(";"));
  });

  it("item 10: flat arrays, null/boolean/string entries, null options and unknown option keys are typed errors naming the argument", () => {
    expectArg(() => new InverseRelativeProjection().fit([1, 2, 3] as never, [[1], [2], [3]]), InvalidParameterError, "anchorsX");
    expect(() => new InverseRelativeProjection().fit([1, 2, 3] as never, [[1], [2], [3]])).toThrow(/anchorsX: expected an array of rows .* row 0 is a number \(1\)/);
    const rows = (v: unknown) => [[1, 2], [3, v], [5, 7]] as never;
    for (const bad of [null, true, "4", 4n, undefined]) {
      expectArg(() => new InverseRelativeProjection({ delta: 0 }).fit(rows(bad), [[1], [2], [4]]), InvalidParameterError, "anchorsX");
    }
    expect(() => new InverseRelativeProjection({ delta: 0 }).fit(rows(null), [[1], [2], [4]])).toThrow(/found null at row 1, column 1/);
    expect(() => new InverseRelativeProjection({ delta: 0 }).fit(rows("4"), [[1], [2], [4]])).toThrow(/found a string \("4"\) at row 1, column 1/);
    expectArg(() => new InverseRelativeProjection(null as never), InvalidParameterError, "options");
    expectArg(() => new InverseRelativeProjection({ omgea: 3 } as never), InvalidParameterError, "omgea");
    expect(() => new InverseRelativeProjection({ omgea: 3 } as never)).toThrow(/omgea: unknown option \(did you mean omega\?\); the options are omega, delta, seed, prune, rcond/);
  });

  it("an input orthogonal to every source anchor (its relative representation is rounding noise) goes to the target centre", () => {
    // Source anchors span the first 3 of 5 coordinates (after centring); x lies along the 5th.
    const ax = new Matrix(12, 5), ay = correlatedPoints(12, 4, 3, 95);
    const z = randomMatrix(12, 3, 96);
    for (let i = 0; i < 12; i++) for (let j = 0; j < 3; j++) ax.set(i, j, z.get(i, j));
    const irp = new InverseRelativeProjection({ omega: 1, delta: 0 }).fit(ax, ay);
    const mean = irp.sourceStats.mean;
    const x = Matrix.from([[mean[0], mean[1], mean[2], mean[3], mean[4] + 1]]);
    const y = irp.transform(x);
    expect(maxAbsDiff(y, Matrix.from([Array.from(irp.targetStats.mean)]))).toBe(0);
  });
});
