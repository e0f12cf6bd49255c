/**
 * The vision transformer's forward pass, as plain functions of its parameters so that training
 * (vitTraining.ts), inference (vitModel.ts) and the layer-wise rescaling (scale/layerwise) run the
 * same network:
 *
 *   image 28×28 (standardised pixels) → (28/p)² patches of p×p pixels (cut on the CPU: the input
 *   needs no gradient) → patch embedding (one matMul: [B·N, p²] · [p², d] + b) → [CLS] prepended
 *   (pooling "cls") → + learned positions → embedding LN (post-LN) = hidden state 0
 *   → depth transformer blocks (transformer/stack.ts) = hidden states 1…depth
 *   → final LN (pre-LN) → pooling: the [CLS] token's state, or the mean over the patch tokens
 *   = the embedding (width d) → linear head (jointly trained; `head.w`, `head.b`).
 *
 * `hiddenState(…, layer)` and `embeddingFrom(…, layer, h)` split the pass at any layer, so
 * `embeddingFrom(l, hiddenState(l))` is the embedding itself (the identity test of Fig. 2).
 */
import type * as TF from "@tensorflow/tfjs";
import type { Tf } from "../../../engine/tf";
import type { Random } from "../../../linalg/random";
import type { ParamSpec } from "../nn";
import {
  checkLayer, finalNorm, initialValues, normalizeEmbedding, normalValues, runBlocks, stackParamShapes, type ParamShape, type Params,
} from "../transformer/stack";
import { VIT_IMAGE_SIDE as SIDE, vitTokens, type ResolvedVitSpec } from "./vitSpec";

/** Standard deviation of the initial position embeddings and [CLS] token (BERT's 0.02). */
const EMBEDDING_INIT_STD = 0.02;

/** Parameter names and shapes of a spec, in order: patch embedding, positions, [CLS], the stack, the head last. */
export function vitParamShapes(s: ResolvedVitSpec): ParamShape[] {
  const pp = s.patch * s.patch, T = vitTokens(s);
  return [
    { name: "patch.w", shape: [pp, s.width], init: "weight" },
    { name: "patch.b", shape: [s.width], init: "zero" },
    { name: "pos", shape: [T, s.width], init: "zero" },
    ...(s.pooling === "cls" ? [{ name: "cls", shape: [1, s.width], init: "zero" as const }] : []),
    ...stackParamShapes(s),
    { name: "head.w", shape: [s.width, s.classes], init: "weight" },
    { name: "head.b", shape: [s.classes], init: "zero" },
  ];
}

/** Initial parameters: Glorot-uniform weights, positions and [CLS] ~ N(0, 0.02²), LN gains 1, zero biases. */
export function vitInitialParams(s: ResolvedVitSpec, rng: Random): ParamSpec[] {
  return initialValues(vitParamShapes(s), rng).map((p) =>
    p.name === "pos" || p.name === "cls" ? { ...p, data: normalValues(rng, p.data.length, EMBEDDING_INIT_STD) } : p);
}

/**
 * Standardised pixels [B, 784] (imageNetwork's `standardizedBatch`) cut into patches: [B, N, p²],
 * patches in row-major order, pixels within a patch row-major.
 */
export function patchify(pixels: Float32Array, batch: number, patch: number): Float32Array {
  const per = SIDE / patch, N = per * per, pp = patch * patch;
  const out = new Float32Array(batch * N * pp);
  for (let b = 0; b < batch; b++) {
    const src = b * SIDE * SIDE;
    for (let pr = 0; pr < per; pr++) {
      for (let pc = 0; pc < per; pc++) {
        let o = (b * N + pr * per + pc) * pp;
        for (let y = 0; y < patch; y++) {
          const row = src + (pr * patch + y) * SIDE + pc * patch;
          for (let x = 0; x < patch; x++) out[o++] = pixels[row + x];
        }
      }
    }
  }
  return out;
}

/** Hidden state 0 of patches [B·N·p²] (`patchify`'s output): patch embedding, [CLS], positions, embedding LN. */
export function vitEmbed(tf: Tf, s: ResolvedVitSpec, p: Params, patches: Float32Array, batch: number): TF.Tensor3D {
  const pp = s.patch * s.patch, N = patches.length / (batch * pp);
  const x = tf.tensor2d(patches, [batch * N, pp], "float32");
  let tokens = tf.reshape(tf.add(tf.matMul(x, p["patch.w"] as TF.Tensor2D), p["patch.b"]), [batch, N, s.width]) as TF.Tensor3D;
  if (s.pooling === "cls") {
    const cls = tf.add(tf.zeros([batch, 1, s.width]), p["cls"]) as TF.Tensor3D;
    tokens = tf.concat([cls, tokens], 1);
  }
  return normalizeEmbedding(tf, s, p, tf.add(tokens, p["pos"]) as TF.Tensor3D);
}

/** Hidden state `layer` (0 = embeddings, l = after block l) of patches. */
export function vitHiddenState(tf: Tf, s: ResolvedVitSpec, p: Params, patches: Float32Array, batch: number, layer: number): TF.Tensor3D {
  checkLayer(s, layer);
  return runBlocks(tf, s, p, vitEmbed(tf, s, p, patches, batch), 0, layer);
}

/** The embedding [B, d] from hidden state `layer` h [B, T, d]: the remaining blocks, the final LN and the pooling. */
export function vitEmbeddingFrom(tf: Tf, s: ResolvedVitSpec, p: Params, layer: number, h: TF.Tensor3D): TF.Tensor2D {
  const last = finalNorm(tf, s, p, runBlocks(tf, s, p, h, layer, s.depth));
  if (s.pooling === "cls") return tf.reshape(tf.slice(last, [0, 0, 0], [-1, 1, -1]), [h.shape[0], s.width]) as TF.Tensor2D;
  return tf.mean(last, 1) as TF.Tensor2D;
}

/** The embedding [B, d] of patches (the whole pass). */
export function vitEmbedding(tf: Tf, s: ResolvedVitSpec, p: Params, patches: Float32Array, batch: number): TF.Tensor2D {
  return vitEmbeddingFrom(tf, s, p, 0, vitEmbed(tf, s, p, patches, batch));
}
