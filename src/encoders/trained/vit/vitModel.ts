/**
 * A trained vision transformer: its spec, weights and jointly trained head; how it embeds images
 * (`embed`, `accuracy`), its layer-by-layer pass for the layer-wise rescaling (`walkLayers`,
 * `embeddingFrom`), and how it is written to and read from the trained-encoder file format
 * (`vitBundle` / `vitEncoderFromBundle`, used by the family in vitEncoders.ts).
 */
import type * as TF from "@tensorflow/tfjs";
import type { Fail } from "../../../data/modelFile";
import { getTf, type Tf } from "../../../engine/tf";
import { InvalidParameterError } from "../../../errors";
import type { ClassificationHead } from "../../../heads/classifier";
import type { SoftmaxHistory } from "../../../heads/softmaxTraining";
import type { Matrix } from "../../../linalg/matrix";
import { accuracy as accuracyOf } from "../../../metrics/metrics";
import { checkImages, standardizedBatch, type ImageData } from "../imageNetwork";
import { jointHead, latentsInBlocks, toConstants, type ParamSpec } from "../nn";
import { bundleChecksum, supervisedBundle, takeSupervisedState, type EncoderBundle, type SupervisedTrainingInfo } from "../persist";
import { block, checkLayer, paramsByName, type LayerWalkable, type Params } from "../transformer/stack";
import { patchify, vitEmbed, vitEmbedding, vitEmbeddingFrom, vitParamShapes } from "./vitNetwork";
import { VIT_ENCODER_VERSION, type ResolvedVitSpec } from "./vitSpec";

/** What a trained ViT records of its training (persist.ts `SupervisedTrainingInfo`). */
export type VitTrainingInfo = SupervisedTrainingInfo;

/** A ViT's input batch: its patches (`patchify` of standardised pixels) and the number of images. */
export interface VitBatch {
  patches: Float32Array;
  count: number;
}

/** A trained ViT (+ its jointly trained linear head). From `trainVitEncoder`, `loadVitEncoder` or `cachedVitEncoder`. */
export class VitEncoder implements LayerWalkable<VitBatch> {
  readonly spec: ResolvedVitSpec;
  /** Every parameter (network and head) as plain float32 data, in `vitParamShapes` order. */
  readonly params: readonly ParamSpec[];
  readonly history: SoftmaxHistory;
  readonly training: VitTrainingInfo;
  /** The linear softmax classifier trained jointly on the embedding. */
  readonly head: ClassificationHead;
  /** SHA-256 prefix of spec + weights: the embedding-cache version. */
  readonly digest: string;
  private readonly tf: Tf;
  private constants: Params | undefined;

  constructor(tf: Tf, spec: ResolvedVitSpec, params: ParamSpec[], history: SoftmaxHistory, training: VitTrainingInfo) {
    this.tf = tf;
    this.spec = spec;
    this.params = params;
    this.history = history;
    this.training = training;
    this.head = jointHead(tf, { ...spec, latentDim: spec.width }, params, spec.classes, history, training);
    this.digest = bundleChecksum({ kind: "vit", id: spec.id, spec, meta: null, arrays: params.map((p) => ({ ...p })) }).slice(0, 12);
  }

  get id(): string {
    return this.spec.id;
  }

  /** Embedding dimension (the width). */
  get latentDim(): number {
    return this.spec.width;
  }

  /** Number of blocks: hidden states 0…depth. */
  get depth(): number {
    return this.spec.depth;
  }

  /** Embedding-cache version: code version + weight digest. */
  get cacheVersion(): string {
    return `${VIT_ENCODER_VERSION}-${this.digest}`;
  }

  toString(): string {
    const acc = this.history.trainAccuracy.at(-1);
    return `${this.id}: ${this.spec.description || "ViT"} · ${this.spec.epochs} epochs on ${this.training.samples} images` +
      (acc === undefined ? "" : ` · train acc ${acc.toFixed(3)}`);
  }

  /** The network's weights as kept tensors, by name (the head's are the head's). */
  tensors(): Params {
    if (this.constants === undefined) {
      const net = this.params.filter((p) => !p.name.startsWith("head.")) as ParamSpec[];
      this.constants = paramsByName(net, toConstants(this.tf, net));
    }
    return this.constants;
  }

  /** The input batch of images `indices` of `data`. @throws InvalidParameterError for an index outside the data. */
  batch(data: ImageData, indices: ArrayLike<number>): VitBatch {
    checkImages(data);
    for (let r = 0; r < indices.length; r++) {
      const i = indices[r];
      if (!Number.isInteger(i) || i < 0 || i >= data.count) throw new InvalidParameterError("indices", `image index ${i} is outside 0..${data.count - 1}`);
    }
    return { patches: patchify(standardizedBatch(data.images, indices), indices.length, this.spec.patch), count: indices.length };
  }

  /** Embeddings (rows × width) of images `indices` (default all) of `data`. */
  embed(data: ImageData, indices?: ArrayLike<number>): Matrix {
    const idx = indices ?? Int32Array.from({ length: data.count }, (_, i) => i);
    const b = this.batch(data, idx);
    const tf = this.tf, p = this.tensors(), per = b.patches.length / Math.max(1, b.count);
    return latentsInBlocks(tf, b.count, this.latentDim, (r0, r1) => vitEmbedding(tf, this.spec, p, b.patches.subarray(r0 * per, r1 * per), r1 - r0));
  }

  /** Accuracy of encoder + joint head on images `indices` (default all) of labelled data. */
  accuracy(data: ImageData, indices?: ArrayLike<number>): number {
    if (!data.labels) throw new InvalidParameterError("data.labels", "accuracy needs labelled data");
    const idx = indices ?? Int32Array.from({ length: data.count }, (_, i) => i);
    const truth = Int32Array.from({ length: idx.length }, (_, r) => data.labels![idx[r]]);
    return accuracyOf(this.head.predict(this.embed(data, idx)), truth);
  }

  /**
   * The pass of one batch layer by layer: `visit(l, h_l)` for l = 0…depth (h_l [B, T, width],
   * disposed after the call), then the embedding [B, width] (the caller's). Call inside a tidy.
   */
  walkLayers(b: VitBatch, visit: (layer: number, h: TF.Tensor3D) => void): TF.Tensor2D {
    const tf = this.tf, p = this.tensors();
    let h = vitEmbed(tf, this.spec, p, b.patches, b.count);
    visit(0, h);
    for (let l = 1; l <= this.depth; l++) {
      const next = block(tf, this.spec, p, l - 1, h);
      h.dispose();
      h = next;
      visit(l, h);
    }
    const out = vitEmbeddingFrom(tf, this.spec, p, this.depth, h);
    h.dispose();
    return out;
  }

  /**
   * The embedding [B, width] from hidden state `layer` h (the rest of the network). `_b` is the
   * batch h came from (unused here; the text transformers need it for their padding). Call inside a tidy.
   */
  embeddingFrom(_b: VitBatch, layer: number, h: TF.Tensor3D): TF.Tensor2D {
    checkLayer(this.spec, layer);
    return vitEmbeddingFrom(this.tf, this.spec, this.tensors(), layer, h);
  }

  /** Frees the cached weight tensors (re-created on the next use). */
  dispose(): void {
    for (const t of Object.values(this.constants ?? {})) t.dispose();
    this.constants = undefined;
    this.head.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// (De)serialisation

/** The encoder as a trained-encoder file bundle (spec, weights, history). */
export function vitBundle(encoder: VitEncoder): EncoderBundle {
  return supervisedBundle("vit", VIT_ENCODER_VERSION, encoder);
}

/** The encoder of a bundle written by `vitBundle` (its spec resolved); `fail` on anything inconsistent. */
export async function vitEncoderFromBundle(b: EncoderBundle, spec: ResolvedVitSpec, fail: Fail): Promise<VitEncoder> {
  const { params, history, training } = takeSupervisedState(b, vitParamShapes(spec), fail);
  const { tf } = await getTf();
  return new VitEncoder(tf, spec, params, history, training);
}
