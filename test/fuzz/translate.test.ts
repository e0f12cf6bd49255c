/**
 * Fuzz: every estimator (IRP with random ω, δ, seed, prune, rcond; Procrustes in each variant;
 * lstsq; affine; absolute), relative projection and farthest point sampling, on anchors and inputs
 * of every kind in arbitraries.ts, with random (valid and invalid) option objects. Each fit and
 * transform returns a finite matrix of the right shape or throws a typed error, within a time
 * bound, without modifying its inputs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createTranslator } from "../../src/translate/createTranslator";
import { ProcrustesTranslator } from "../../src/translate/procrustes";
import { InverseRelativeProjection } from "../../src/translate/irp";
import { LeastSquaresTranslator } from "../../src/translate/leastSquares";
import { relativeProjection } from "../../src/relative/relativeProjection";
import { farthestPointSample } from "../../src/anchors/farthestPointSample";
import { TRANSLATION_METHODS } from "../../src/translate/translator";
import { LatentBridgeError } from "../../src/errors";
import { FUZZ_RUNS, buildMatrix, expectFinite, expectUnchanged, matrixSpec, params, returnsOrThrowsTyped, snapshot, timeoutFor } from "./arbitraries";

/** Valid option values, with a few invalid ones mixed in. */
const irpOptions = fc.record({
  omega: fc.oneof(fc.integer({ min: 1, max: 24 }), fc.constantFrom(0, -1, 1.5, NaN, 1e9, 1_000_000)),
  delta: fc.oneof(fc.constantFrom(0, 0.1, 0.3, 0.5, 0.8, 0.95), fc.double({ min: -1, max: 2 })),
  seed: fc.oneof(fc.nat(), fc.constantFrom(2 ** 32 - 1, 2 ** 32, -1, 0.5)),
  prune: fc.constantFrom("source", "target", "both"),
  rcond: fc.constantFrom(undefined, 0, 1e-15, 1e-6, 0.1, -1, Infinity),
  variant: fc.constantFrom("auto", "full", "anchor-span", "thin"),
}, { requiredKeys: [] });

const shapes = { maxRows: 30, maxCols: 40 };

describe("fuzz: translators", () => {
  it("fit + transform: a finite n × d_target matrix, or a typed error; inputs untouched", () => {
    fc.assert(fc.property(
      fc.constantFrom(...TRANSLATION_METHODS), matrixSpec({ ...shapes, minRows: 1 }), matrixSpec(shapes), matrixSpec(shapes), irpOptions,
      fc.boolean(), fc.boolean(),
      (method, sx, sy, sq, options, sameRows, sameCols) => {
        const ax = buildMatrix(sx);
        const ay = buildMatrix(sy, { rows: sameRows ? sx.rows : sy.rows });
        const x = buildMatrix(sq, { cols: sameCols ? sx.cols : sq.cols });
        const before = snapshot(ax, ay, x);
        let translator: ReturnType<typeof createTranslator> | undefined;
        returnsOrThrowsTyped(() => createTranslator(method, options as never), (t) => (translator = t));
        if (translator) {
          const t = translator;
          let fitted = false;
          returnsOrThrowsTyped(() => t.fit(ax, ay), () => (fitted = true));
          if (fitted) {
            expect(t.diagnostics.anchors).toBe(ax.rows);
            returnsOrThrowsTyped(() => t.transform(x), (y) => {
              expect(y.shape).toEqual([x.rows, ay.cols]);
              expectFinite(y);
            });
          }
        }
        expectUnchanged([ax, ay, x], before);
      },
    ), params());
  }, timeoutFor(FUZZ_RUNS, 30));

  it("IRP's literal eq. 5 equals its collapsed map wherever both succeed (relative 1e-7)", () => {
    fc.assert(fc.property(matrixSpec({ maxRows: 24, maxCols: 16, specials: false }), matrixSpec({ maxRows: 24, maxCols: 16, specials: false }), fc.integer({ min: 1, max: 6 }), fc.constantFrom(0, 0.3, 0.7), (sx, sy, omega, delta) => {
      const ax = buildMatrix(sx), ay = buildMatrix(sy, { rows: sx.rows }), x = buildMatrix(sy, { rows: 5, cols: sx.cols });
      let irp: InverseRelativeProjection | undefined;
      returnsOrThrowsTyped(() => new InverseRelativeProjection({ omega, delta }).fit(ax, ay), (t) => (irp = t));
      if (!irp) return;
      let fast: ReturnType<InverseRelativeProjection["transform"]> | undefined;
      returnsOrThrowsTyped(() => irp!.transform(x), (y) => (fast = y));
      if (!fast) return;
      const literal = irp.transformLiteral(x);
      expectFinite(literal);
      let worst = 0, size = 0;
      for (let i = 0; i < fast.data.length; i++) {
        worst = Math.max(worst, Math.abs(fast.data[i] - literal.data[i]));
        size = Math.max(size, Math.abs(fast.data[i]));
      }
      // Rows decoded to (almost) zero go to the centre in one and may not quite in the other.
      if (worst > 1e-7 * Math.max(1, size)) {
        const { meanNorm } = irp.targetStats;
        expect(worst).toBeLessThanOrEqual(2 * meanNorm + 1e-7 * size);
      }
    }), params(Math.ceil(FUZZ_RUNS / 2)));
  }, timeoutFor(FUZZ_RUNS, 30));

  it("option objects: anything is accepted or refused with a typed error, never a TypeError", () => {
    fc.assert(fc.property(fc.oneof(fc.anything(), irpOptions, fc.dictionary(fc.string({ maxLength: 8 }), fc.anything(), { maxKeys: 3 })), (options) => {
      for (const make of [
        () => new InverseRelativeProjection(options as never),
        () => new ProcrustesTranslator(options as never),
        () => new LeastSquaresTranslator(options as never),
        () => createTranslator("irp", options as never),
      ]) {
        try {
          make();
        } catch (e) {
          if (!(e instanceof LatentBridgeError)) throw e;
        }
      }
    }), params());
  });

  it("relativeProjection and farthestPointSample: finite cosines in [−1, 1] / sorted distinct indices, or a typed error", () => {
    fc.assert(fc.property(matrixSpec(shapes), matrixSpec(shapes), fc.boolean(), fc.constantFrom(0, 0.2, 0.5, 0.9, 1, -0.1), fc.oneof(fc.nat(), fc.constant(-3)), (sa, sx, center, delta, seed) => {
      const a = buildMatrix(sa), x = buildMatrix(sx, { cols: sa.cols });
      const before = snapshot(a, x);
      returnsOrThrowsTyped(() => relativeProjection(x, a, { center }), (r) => {
        expect(r.shape).toEqual([x.rows, a.rows]);
        expectFinite(r);
        for (const v of r.data) expect(Math.abs(v)).toBeLessThanOrEqual(1 + 1e-12);
      });
      returnsOrThrowsTyped(() => farthestPointSample(a, { delta, seed }), (idx) => {
        expect(idx.length).toBeGreaterThan(0);
        for (let i = 1; i < idx.length; i++) expect(idx[i]).toBeGreaterThan(idx[i - 1]);
        expect(idx[idx.length - 1]).toBeLessThan(a.rows);
      });
      expectUnchanged([a, x], before);
    }), params());
  }, timeoutFor(FUZZ_RUNS, 20));
});
