import { describe, expect, it } from "vitest";
import {
  InverseRelativeProjection, applyIrpMap, averageMaps, drawSubspaceDecoders, fitSubspaceMaps, meanOverDraws, translatePrefixes,
} from "../src/translate/irp";
import { absoluteCosineGram } from "../src/anchors/farthestPointSample";
import { centerAndNormalize } from "../src/relative/normalize";
import { Matrix, frobeniusNorm, maxAbsDiff, rowNorms, selectRows, transpose } from "../src/linalg/matrix";
import { matmul } from "../src/linalg/product";
import { relativeProjection } from "../src/relative/relativeProjection";
import {
  InvalidParameterError, NonFiniteError, NotFittedError, ShapeMismatchError, TooFewAnchorsError, ZeroNormError,
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

describe("IRP: bad input gets a typed error naming the argument", () => {
  const ax = randomMatrix(20, 5, 1), ay = randomMatrix(20, 6, 2);
  const expectArg = (fn: () => unknown, type: new (...a: never[]) => Error, argument: string) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(type);
      expect((e as { argument: string }).argument).toBe(argument);
      return;
    }
    throw new Error("expected an error");
  };

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
