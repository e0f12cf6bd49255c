/**
 * Rows of a matrix picked by index, differentiable on the wasm backend: `gatherRows(tf, table,
 * indices)` = table[indices] ([n, d] from [V, d]). tfjs's own gradient of `gather` is an
 * UnsortedSegmentSum, which the wasm backend does not have ("Kernel 'UnsortedSegmentSum' not
 * registered"), so the gradient here is written once by hand:
 *
 *   ∂L/∂table = scatterND(indices, ∂L/∂out, [V, d])
 *
 * — wasm's ScatterNd adds the updates of repeated indices (a row picked twice gets both gradients;
 * checked in the tests against a numerical gradient). Used for token-embedding lookups and for
 * picking the masked positions of a masked-language-model batch.
 */
import type * as TF from "@tensorflow/tfjs";
import { InvalidParameterError } from "../errors";
import type { Tf } from "./tf";

/**
 * table[indices] with the scatter-add gradient (see the module comment). `table` is [V, d];
 * `indices` plain integers in [0, V) — checked here, since wasm's gather reads out of bounds
 * silently. Call inside a tidy (the index tensor it makes is freed with it).
 * @throws InvalidParameterError for a non-matrix table or a non-integer or out-of-range index.
 */
export function gatherRows(tf: Tf, table: TF.Tensor2D, indices: Int32Array | readonly number[]): TF.Tensor2D {
  if (table.rank !== 2) throw new InvalidParameterError("table", `expected a [rows, dim] matrix, got shape [${table.shape.join(", ")}]`);
  const rows = table.shape[0];
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i];
    if (!(Number.isInteger(v) && v >= 0 && v < rows)) throw new InvalidParameterError("indices", `index ${v} at position ${i} is outside 0..${rows - 1}`);
  }
  const op = tf.customGrad((...args: (TF.Tensor | TF.GradSaveFunc)[]) => {
    const t = args[0] as TF.Tensor2D, save = args[1] as TF.GradSaveFunc;
    const index = tf.tensor1d(Int32Array.from(indices), "int32");
    // Saved, so that it outlives the forward pass's scope until the gradient has run.
    save([index]);
    return {
      value: tf.gather(t, index) as TF.Tensor2D,
      gradFunc: (dy: TF.Tensor2D, saved: TF.Tensor[]) => [tf.scatterND(tf.reshape(saved[0], [-1, 1]), dy, t.shape)],
    };
  });
  return op(table) as TF.Tensor2D;
}
