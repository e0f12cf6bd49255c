/**
 * A stack of transformer blocks with LayerNorm placed before (pre-LN, as ViT and GPT-2) or after
 * (post-LN, as the original Transformer, BERT and RoBERTa) each sublayer — the part the vision (vit/)
 * and text (bert/) families share:
 *
 *   pre-LN block:   h ← h + attention(LN₁(h));  h ← h + mlp(LN₂(h))        … and one LN after the last block
 *   post-LN block:  h ← LN₁(h + attention(h));  h ← LN₂(h + mlp(h))        … and one LN on the embeddings
 *
 * Layers are numbered as in the paper's Fig. 2: hidden state 0 is the embedding layer's output
 * (after the embedding LN in post-LN), hidden state l (1…depth) the output of block l. A model is
 *
 *   output = finalNorm(runBlocks(h₀, from 0 to depth))        (finalNorm: LN in pre-LN, identity in post-LN)
 *
 * and `runBlocks(h_l, l, depth)` runs "the rest of the network" from any layer, which is what the
 * layer-wise rescaling experiment needs. What that implies for scale (tested): in pre-LN every
 * sublayer sees LN(h), so the attention branch ignores the scale of h, but the residual stream
 * carries the scale on (h ← αh + attention(LN(h)), whose scale is no longer α × anything) — block
 * l's output is NOT invariant to scaling its input, while the final LN makes the output invariant
 * to scaling the last hidden state. In post-LN every block's output is normalised,
 * yet the block's own attention sees the rescaled input (logits × α², values × α) before its LN, so
 * neither a block's output nor the model's is exactly invariant to scaling a hidden state.
 *
 * Parameters are `ParamSpec`s named `block<i>.{ln1,ln2}.{g,b}`, `block<i>.{qkv,proj,fc1,fc2}.{w,b}`
 * (i = 0…depth−1) and `embed.ln.{g,b}` (post-LN) or `final.ln.{g,b}` (pre-LN).
 */
import type * as TF from "@tensorflow/tfjs";
import type { Tf } from "../../../engine/tf";
import { InvalidParameterError } from "../../../errors";
import { initWeight } from "../../../heads/softmaxTraining";
import type { Random } from "../../../linalg/random";
import { assertInteger, assertLayerIndex, assertOneOf } from "../../../validate";
import type { ParamSpec } from "../nn";
import { feedForward, layerNorm, selfAttention } from "./layers";

export type NormPlacement = "pre" | "post";
export const NORM_PLACEMENTS: readonly NormPlacement[] = ["pre", "post"];

/** The shape of a transformer stack. */
export interface TransformerShape {
  /** Model width d (tokens are d-vectors). */
  width: number;
  /** Number of blocks. */
  depth: number;
  /** Attention heads (width divisible by heads). */
  heads: number;
  /** MLP hidden width = mlpRatio · width. */
  mlpRatio: number;
  norm: NormPlacement;
}

/** Validates a stack shape's fields (as parts of a family spec named `prefix`). @throws InvalidParameterError naming the field. */
export function checkTransformerShape(s: TransformerShape, prefix: string): void {
  assertInteger(s.width, `${prefix}.width`, 1);
  assertInteger(s.depth, `${prefix}.depth`, 1);
  assertInteger(s.heads, `${prefix}.heads`, 1);
  if (s.width % s.heads !== 0) throw new InvalidParameterError(`${prefix}.heads`, `the width (${s.width}) must be divisible by the number of heads, got ${s.heads}`);
  assertInteger(s.mlpRatio, `${prefix}.mlpRatio`, 1);
  assertOneOf(s.norm, NORM_PLACEMENTS, `${prefix}.norm`);
}

export interface ParamShape {
  name: string;
  shape: number[];
  /** How it is initialised: Glorot-uniform weight, LayerNorm gain (1), zero (biases, LN shifts). */
  init: "weight" | "one" | "zero";
}

/** The stack's parameters in order (blocks, then the embedding or final LayerNorm). */
export function stackParamShapes(s: TransformerShape): ParamShape[] {
  const d = s.width, h = s.mlpRatio * s.width;
  const out: ParamShape[] = [];
  const ln = (name: string) => out.push({ name: `${name}.g`, shape: [d], init: "one" }, { name: `${name}.b`, shape: [d], init: "zero" });
  const lin = (name: string, i: number, o: number) => out.push({ name: `${name}.w`, shape: [i, o], init: "weight" }, { name: `${name}.b`, shape: [o], init: "zero" });
  for (let b = 0; b < s.depth; b++) {
    ln(`block${b}.ln1`);
    lin(`block${b}.qkv`, d, 3 * d);
    lin(`block${b}.proj`, d, d);
    ln(`block${b}.ln2`);
    lin(`block${b}.fc1`, d, h);
    lin(`block${b}.fc2`, h, d);
  }
  ln(s.norm === "post" ? "embed.ln" : "final.ln");
  return out;
}

/** Initial values of parameter shapes: Glorot-uniform weights from `rng`, LN gains 1, zeros elsewhere. */
export function initialValues(shapes: readonly ParamShape[], rng: Random): ParamSpec[] {
  return shapes.map(({ name, shape, init }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = init === "weight" ? initWeight(rng, shape[0], shape[1], "linear") : new Float32Array(size).fill(init === "one" ? 1 : 0);
    return { name, shape: [...shape], data };
  });
}

/** Small normal values (standard deviation `std`), e.g. position embeddings and the [CLS] token. */
export function normalValues(rng: Random, size: number, std: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = std * rng.normal();
  return out;
}

/** Tensors by parameter name. */
export type Params = Readonly<Record<string, TF.Tensor>>;

/** Name → tensor for parallel lists of specs (or names) and tensors. */
export function paramsByName(specs: readonly { name: string }[], tensors: readonly TF.Tensor[]): Params {
  const out: Record<string, TF.Tensor> = {};
  specs.forEach((s, i) => (out[s.name] = tensors[i]));
  return out;
}

/** Hidden state 0 from the raw embeddings [B, T, d]: LayerNorm in post-LN, unchanged in pre-LN. */
export function normalizeEmbedding(tf: Tf, s: TransformerShape, p: Params, x: TF.Tensor3D): TF.Tensor3D {
  return s.norm === "post" ? (layerNorm(tf, x, p["embed.ln.g"], p["embed.ln.b"]) as TF.Tensor3D) : x;
}

/**
 * The first half of block `b` (0-based), the attention sublayer: h + attention(LN₁(h)) in pre-LN,
 * LN₁(h + attention(h)) in post-LN. `keyBias` masks padding (layers.ts).
 */
export function attentionSublayer(tf: Tf, s: TransformerShape, p: Params, b: number, h: TF.Tensor3D, keyBias?: TF.Tensor): TF.Tensor3D {
  const k = `block${b}`;
  const attention = (x: TF.Tensor3D) => selfAttention(tf, x, { qkvW: p[`${k}.qkv.w`], qkvB: p[`${k}.qkv.b`], projW: p[`${k}.proj.w`], projB: p[`${k}.proj.b`] }, s.heads, keyBias);
  const ln1 = (x: TF.Tensor) => layerNorm(tf, x, p[`${k}.ln1.g`], p[`${k}.ln1.b`]) as TF.Tensor3D;
  return s.norm === "pre" ? (tf.add(h, attention(ln1(h))) as TF.Tensor3D) : ln1(tf.add(h, attention(h)));
}

/** The second half of block `b`, the MLP sublayer: a + mlp(LN₂(a)) in pre-LN, LN₂(a + mlp(a)) in post-LN. */
export function mlpSublayer(tf: Tf, s: TransformerShape, p: Params, b: number, a: TF.Tensor3D): TF.Tensor3D {
  const k = `block${b}`;
  const mlp = (x: TF.Tensor3D) => feedForward(tf, x, p[`${k}.fc1.w`], p[`${k}.fc1.b`], p[`${k}.fc2.w`], p[`${k}.fc2.b`]);
  const ln2 = (x: TF.Tensor) => layerNorm(tf, x, p[`${k}.ln2.g`], p[`${k}.ln2.b`]) as TF.Tensor3D;
  return s.norm === "pre" ? (tf.add(a, mlp(ln2(a))) as TF.Tensor3D) : ln2(tf.add(a, mlp(a)));
}

/** Block `b` (0-based: it turns hidden state b into hidden state b+1). */
export function block(tf: Tf, s: TransformerShape, p: Params, b: number, h: TF.Tensor3D, keyBias?: TF.Tensor): TF.Tensor3D {
  return mlpSublayer(tf, s, p, b, attentionSublayer(tf, s, p, b, h, keyBias));
}

/** Hidden state `to` from hidden state `from` (0 ≤ from ≤ to ≤ depth): blocks from+1 … to. */
export function runBlocks(tf: Tf, s: TransformerShape, p: Params, h: TF.Tensor3D, from: number, to: number, keyBias?: TF.Tensor): TF.Tensor3D {
  checkLayer(s, from, "from");
  checkLayer(s, to, "to");
  if (to < from) throw new InvalidParameterError("to", `layer ${to} comes before layer ${from}; the blocks run forwards`);
  let x = h;
  for (let b = from; b < to; b++) x = block(tf, s, p, b, x, keyBias);
  return x;
}

/** The LayerNorm after the last block (pre-LN); the identity in post-LN. */
export function finalNorm(tf: Tf, s: TransformerShape, p: Params, h: TF.Tensor3D): TF.Tensor3D {
  return s.norm === "pre" ? (layerNorm(tf, h, p["final.ln.g"], p["final.ln.b"]) as TF.Tensor3D) : h;
}

/**
 * A trained transformer walked layer by layer on its own batches B (a ViT's patches, a text
 * transformer's padded ids): what the layer-wise rescaling (scale/layerwise/transformerRescale.ts)
 * needs of either family.
 */
export interface LayerWalkable<B> {
  /** Blocks: hidden states 0 (embeddings) … depth. */
  readonly depth: number;
  /** `visit(l, h_l)` for l = 0…depth (h_l [B, T, width], disposed after the call), then the embeddings [B, width]. Call inside a tidy. */
  walkLayers(b: B, visit: (layer: number, h: TF.Tensor3D) => void): TF.Tensor2D;
  /** The embeddings [B, width] from hidden state `h` at `layer` (the rest of the network). */
  embeddingFrom(b: B, layer: number, h: TF.Tensor3D): TF.Tensor2D;
}

/** @throws InvalidParameterError unless `layer` is an integer in 0…depth. */
export function checkLayer(s: TransformerShape, layer: number, name = "layer"): void {
  assertLayerIndex(layer, s.depth, name);
}
