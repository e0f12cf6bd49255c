/**
 * IRP's reverse-regression identity and its variants (options of InverseRelativeProjection).
 *
 * For one subspace the collapsed map is S_Xᵀ·pinv(S_Yᵀ) = (pinv(S_Y)·S_X)ᵀ: the transpose of the
 * least-squares map from the target anchors to the source anchors. So when S_Y = S_X·W the map is W⁻ᵀ:
 * W itself for an orthogonal W, the inverse scaling for an anisotropic one. The variants filter the
 * singular values of S_Y = U·Σ·Vᵀ (ridge: σ/(σ² + λ); whitened: 1, on both sides) or take the polar
 * factor of the collapsed map.
 */
import { describe, expect, it } from "vitest";
import {
  InverseRelativeProjection, averageMaps, drawSubspaceDecoders, drawSubspaceEncoders, fitSubspaceMaps, mapFactors,
} from "../src/translate/irp";
import { filteredSpectrum, polarOfProduct } from "../src/translate/irpVariants";
import { absoluteCosineGram } from "../src/anchors/farthestPointSample";
import { anchorStats, centerAndNormalize, normalizeRows } from "../src/relative/normalize";
import { Matrix, frobeniusNorm, maxAbsDiff, selectRows, transpose } from "../src/linalg/matrix";
import { matmul, matmulTransA } from "../src/linalg/product";
import { pinv } from "../src/linalg/pinv";
import { svd, singularValues } from "../src/linalg/svd";
import { InvalidParameterError } from "../src/errors";
import { meanCosineSimilarity } from "../src/metrics/metrics";
import { correlatedPoints, randomMatrix, randomOrthogonal } from "./helpers";

/** Unit rows of anchors centred on their mean: what IRP inverts. */
const unit = (a: Matrix) => centerAndNormalize(a, anchorStats(a).mean, "a");
const relDiff = (a: Matrix, b: Matrix) => maxAbsDiff(a, b) / Math.max(1e-300, Math.max(...Array.from(b.data, Math.abs)));
const diag = (v: number[]) => {
  const m = new Matrix(v.length, v.length);
  v.forEach((x, i) => m.set(i, i, x));
  return m;
};
const scaleTo = (m: Matrix) => {
  const f = 1 / frobeniusNorm(m);
  return new Matrix(m.rows, m.cols, m.data.map((v) => v * f));
};
/** Frobenius cosine ⟨A, B⟩ / (‖A‖·‖B‖). */
const frobeniusCosine = (a: Matrix, b: Matrix) => {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += a.data[i] * b.data[i];
  return s / (frobeniusNorm(a) * frobeniusNorm(b));
};

/**
 * Every sign pattern s ∈ {±1}^d times fixed magnitudes a: a symmetric set (mean 0) whose rows all have
 * the same norm, also after any diagonal scaling and rotation — so IRP's centring and per-row
 * normalisation only multiply S_Y = S_X·W by one constant, and the identity's prediction is exact.
 */
function signPatternAnchors(magnitudes: number[]): Matrix {
  const d = magnitudes.length, k = 2 ** d;
  const m = new Matrix(k, d);
  for (let r = 0; r < k; r++) for (let j = 0; j < d; j++) m.set(r, j, ((r >> j) & 1 ? -1 : 1) * magnitudes[j]);
  return m;
}

describe("the reverse-regression identity S_Xᵀ·pinv(S_Yᵀ) = (pinv(S_Y)·S_X)ᵀ", () => {
  it.each([
    ["k < d", 10, 20, 24],
    ["k = d", 15, 15, 15],
    ["k > d", 40, 12, 9],
  ])("holds to 1e-10 for %s (k = %i, d_x = %i, d_y = %i), for the matrices and for IRP's fitted map", (_label, k, dx, dy) => {
    const sx = unit(randomMatrix(k, dx, 7 + k)), sy = unit(randomMatrix(k, dy, 8 + k));
    const irpForm = matmul(transpose(sx), pinv(transpose(sy)));
    const reverseRegression = transpose(matmul(pinv(sy), sx)); // min-norm B with S_Y·B ≈ S_X, transposed
    expect(relDiff(irpForm, reverseRegression)).toBeLessThan(1e-10);
    // The estimator without pruning (one subspace of all anchors) collapses to exactly this map.
    const ax = randomMatrix(k, dx, 100 + k), ay = randomMatrix(k, dy, 200 + k);
    const irp = new InverseRelativeProjection({ omega: 1, delta: 0 }).fit(ax, ay);
    expect(relDiff(irp.map, transpose(matmul(pinv(unit(ay)), unit(ax))))).toBeLessThan(1e-10);
  });

  it("with orthonormal target anchor rows (S_Y·S_Yᵀ = I, what FPS approaches) the map is the cross-covariance S_Xᵀ·S_Y", () => {
    const sy = selectRows(randomOrthogonal(12, 3), [0, 2, 4, 6, 8]); // 5 orthonormal rows of R^12
    const sx = unit(randomMatrix(5, 9, 4));
    expect(relDiff(matmul(transpose(sx), pinv(transpose(sy))), matmulTransA(sx, sy))).toBeLessThan(1e-12);
  });
});

describe("IRP and its variants on an orthogonal map Y = X·Q", () => {
  const d = 10;
  const x = correlatedPoints(60, d, d, 5, 0.3), q = randomOrthogonal(d, 6);
  const y = matmul(x, q);
  const test = correlatedPoints(25, d, d, 9, 0.3);

  it.each([
    ["plain", {}],
    ["whitened", { whiten: true }],
    ["orthogonalised", { orthogonalize: true }],
    ["whitened + orthogonalised", { whiten: true, orthogonalize: true }],
  ])("%s recovers Q exactly (δ = 0, k > d)", (_label, variant) => {
    const irp = new InverseRelativeProjection({ omega: 1, delta: 0, ...variant }).fit(x, y);
    expect(maxAbsDiff(irp.map, q)).toBeLessThan(1e-10);
    const out = irp.transform(test), truth = matmul(test, q);
    const m = irp.targetStats.mean;
    const centred = (a: Matrix) => new Matrix(a.rows, a.cols, a.data.map((v, i) => v - m[i % a.cols]));
    expect(meanCosineSimilarity(centred(out), centred(truth))).toBeGreaterThan(1 - 1e-12);
  });

  it("ridge shrinks each anchor direction by σ²/(σ² + λ): map = V·diag(σ²/(σ² + λ))·Vᵀ·Q, so Q up to scale when the spectrum is flat", () => {
    const lambda = 0.7;
    const irp = new InverseRelativeProjection({ omega: 1, delta: 0, ridge: lambda }).fit(x, y);
    const { s, V } = svd(unit(x));
    const shrink = matmul(matmul(V!, diag(Array.from(s, (v) => (v * v) / (v * v + lambda)))), transpose(V!));
    expect(maxAbsDiff(irp.map, matmul(shrink, q))).toBeLessThan(1e-10);
    // A flat spectrum (sign-pattern anchors with equal magnitudes: S_Xᵀ·S_X ∝ I): exactly Q·σ²/(σ² + λ).
    const flat = signPatternAnchors([1, 1, 1, 1, 1]), q5 = randomOrthogonal(5, 2);
    const fitted = new InverseRelativeProjection({ omega: 1, delta: 0, ridge: lambda }).fit(flat, matmul(flat, q5));
    expect(maxAbsDiff(scaleTo(fitted.map), scaleTo(q5))).toBeLessThan(1e-12);
  });
});

describe("an anisotropic W = diag(w)·Q with condition number c", () => {
  const magnitudes = [1.3, 0.4, 0.9, 2.1, 0.7, 1.6];
  const anchors = signPatternAnchors(magnitudes); // 64 anchors in R^6
  const test = randomMatrix(40, 6, 31);

  it.each([1, 3, 10])("c = %i: plain IRP's map is W⁻ᵀ up to the normalisation; the orthogonalised map is polar(W) = Q", (c) => {
    const w = Array.from({ length: 6 }, (_, i) => c ** (i / 5)); // 1 … c, condition number c
    const q = randomOrthogonal(6, 40 + c);
    const W = matmul(diag(w), q);
    const y = matmul(anchors, W);
    const irp = new InverseRelativeProjection({ omega: 1, delta: 0 }).fit(anchors, y);
    const wInvT = transpose(pinv(W)); // diag(1/w)·Q
    expect(maxAbsDiff(scaleTo(irp.map), scaleTo(wInvT))).toBeLessThan(1e-12);
    // Its singular values are the inverted scales: the map has W's condition number, every scale inverted.
    const sv = singularValues(irp.map);
    expect(sv[0] / sv[5]).toBeCloseTo(c, 8);
    if (c > 1) expect(frobeniusCosine(irp.map, W)).toBeLessThan(frobeniusCosine(irp.map, wInvT) - 1e-3);
    // Orthogonalised: the distortion is gone, exactly Q.
    const polar = new InverseRelativeProjection({ omega: 1, delta: 0, orthogonalize: true }).fit(anchors, y);
    expect(maxAbsDiff(polar.map, q)).toBeLessThan(1e-10);
    // The held-out translations are the predicted ones: directions of x·W⁻ᵀ and x·Q, against the truth x·W.
    const truth = matmul(test, W);
    expect(meanCosineSimilarity(irp.transform(test), truth)).toBeCloseTo(meanCosineSimilarity(matmul(test, wInvT), truth), 10);
    expect(meanCosineSimilarity(polar.transform(test), truth)).toBeCloseTo(meanCosineSimilarity(matmul(test, q), truth), 10);
    if (c > 1) expect(meanCosineSimilarity(polar.transform(test), truth)).toBeGreaterThan(meanCosineSimilarity(irp.transform(test), truth));
  });

  it("whitened: when the unit target anchors are a linear image S_X·A of the source ones, polar(S_X)ᵀ·polar(S_Y) is orthogonal", () => {
    const sx = unit(randomMatrix(30, 7, 12));
    const a = matmul(diag([1, 2, 3, 5, 8, 13, 21]), randomOrthogonal(7, 13));
    const m = matmulTransA(filteredSpectrum(sx, { ridge: 0, whiten: true }).matrix, filteredSpectrum(matmul(sx, a), { ridge: 0, whiten: true }).matrix);
    expect(maxAbsDiff(matmulTransA(m, m), Matrix.identity(7))).toBeLessThan(1e-10);
    // Plain IRP's map on the same anchors is far from orthogonal (it is A⁻ᵀ on the span).
    const plain = matmul(transpose(sx), pinv(transpose(matmul(sx, a))));
    const ps = singularValues(plain);
    expect(ps[0] / ps[6]).toBeGreaterThan(5);
  });

  it("whitened IRP also maps by Q on these anchors (their Gram matrix is a scaled orthogonal design)", () => {
    const w = [1, 2, 3, 4, 5, 6];
    const q = randomOrthogonal(6, 77);
    const y = matmul(anchors, matmul(diag(w), q));
    const white = new InverseRelativeProjection({ omega: 1, delta: 0, whiten: true }).fit(anchors, y);
    expect(maxAbsDiff(white.map, q)).toBeLessThan(1e-10);
  });
});

describe("ridge λ → 0 is plain IRP, λ → ∞ the anchors' cross-covariance", () => {
  const ax = correlatedPoints(50, 14, 10, 61), ay = correlatedPoints(50, 11, 10, 62);

  it.each([[1, 0], [8, 0.3], [4, 0.7]])("ω = %i, δ = %f: λ = 1e-12 matches the pseudo-inverse", (omega, delta) => {
    const plain = new InverseRelativeProjection({ omega, delta, seed: 1 }).fit(ax, ay);
    const ridge = new InverseRelativeProjection({ omega, delta, seed: 1, ridge: 1e-12 }).fit(ax, ay);
    expect(relDiff(ridge.map, plain.map)).toBeLessThan(1e-8);
  });

  it("λ·map → S_Xᵀ·S_Y as λ grows (δ = 0)", () => {
    const lambda = 1e9;
    const ridge = new InverseRelativeProjection({ omega: 1, delta: 0, ridge: lambda }).fit(ax, ay);
    const scaled = new Matrix(ridge.map.rows, ridge.map.cols, ridge.map.data.map((v) => v * lambda));
    expect(relDiff(scaled, matmulTransA(unit(ax), unit(ay)))).toBeLessThan(1e-6);
  });

  it("λ = 0 (explicit) and the defaults give bit-identical maps, and diagnostics without a variant key", () => {
    const a = new InverseRelativeProjection({ omega: 6, delta: 0.4, seed: 2 }).fit(ax, ay);
    const b = new InverseRelativeProjection({ omega: 6, delta: 0.4, seed: 2, ridge: 0, whiten: false, orthogonalize: false }).fit(ax, ay);
    expect(Array.from(b.map.data)).toEqual(Array.from(a.map.data));
    expect("variant" in a.diagnostics).toBe(false);
    const r = new InverseRelativeProjection({ omega: 6, delta: 0.4, seed: 2, ridge: 0.1 }).fit(ax, ay);
    expect(r.diagnostics.variant).toEqual({ ridge: 0.1, whiten: false, orthogonalize: false });
  });
});

describe("IRP's defining property: each side reads only its own anchors", () => {
  const ay = correlatedPoints(60, 9, 7, 71);
  const ax1 = correlatedPoints(60, 13, 7, 72), ax2 = randomMatrix(60, 5, 73);

  it.each([
    ["plain", {}],
    ["ridge", { ridge: 0.2 }],
    ["whitened", { whiten: true }],
  ])("%s: with target pruning the decoders are bit-identical whatever the source anchors", (_label, variant) => {
    const f1 = fitSubspaceMaps(ax1, ay, { omega: 8, delta: 0.5, seed: 3, prune: "target", ...variant });
    const f2 = fitSubspaceMaps(ax2, ay, { omega: 8, delta: 0.5, seed: 3, prune: "target", ...variant });
    expect(f1.draws.length).toBe(8);
    f1.draws.forEach((d, i) => {
      expect(Array.from(f2.draws[i].indices)).toEqual(Array.from(d.indices));
      expect(Array.from(f2.draws[i].decoder.data)).toEqual(Array.from(d.decoder.data));
    });
    // The target side alone (no source anywhere) produces the same decoders.
    const alone = drawSubspaceDecoders(unit(ay), absoluteCosineGram(unit(ay)), { omega: 8, delta: 0.5, seed: 3, ...variant });
    alone.forEach((d, i) => expect(Array.from(d.decoder.data)).toEqual(Array.from(f1.draws[i].decoder.data)));
  });

  it("whitened: with source pruning the source encoders are bit-identical whatever the target anchors", () => {
    const ay2 = randomMatrix(60, 17, 74);
    const f1 = fitSubspaceMaps(ax1, ay, { omega: 8, delta: 0.5, seed: 3, prune: "source", whiten: true });
    const f2 = fitSubspaceMaps(ax1, ay2, { omega: 8, delta: 0.5, seed: 3, prune: "source", whiten: true });
    const e2 = [...f2.encoders!.values()];
    [...f1.encoders!.values()].forEach((e, i) => expect(Array.from(e2[i].data)).toEqual(Array.from(e.data)));
    // …and equal to polar(S_X) of the subspace, computed from the source anchors alone.
    const alone = drawSubspaceEncoders(unit(ax1), f1.draws);
    for (const [d, e] of f1.encoders!) expect(Array.from(alone.get(d)!.data)).toEqual(Array.from(e.data));
  });

  it("orthogonalised: gives the property up — its map is the polar factor of the joint product, a partial isometry", () => {
    const plain = fitSubspaceMaps(ax1, ay, { omega: 8, delta: 0.5, seed: 3, prune: "target" });
    const irp = new InverseRelativeProjection({ omega: 8, delta: 0.5, seed: 3, orthogonalize: true }).fit(ax1, ay);
    const { left, right } = mapFactors(plain, 8);
    expect(maxAbsDiff(irp.map, polarOfProduct(left, right))).toBe(0);
    const sv = singularValues(irp.map);
    const rank = Math.min(9, 13);
    for (let i = 0; i < rank; i++) expect(sv[i]).toBeCloseTo(1, 10);
    expect(maxAbsDiff(irp.map, averageMaps(plain, 8))).toBeGreaterThan(1e-3);
  });
});

describe("variants: literal eq. 5, spectra and bad input", () => {
  const ax = correlatedPoints(70, 12, 8, 81), ay = correlatedPoints(70, 10, 8, 82), x = correlatedPoints(30, 12, 8, 83);

  it.each([[{ ridge: 0.05 }], [{ whiten: true }]])("%o: the collapsed map equals the literal per-subspace average to 1e-9", (variant) => {
    for (const [omega, delta] of [[1, 0], [8, 0.5], [16, 0.8]]) {
      const irp = new InverseRelativeProjection({ omega, delta, seed: 5, ...variant }).fit(ax, ay);
      expect(maxAbsDiff(irp.transform(x), irp.transformLiteral(x))).toBeLessThan(1e-9);
    }
  });

  it("filteredSpectrum: 1/σ is pinv(Sᵀ), σ/(σ²+λ) is (S·Sᵀ + λI)⁻¹·S, 1 is the polar factor (orthonormal rows for k ≤ d)", () => {
    const s = normalizeRows(randomMatrix(7, 11, 90), "s"); // not centred: full row rank 7
    expect(relDiff(filteredSpectrum(s, { ridge: 0, whiten: false }).matrix, pinv(transpose(s)))).toBeLessThan(1e-10);
    const g = matmul(s, transpose(s));
    for (let i = 0; i < 7; i++) g.set(i, i, g.get(i, i) + 0.3);
    expect(relDiff(filteredSpectrum(s, { ridge: 0.3, whiten: false }).matrix, matmul(pinv(g), s))).toBeLessThan(1e-10);
    const p = filteredSpectrum(s, { ridge: 0, whiten: true }).matrix;
    expect(maxAbsDiff(matmul(p, transpose(p)), Matrix.identity(7))).toBeLessThan(1e-12);
  });

  it("polarOfProduct drops what lies outside the map's range instead of completing it (k < d)", () => {
    const l = randomMatrix(4, 9, 91), r = randomMatrix(4, 7, 92);
    const p = polarOfProduct(l, r);
    const sv = singularValues(p);
    expect(sv.slice(0, 4).every((v) => Math.abs(v - 1) < 1e-10)).toBe(true);
    expect(sv.slice(4).every((v) => v < 1e-10)).toBe(true);
    // The polar factor of M: M·Pᵀ is symmetric and ⟨P, M⟩ = Σσ(M), the largest over partial isometries.
    const m = matmulTransA(l, r);
    const mp = matmul(m, transpose(p));
    expect(maxAbsDiff(mp, transpose(mp))).toBeLessThan(1e-10);
    let inner = 0;
    for (let i = 0; i < m.data.length; i++) inner += m.data[i] * p.data[i];
    expect(inner).toBeCloseTo(singularValues(m).reduce((a, v) => a + v, 0), 10);
  });

  it("orthogonalize has no literal form; ridge, whiten and orthogonalize are validated", () => {
    const irp = new InverseRelativeProjection({ omega: 2, delta: 0.3, orthogonalize: true }).fit(ax, ay);
    expect(() => irp.transformLiteral(x)).toThrow(InvalidParameterError);
    const arg = (f: () => unknown, name: string) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidParameterError);
        expect((e as InvalidParameterError).argument).toBe(name);
        return;
      }
      throw new Error("expected a throw");
    };
    arg(() => new InverseRelativeProjection({ ridge: -1 }), "ridge");
    arg(() => new InverseRelativeProjection({ ridge: NaN }), "ridge");
    arg(() => new InverseRelativeProjection({ ridge: Infinity }), "ridge");
    arg(() => new InverseRelativeProjection({ whiten: "yes" as unknown as boolean }), "whiten");
    arg(() => new InverseRelativeProjection({ orthogonalize: 1 as unknown as boolean }), "orthogonalize");
    arg(() => new InverseRelativeProjection({ whiten: true, ridge: 0.1 }), "ridge");
  });
});
