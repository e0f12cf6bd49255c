/**
 * gatherRows (src/engine/gatherRows.ts): table[indices] with a hand-written scatter-add gradient,
 * because the wasm backend has no UnsortedSegmentSum (tfjs's gradient of gather).
 */
import type * as TF from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { gatherRows } from "../src/engine/gatherRows";
import { getTf, type Tf } from "../src/engine/tf";
import { InvalidParameterError } from "../src/errors";
import { gradCheck, normalTensor } from "./gradcheck";

let tf: Tf;
beforeAll(async () => {
  ({ tf } = await getTf());
});

describe("gatherRows", () => {
  it("tfjs's own gather gradient is missing on wasm (why this op exists)", () => {
    const table = normalTensor(tf, [5, 3], 0);
    expect(() => tf.grad((t: TF.Tensor) => tf.sum(tf.gather(t, tf.tensor1d([1, 1], "int32"))))(table)).toThrow(/UnsortedSegmentSum/);
    table.dispose();
  });

  it("picks the rows, repeated ones included", () => {
    const table = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const out = gatherRows(tf, table, [2, 0, 2]);
    expect(Array.from(out.dataSync())).toEqual([5, 6, 1, 2, 5, 6]);
    tf.dispose([table, out]);
  });

  it("its gradient adds the gradients of repeated rows: exact on a linear loss, and equal to a numerical gradient", () => {
    // L = Σ w ⊙ table[idx]: ∂L/∂table[r] = Σ over the positions p with idx[p] = r of w[p].
    const table = normalTensor(tf, [6, 4], 1) as TF.Tensor2D;
    const idx = [3, 0, 3, 5, 3];
    const w = normalTensor(tf, [5, 4], 2);
    const g = tf.grad((t: TF.Tensor) => tf.sum(tf.mul(gatherRows(tf, t as TF.Tensor2D, idx), w)))(table);
    const wv = w.dataSync(), gv = g.dataSync();
    for (let r = 0; r < 6; r++) {
      for (let j = 0; j < 4; j++) {
        let expected = 0;
        idx.forEach((row, p) => { if (row === r) expected += wv[p * 4 + j]; });
        expect(gv[r * 4 + j]).toBeCloseTo(expected, 5);
      }
    }
    // A nonlinear loss, against central differences (measured worst relative error ~1e-4).
    const check = gradCheck(tf, (t) => tf.sum(tf.tanh(tf.mul(gatherRows(tf, t as TF.Tensor2D, idx), w))), [table], 24);
    expect(check.worst).toBeLessThan(2e-3);
    tf.dispose([table, w, g]);
  });

  it("refuses indices outside the table and a table that is not a matrix", () => {
    const table = normalTensor(tf, [4, 2], 3) as TF.Tensor2D;
    expect(() => gatherRows(tf, table, [0, 4])).toThrow(InvalidParameterError);
    expect(() => gatherRows(tf, table, [-1])).toThrow(/outside 0..3/);
    expect(() => gatherRows(tf, table, [1.5])).toThrow(InvalidParameterError);
    const vector = tf.tensor1d([1, 2]);
    expect(() => gatherRows(tf, vector as unknown as TF.Tensor2D, [0])).toThrow(/matrix/);
    tf.dispose([table, vector]);
  });
});
