/**
 * The pieces of a transformer encoder, as plain functions of tensors so that training, inference
 * and the layer-wise experiments run the same forward pass: LayerNorm, GELU, multi-head
 * self-attention and the position-wise MLP. Every op used has a kernel and a gradient on the wasm
 * backend (checked against numerical gradients in the tests); call them inside a tidy.
 *
 *   layerNorm(x)  = γ ⊙ (x − mean(x)) / √(var(x) + ε) + β     over the last axis (ε = 1e-5)
 *   gelu(x)       = x · Φ(x) = ½ x (1 + erf(x / √2))          (the exact GELU of BERT and ViT)
 *   attention(x)  = concat_h softmax(Q_h K_hᵀ / √d_h + mask) V_h · W_o + b_o,  [Q K V] = x W_qkv + b_qkv
 *   mlp(x)        = gelu(x W_1 + b_1) W_2 + b_2
 *
 * LayerNorm is what makes a transformer scale-tolerant: layerNorm(αx) = layerNorm(x) for α > 0, up
 * to ε (exactly: the variance becomes α²·var + ε). Attention is not: scaling x by α scales the
 * attention logits by about α² (a sharper or flatter softmax) and the values by α.
 */
import type * as TF from "@tensorflow/tfjs";
import type { Tf } from "../../../engine/tf";

/** LayerNorm's ε (as PyTorch's default). */
export const LAYER_NORM_EPSILON = 1e-5;

/** LayerNorm over the last axis of x (any rank), with gain `gamma` and shift `beta` of the last axis's size. */
export function layerNorm(tf: Tf, x: TF.Tensor, gamma: TF.Tensor, beta: TF.Tensor): TF.Tensor {
  const axis = x.rank - 1;
  const mean = tf.mean(x, axis, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), axis, true);
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, LAYER_NORM_EPSILON))), gamma), beta);
}

/** The exact GELU, ½ x (1 + erf(x/√2)). */
export function gelu(tf: Tf, x: TF.Tensor): TF.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
}

/** x [rows, in] · w [in, out] + b [out]. */
export function dense(tf: Tf, x: TF.Tensor2D, w: TF.Tensor, b: TF.Tensor): TF.Tensor2D {
  return tf.add(tf.matMul(x, w as TF.Tensor2D), b) as TF.Tensor2D;
}

export interface AttentionParams {
  /** [d, 3d]: query, key and value projections side by side. */
  qkvW: TF.Tensor;
  qkvB: TF.Tensor;
  /** [d, d]: the output projection. */
  projW: TF.Tensor;
  projB: TF.Tensor;
}

/**
 * Multi-head self-attention of x [B, T, d] with `heads` heads (d divisible by heads). `keyBias`,
 * when given, is [B, 1, 1, T] and added to the logits: 0 for a real token, a large negative number
 * for padding, so no query attends to padding.
 */
export function selfAttention(tf: Tf, x: TF.Tensor3D, p: AttentionParams, heads: number, keyBias?: TF.Tensor): TF.Tensor3D {
  const [B, T, d] = x.shape;
  const dh = d / heads;
  const qkv = dense(tf, tf.reshape(x, [B * T, d]), p.qkvW, p.qkvB);
  const [q, k, v] = tf.split(qkv, 3, 1);
  // [B·T, d] → [B, T, H, dh] → [B, H, T, dh] → [B·H, T, dh]
  const split = (t: TF.Tensor) => tf.reshape(tf.transpose(tf.reshape(t, [B, T, heads, dh]), [0, 2, 1, 3]), [B * heads, T, dh]) as TF.Tensor3D;
  const qh = split(tf.mul(q, 1 / Math.sqrt(dh))), kh = split(k), vh = split(v);
  let logits: TF.Tensor = tf.matMul(qh, kh, false, true); // [B·H, T, T]
  if (keyBias !== undefined) logits = tf.reshape(tf.add(tf.reshape(logits, [B, heads, T, T]), keyBias), [B * heads, T, T]);
  const weights = tf.softmax(logits) as TF.Tensor3D;
  const out = tf.matMul(weights, vh); // [B·H, T, dh]
  const merged = tf.reshape(tf.transpose(tf.reshape(out, [B, heads, T, dh]), [0, 2, 1, 3]), [B * T, d]) as TF.Tensor2D;
  return tf.reshape(dense(tf, merged, p.projW, p.projB), [B, T, d]) as TF.Tensor3D;
}

/** The position-wise MLP of x [B, T, d]: gelu(x W1 + b1) W2 + b2. */
export function feedForward(tf: Tf, x: TF.Tensor3D, w1: TF.Tensor, b1: TF.Tensor, w2: TF.Tensor, b2: TF.Tensor): TF.Tensor3D {
  const [B, T, d] = x.shape;
  const hidden = gelu(tf, dense(tf, tf.reshape(x, [B * T, d]), w1, b1)) as TF.Tensor2D;
  return tf.reshape(dense(tf, hidden, w2, b2), [B, T, d]) as TF.Tensor3D;
}

/** The additive key bias of a padding mask [B, T] (1 = real token, 0 = padding): [B, 1, 1, T], 0 or −1e9. */
export function keyBiasOf(tf: Tf, mask: TF.Tensor2D): TF.Tensor {
  const [B, T] = mask.shape;
  return tf.reshape(tf.mul(tf.sub(1, mask), -1e9), [B, 1, 1, T]);
}
