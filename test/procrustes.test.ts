/**
 * ProcrustesTranslator's variants (src/translate/procrustes.ts): "full" (U·Vᵀ of the whole d_x×d_y
 * cross-covariance), "anchor-span" (the partial isometry through the anchors' span) and "auto"
 * (the default). Where the Procrustes solution is unique (cross-covariance of rank min(d_x, d_y))
 * all three must give the same map; where it is not, they must agree on the anchors' span, and
 * "auto"/"anchor-span" must drop what lies outside it. Plus the degenerate and extreme inputs of
 * issue 13.
 */
import { describe, expect, it } from "vitest";
import { ProcrustesTranslator } from "../src/translate/procrustes";
import { createTranslator } from "../src/translate/createTranslator";
import { DegenerateAnchorsError, InvalidParameterError, LatentBridgeError, TooFewAnchorsError } from "../src/errors";
import { Matrix, maxAbsDiff, transpose } from "../src/linalg/matrix";
import { matmul } from "../src/linalg/product";
import { pinv } from "../src/linalg/pinv";
import { Random } from "../src/linalg/random";
import { bottomRows, randomMatrix, randomOrthogonal, topRows } from "./helpers";

const normal = (r: number, c: number, seed: number) => {
  const rng = new Random(seed);
  const m = new Matrix(r, c);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.normal() + (i % c) * 0.01;
  return m;
};

const scaled = (m: Matrix, s: number) => new Matrix(m.rows, m.cols, m.data.map((v) => v * s));

/** x − mean projected orthogonally on the row space of `centred` (through its pseudo-inverse), plus the mean. */
function projectOnSpan(x: Matrix, centred: Matrix, mean: Float64Array): Matrix {
  const xc = x.clone();
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) xc.data[i * x.cols + j] -= mean[j];
  const out = matmul(matmul(xc, pinv(centred)), centred);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) out.data[i * x.cols + j] += mean[j];
  return out;
}

function meanAndCentred(a: Matrix): { mean: Float64Array; centred: Matrix } {
  const mean = new Float64Array(a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) mean[j] += a.get(i, j) / a.rows;
  const centred = new Matrix(a.rows, a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) centred.set(i, j, a.get(i, j) - mean[j]);
  return { mean, centred };
}

describe("Procrustes variants where the solution is unique (more anchors than dimensions)", () => {
  it("full, anchor-span and auto give the same map and translation (to 1e-9); auto is full bit for bit", () => {
    const ax = normal(80, 12, 1), ay = normal(80, 16, 2), x = normal(30, 12, 3);
    const full = new ProcrustesTranslator({ variant: "full" }).fit(ax, ay);
    const span = new ProcrustesTranslator({ variant: "anchor-span" }).fit(ax, ay);
    const auto = new ProcrustesTranslator().fit(ax, ay);
    expect(maxAbsDiff(span.rotation, full.rotation)).toBeLessThan(1e-9);
    expect(maxAbsDiff(span.transform(x), full.transform(x))).toBeLessThan(1e-9);
    expect(Array.from(auto.transform(x).data)).toEqual(Array.from(full.transform(x).data));
    expect(span.diagnostics).toMatchObject({ method: "procrustes", variant: "anchor-span", computedBy: "anchor-span", sourceDim: 12, targetDim: 16, anchors: 80, rank: 12, unique: true });
    expect(auto.diagnostics).toMatchObject({ variant: "auto", computedBy: "cross-covariance", rank: 12, unique: true });
    expect(full.diagnostics).toMatchObject({ variant: "full", computedBy: "cross-covariance", rank: 12, unique: true });
  });

  it.each([[10, 10], [8, 14], [14, 8]])("every variant recovers rotation + shift + scale exactly, %i-d → %i-d", (dx, dy) => {
    const r = Math.min(dx, dy);
    const z = randomMatrix(260, r, dx * 7 + dy);
    const x = matmul(z, topRows(randomOrthogonal(dx, dx), r)), y = matmul(z, topRows(randomOrthogonal(dy, dy + 50), r));
    for (let i = 0; i < y.data.length; i++) y.data[i] = 0.3 * y.data[i] + (i % dy) * 0.1;
    for (const variant of ["auto", "full", "anchor-span"] as const) {
      const t = new ProcrustesTranslator({ variant }).fit(topRows(x, 200), topRows(y, 200));
      expect(maxAbsDiff(t.transform(bottomRows(x, 60)), bottomRows(y, 60)), variant).toBeLessThan(1e-9);
    }
  });
});

describe("Procrustes variants with fewer anchors than dimensions (not unique)", () => {
  it("agree on the anchors' affine span; off it auto/anchor-span give the translation of the input's projection on the span", () => {
    const ax = normal(20, 40, 4), ay = normal(20, 50, 5);
    const full = new ProcrustesTranslator({ variant: "full" }).fit(ax, ay);
    const span = new ProcrustesTranslator({ variant: "anchor-span" }).fit(ax, ay);
    const auto = new ProcrustesTranslator().fit(ax, ay);
    expect(full.diagnostics).toMatchObject({ rank: 19, unique: false, computedBy: "cross-covariance" }); // centring removes one dimension
    expect(auto.diagnostics).toMatchObject({ rank: 19, unique: false, computedBy: "anchor-span" });
    // Anchors (and anything in their affine span) translate identically.
    expect(maxAbsDiff(span.transform(ax), full.transform(ax))).toBeLessThan(1e-9);
    const mix = new Matrix(1, 40);
    for (let j = 0; j < 40; j++) mix.data[j] = 0.3 * ax.get(2, j) + 0.7 * ax.get(9, j);
    expect(maxAbsDiff(span.transform(mix), full.transform(mix))).toBeLessThan(1e-9);
    // A direction outside the span moves the full variant's output but not the others'.
    const x = normal(1, 40, 6);
    expect(maxAbsDiff(span.transform(x), full.transform(x))).toBeGreaterThan(1e-3);
    const { mean, centred } = meanAndCentred(ax);
    const proj = projectOnSpan(x, centred, mean);
    expect(maxAbsDiff(span.transform(proj), span.transform(x))).toBeLessThan(1e-9);
    expect(Array.from(auto.transform(x).data)).toEqual(Array.from(span.transform(x).data));
    // The partial isometry: R·Rᵀ is the orthogonal projector on the source anchors' span (rank 19).
    const r = span.rotation;
    const p = matmul(r, transpose(r));
    expect(maxAbsDiff(matmul(p, p), p)).toBeLessThan(1e-10);
    let trace = 0;
    for (let i = 0; i < 40; i++) trace += p.get(i, i);
    expect(trace).toBeCloseTo(19, 9);
  });

  it("issue 13 item 7: 5 anchors of dimension 4,000 fit in well under a second (the full variant needs a 4,000×4,000 SVD)", () => {
    const ax = normal(5, 4000, 7), ay = normal(5, 4000, 8);
    const t0 = performance.now();
    const t = new ProcrustesTranslator().fit(ax, ay);
    const seconds = (performance.now() - t0) / 1000;
    expect(seconds).toBeLessThan(2);
    expect(t.diagnostics).toMatchObject({ computedBy: "anchor-span", rank: 4, unique: false });
    // …and still maps the anchors onto the target anchors' (best rotated) positions exactly where
    // that is possible: two spaces related by an orthogonal map.
    const q = randomOrthogonal(60, 9);
    const bx = normal(5, 60, 10), by = matmul(bx, q);
    const u = new ProcrustesTranslator().fit(bx, by);
    expect(maxAbsDiff(u.transform(bx), by)).toBeLessThan(1e-10);
  });

  it("fits 64 anchors of 2,048 and 1,792 dimensions in seconds (what Table 2 needs)", () => {
    const t0 = performance.now();
    new ProcrustesTranslator({ variant: "anchor-span" }).fit(normal(64, 2048, 7), normal(64, 1792, 8));
    expect((performance.now() - t0) / 1000).toBeLessThan(15);
  });
});

describe("Procrustes on degenerate and extreme anchors (issue 13 items 1, 3, 4, 8)", () => {
  const ax = normal(40, 6, 11);
  const q = randomOrthogonal(6, 12);
  const ay = matmul(ax, q);
  for (let i = 0; i < ay.data.length; i++) ay.data[i] = 2 * ay.data[i] + 1;
  const x = normal(10, 6, 13);
  const truth = matmul(x, q);
  for (let i = 0; i < truth.data.length; i++) truth.data[i] = 2 * truth.data[i] + 1;

  it.each([
    ["all-zero", () => new Matrix(40, 6)],
    ["all-identical", () => Matrix.from(Array.from({ length: 40 }, () => [0.1, 0.2, 0.3, -1, 5, 7]))],
    ["identical up to 1 ulp", () => Matrix.from(Array.from({ length: 40 }, (_, i) => [0.1 + (i % 2) * 2 ** -56, 0.2, 0.3, -1, 5, 7]))],
  ])("%s source anchors: a DegenerateAnchorsError naming anchorsX, for every variant and method (no hang, no rotation of noise)", (_, make) => {
    const flat = make();
    for (const variant of ["auto", "full", "anchor-span"] as const) {
      const t0 = performance.now();
      let caught: unknown;
      try {
        new ProcrustesTranslator({ variant }).fit(flat, ay);
      } catch (e) {
        caught = e;
      }
      expect(caught, variant).toBeInstanceOf(DegenerateAnchorsError);
      expect(caught).toBeInstanceOf(TooFewAnchorsError);
      expect((caught as LatentBridgeError).argument).toBe("anchorsX");
      expect((caught as Error).message).toMatch(/all 40 anchors are equal up to rounding/);
      expect(performance.now() - t0).toBeLessThan(1000);
    }
    for (const method of ["irp", "lstsq", "affine", "absolute"]) {
      expect(() => createTranslator(method).fit(flat, ay), method).toThrow(DegenerateAnchorsError);
      expect(() => createTranslator(method).fit(ay, flat), method).toThrow(/anchorsY: all 40 anchors/);
    }
  });

  it("anchors ~1e-160 (their squares underflow) spread, and translate like unscaled ones", () => {
    const tiny = new ProcrustesTranslator().fit(scaled(ax, 1e-160), ay);
    expect(maxAbsDiff(tiny.transform(scaled(x, 1e-160)), truth)).toBeLessThan(1e-9);
  });

  it("source anchors ×1e160 no longer map every row to the target mean (their norms overflowed)", () => {
    const big = new ProcrustesTranslator().fit(scaled(ax, 1e160), ay);
    expect(maxAbsDiff(big.transform(scaled(x, 1e160)), truth)).toBeLessThan(1e-9);
  });

  it("issue 13 item 3: target anchors ×1e200 give the ×1e200 translation, finite, instead of ±Infinity", () => {
    const t = new ProcrustesTranslator().fit(ax, scaled(ay, 1e200));
    const y = t.transform(x);
    for (const v of y.data) expect(Number.isFinite(v)).toBe(true);
    expect(maxAbsDiff(scaled(y, 1e-200), truth)).toBeLessThan(1e-9);
  });

  it("anchors ×1e307 still translate; entries whose norms exceed float64 are a typed error naming the anchors, not NaN", () => {
    const big = new ProcrustesTranslator().fit(scaled(ax, 1e307), ay);
    expect(maxAbsDiff(big.transform(scaled(x, 1e307)), truth)).toBeLessThan(1e-9);
    const huge = ax.clone();
    huge.set(3, 0, 1.5e308);
    huge.set(3, 1, 1.5e308);
    expect(() => new ProcrustesTranslator().fit(huge, ay)).toThrow(/anchorsX: the centred L2 norm of row 3 overflows float64/);
    expect(() => new ProcrustesTranslator().fit(ax, huge)).toThrow(/anchorsY: .*overflows float64/);
  });

  it("uncorrelated anchor sets (zero cross-covariance): a DegenerateAnchorsError, not an arbitrary rotation", () => {
    // Source anchors vary along the item pattern (1, −1, 0, 0), target anchors along (1, 1, −1, −1): orthogonal.
    const sx = Matrix.from([[1, 0], [-1, 0], [0, 0], [0, 0]]);
    const sy = Matrix.from([[0, 1], [0, 1], [0, -1], [0, -1]]);
    for (const variant of ["auto", "full", "anchor-span"] as const) {
      expect(() => new ProcrustesTranslator({ variant }).fit(sx, sy), variant).toThrow(/anchorsY: the cross-covariance of the two anchor sets is zero/);
    }
  });

  it("an output that overflows float64 is a NonFiniteError naming x, never returned", () => {
    const t = new ProcrustesTranslator().fit(ax, scaled(ay, 1e300));
    expect(() => t.transform(scaled(x, 1e10))).toThrow(/x: the translation of x overflows float64/);
  });
});

describe("ProcrustesTranslator options", () => {
  it("refuses an unknown variant, an unknown option key and null options with a typed error", () => {
    expect(() => new ProcrustesTranslator({ variant: "thin" as never })).toThrow(InvalidParameterError);
    expect(() => new ProcrustesTranslator({ variant: "thin" as never })).toThrow(/variant: expected one of auto, full, anchor-span/);
    expect(() => new ProcrustesTranslator({ varaint: "full" } as never)).toThrow(/varaint: unknown option \(did you mean variant\?\)/);
    expect(() => new ProcrustesTranslator(null as never)).toThrow(/options: expected an object of options \(or nothing\), got null/);
  });

  it("createTranslator passes the variant and ignores the IRP options of a shared option set", () => {
    const ax = normal(30, 50, 1), ay = normal(30, 70, 2), x = normal(5, 50, 3);
    const t = createTranslator("procrustes", { variant: "full", omega: 4, delta: 0.5 }).fit(ax, ay);
    expect(t.diagnostics.variant).toBe("full");
    expect(Array.from(t.transform(x).data)).toEqual(Array.from(new ProcrustesTranslator({ variant: "full" }).fit(ax, ay).transform(x).data));
    expect(() => createTranslator("procrustes", { omgea: 3 } as never)).toThrow(/omgea: unknown option \(did you mean omega\?\)/);
  });
});
