/**
 * The text transformer's forward pass, as plain functions of its parameters so that pretraining
 * (bertTraining.ts), inference (bertModel.ts) and the layer-wise rescaling run the same network:
 *
 *   token ids [B, T] (padded to the batch's longest text) → token embedding (gatherRows: a lookup
 *   whose gradient is a scatter-add, engine/gatherRows.ts) + learned positions → embedding LN
 *   (post-LN) = hidden state 0 → depth blocks with padding masked out of attention (transformer/)
 *   = hidden states 1…depth → final LN (pre-LN) → mean over the real tokens = the sentence embedding.
 *
 * The masked-language-model head (RoBERTa's): dense d → d, GELU, LayerNorm, then logits against the
 * token embedding table itself (tied weights) plus a bias per token: `mlmLogits` at chosen positions.
 */
import type * as TF from "@tensorflow/tfjs";
import { gatherRows } from "../../../engine/gatherRows";
import type { Tf } from "../../../engine/tf";
import type { Random } from "../../../linalg/random";
import type { ParamSpec } from "../nn";
import { dense, gelu, keyBiasOf, layerNorm } from "../transformer/layers";
import { finalNorm, initialValues, normalizeEmbedding, normalValues, runBlocks, stackParamShapes, type ParamShape, type Params } from "../transformer/stack";
import type { ResolvedBertSpec } from "./bertSpec";
import { PAD } from "./bertVocabulary";

/** Standard deviation of the initial token and position embeddings (BERT's 0.02). */
const EMBEDDING_INIT_STD = 0.02;

/** Parameters in order: embeddings, the stack, the MLM head. */
export function bertParamShapes(s: ResolvedBertSpec, vocabSize: number): ParamShape[] {
  const d = s.width;
  return [
    { name: "tok", shape: [vocabSize, d], init: "zero" },
    { name: "pos", shape: [s.maxLength, d], init: "zero" },
    ...stackParamShapes(s),
    { name: "mlm.dense.w", shape: [d, d], init: "weight" },
    { name: "mlm.dense.b", shape: [d], init: "zero" },
    { name: "mlm.ln.g", shape: [d], init: "one" },
    { name: "mlm.ln.b", shape: [d], init: "zero" },
    { name: "mlm.bias", shape: [vocabSize], init: "zero" },
  ];
}

/** Initial parameters: embeddings ~ N(0, 0.02²), Glorot-uniform weights, LN gains 1, zero biases. */
export function bertInitialParams(s: ResolvedBertSpec, vocabSize: number, rng: Random): ParamSpec[] {
  return initialValues(bertParamShapes(s, vocabSize), rng).map((p) =>
    p.name === "tok" || p.name === "pos" ? { ...p, data: normalValues(rng, p.data.length, EMBEDDING_INIT_STD) } : p);
}

/** A padded batch of texts: ids [B·T] (row-major, PAD after each text's end), the mask [B·T] (1 real, 0 padding), B and T. */
export interface TokenBatch {
  ids: Int32Array;
  mask: Float32Array;
  batch: number;
  length: number;
}

/** Pads the texts' ids to the longest of them (at least 1). */
export function padBatch(texts: readonly Int32Array[]): TokenBatch {
  const T = Math.max(1, ...texts.map((t) => t.length));
  const ids = new Int32Array(texts.length * T).fill(PAD), mask = new Float32Array(texts.length * T);
  texts.forEach((t, b) => {
    ids.set(t, b * T);
    mask.fill(1, b * T, b * T + t.length);
  });
  return { ids, mask, batch: texts.length, length: T };
}

/** The additive attention bias of a batch's padding ([B, 1, 1, T]). */
export function batchKeyBias(tf: Tf, b: TokenBatch): TF.Tensor {
  return keyBiasOf(tf, tf.tensor2d(b.mask, [b.batch, b.length], "float32"));
}

/** Hidden state 0 of a batch [B, T, d]: token embeddings + positions, embedding LN (post-LN). */
export function bertEmbed(tf: Tf, s: ResolvedBertSpec, p: Params, b: TokenBatch): TF.Tensor3D {
  const tok = tf.reshape(gatherRows(tf, p["tok"] as TF.Tensor2D, b.ids), [b.batch, b.length, s.width]);
  const pos = tf.slice(p["pos"], [0, 0], [b.length, s.width]);
  return normalizeEmbedding(tf, s, p, tf.add(tok, pos) as TF.Tensor3D);
}

/** The last hidden state after the final LN (pre-LN), from hidden state `layer`. */
export function bertLastHidden(tf: Tf, s: ResolvedBertSpec, p: Params, layer: number, h: TF.Tensor3D, keyBias: TF.Tensor): TF.Tensor3D {
  return finalNorm(tf, s, p, runBlocks(tf, s, p, h, layer, s.depth, keyBias));
}

/** Mean over each text's real tokens of h [B, T, d] → [B, d] (a text with no token gives zeros). */
export function meanPool(tf: Tf, h: TF.Tensor3D, b: TokenBatch): TF.Tensor2D {
  const m = tf.tensor3d(b.mask, [b.batch, b.length, 1], "float32");
  const counts = tf.maximum(tf.sum(m, 1), 1);
  return tf.div(tf.sum(tf.mul(h, m), 1), counts) as TF.Tensor2D;
}

/** The sentence embeddings [B, d] from hidden state `layer` h. */
export function bertEmbeddingFrom(tf: Tf, s: ResolvedBertSpec, p: Params, b: TokenBatch, layer: number, h: TF.Tensor3D, keyBias: TF.Tensor): TF.Tensor2D {
  return meanPool(tf, bertLastHidden(tf, s, p, layer, h, keyBias), b);
}

/** MLM logits [M, V] at flat positions `positions` (into B·T) of the last hidden state [B, T, d]. */
export function mlmLogits(tf: Tf, p: Params, last: TF.Tensor3D, positions: Int32Array): TF.Tensor2D {
  const [B, T, d] = last.shape;
  const picked = gatherRows(tf, tf.reshape(last, [B * T, d]) as TF.Tensor2D, positions);
  const t = layerNorm(tf, gelu(tf, dense(tf, picked, p["mlm.dense.w"], p["mlm.dense.b"])), p["mlm.ln.g"], p["mlm.ln.b"]) as TF.Tensor2D;
  return tf.add(tf.matMul(t, p["tok"] as TF.Tensor2D, false, true), p["mlm.bias"]) as TF.Tensor2D;
}
