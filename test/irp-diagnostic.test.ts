/**
 * The anchor-only diagnostic of IRP's gap to Procrustes (src/eval/irpDiagnostic.ts). On a rotation
 * both reconstruct the held-out anchors exactly (gap 0, map condition number 1); on an anisotropic
 * map IRP inverts the scaling (the reverse-regression identity), so it trails, and the predicted gap
 * has the sign and rough size of the gap measured on test items.
 */
import { describe, expect, it } from "vitest";
import { irpGapDiagnostic } from "../src/eval/irpDiagnostic";
import { chooseIrpParameters } from "../src/eval/irpChoice";
import { controlledPair } from "../src/data/controlledPair";
import { InverseRelativeProjection } from "../src/translate/irp";
import { ProcrustesTranslator } from "../src/translate/procrustes";
import { center } from "../src/relative/normalize";
import { meanCosineSimilarity } from "../src/metrics/metrics";
import { selectRows } from "../src/linalg/matrix";
import { InvalidParameterError, ShapeMismatchError } from "../src/errors";
import { randomMatrix } from "./helpers";

const grid = { omegas: [1, 8], deltas: [0, 0.5, 0.8] };
const pair = (c: number, noise = 0) => controlledPair({ train: 240, test: 200, latentDim: 10, sourceDim: 14, targetDim: 12, conditionNumber: c, sourceNoise: noise, targetNoise: noise, seed: 1 });
const anchorsOf = (p: ReturnType<typeof pair>, k: number) => {
  const idx = Int32Array.from({ length: k }, (_, i) => i);
  return { ax: selectRows(p.x.train, idx), ay: selectRows(p.y.train, idx) };
};

describe("irpGapDiagnostic", () => {
  it("on a rotation: no gap, a map condition number of 1", () => {
    const p = pair(1);
    const { ax, ay } = anchorsOf(p, 120);
    const d = irpGapDiagnostic({ anchorsX: ax, anchorsY: ay, ...grid });
    expect(Math.abs(d.heldOutGap)).toBeLessThan(1e-9);
    expect(d.irpScore).toBeGreaterThan(1 - 1e-9);
    expect(d.mapConditionNumber).toBeLessThan(1 + 1e-6);
    expect(d.mapLogSpread).toBeLessThan(1e-6);
    expect(d.folds).toBe(5);
    expect(d.anchors).toBe(120);
  });

  it("on an anisotropic map: IRP is predicted to trail, as it does on test items, and the map's anisotropy shows", () => {
    const p = pair(8);
    const { ax, ay } = anchorsOf(p, 120);
    const d = irpGapDiagnostic({ anchorsX: ax, anchorsY: ay, ...grid });
    expect(d.heldOutGap).toBeLessThan(-0.02);
    expect(d.recommended).toBe("procrustes");
    expect(d.mapConditionNumber).toBeGreaterThan(2);
    const dir = (t: ReturnType<InverseRelativeProjection["transform"]>, mean: Float64Array) => meanCosineSimilarity(center(t, mean), center(p.y.test, mean));
    const irp = new InverseRelativeProjection({ omega: d.omega, delta: d.delta }).fit(ax, ay);
    const procrustes = new ProcrustesTranslator().fit(ax, ay);
    const measured = dir(irp.transform(p.x.test), irp.targetStats.mean) - dir(procrustes.transform(p.x.test), irp.targetStats.mean);
    expect(measured).toBeLessThan(0);
    expect(Math.abs(measured - d.heldOutGap)).toBeLessThan(0.1);
  });

  it("is deterministic, accepts the chooser's own choice, and rejects a choice from another split", () => {
    const p = pair(4, 0.2);
    const { ax, ay } = anchorsOf(p, 90);
    const a = irpGapDiagnostic({ anchorsX: ax, anchorsY: ay, ...grid, seed: 2 });
    const choice = chooseIrpParameters({ anchorsX: ax, anchorsY: ay, ...grid, seed: 2 });
    const b = irpGapDiagnostic({ anchorsX: ax, anchorsY: ay, ...grid, seed: 2, choice });
    expect(b).toEqual(a);
    const other = chooseIrpParameters({ anchorsX: ax, anchorsY: ay, ...grid, seed: 2, holdout: 0.3 });
    expect(() => irpGapDiagnostic({ anchorsX: ax, anchorsY: ay, ...grid, seed: 2, choice: other })).toThrow(InvalidParameterError);
  });

  it("rejects bad input before fitting, naming the argument", () => {
    const ax = randomMatrix(30, 6, 1), ay = randomMatrix(30, 5, 2);
    const arg = (f: () => unknown, cls: typeof InvalidParameterError | typeof ShapeMismatchError, name: string) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(cls);
        expect((e as InvalidParameterError).argument).toBe(name);
        return;
      }
      throw new Error(`expected an error about ${name}`);
    };
    arg(() => irpGapDiagnostic({ anchorsX: ax, anchorsY: randomMatrix(29, 5, 2) }), ShapeMismatchError, "anchorsY");
    arg(() => irpGapDiagnostic({ anchorsX: ax, anchorsY: ay, folds: 1 }), InvalidParameterError, "folds");
    arg(() => irpGapDiagnostic({ anchorsX: ax, anchorsY: ay, folds: 16 }), InvalidParameterError, "folds");
    arg(() => irpGapDiagnostic({ anchorsX: ax, anchorsY: ay, principalDim: 6 }), InvalidParameterError, "principalDim");
  });
});
