/**
 * A trained image encoder: its spec, weights and jointly trained head, how it embeds images
 * (`embed`, `accuracy`) and how it is written to and read from the trained-encoder file format
 * (`imageBundle` / `imageEncoderFromBundle`, used by the family in imageEncoders.ts).
 */
import type * as TF from "@tensorflow/tfjs";
import type { Fail } from "../../data/modelFile";
import { getTf, type Tf } from "../../engine/tf";
import { InvalidParameterError } from "../../errors";
import type { ClassificationHead } from "../../heads/classifier";
import type { SoftmaxHistory } from "../../heads/softmaxTraining";
import type { Matrix } from "../../linalg/matrix";
import { accuracy as accuracyOf } from "../../metrics/metrics";
import { checkImages, latentOf, parameterShapes, PIXELS, standardizedBatch, type ImageData } from "./imageNetwork";
import { IMAGE_CLASSES as CLASSES, IMAGE_ENCODER_VERSION, type ResolvedImageEncoderSpec } from "./imageSpec";
import { jointHead, latentsInBlocks, toConstants, type ParamSpec } from "./nn";
import { bundleChecksum, supervisedBundle, takeSupervisedState, type EncoderBundle, type SupervisedTrainingInfo } from "./persist";

/** What a trained image encoder records of its training (persist.ts `SupervisedTrainingInfo`). */
export type ImageTrainingInfo = SupervisedTrainingInfo;

/** A trained image encoder (+ its jointly trained linear head). From `trainImageEncoder`, `loadImageEncoder` or `cachedImageEncoder`. */
export class ImageEncoder {
  readonly spec: ResolvedImageEncoderSpec;
  /** Every parameter (encoder and head) as plain float32 data, in a fixed order. */
  readonly params: readonly ParamSpec[];
  readonly history: SoftmaxHistory;
  readonly training: ImageTrainingInfo;
  /** The linear softmax classifier trained jointly on the latent (predicts the 10 classes from `embed` output). */
  readonly head: ClassificationHead;
  /** SHA-256 prefix of spec + weights: the embedding-cache version (retraining with other weights never reuses old embeddings). */
  readonly digest: string;
  private readonly tf: Tf;
  private constants: TF.Tensor[] | undefined;

  constructor(tf: Tf, spec: ResolvedImageEncoderSpec, params: ParamSpec[], history: SoftmaxHistory, training: ImageTrainingInfo) {
    this.tf = tf;
    this.spec = spec;
    this.params = params;
    this.history = history;
    this.training = training;
    this.head = jointHead(tf, spec, params, CLASSES, history, training);
    this.digest = bundleChecksum({ kind: "image", id: spec.id, spec, meta: null, arrays: params.map((p) => ({ ...p })) }).slice(0, 12);
  }

  get id(): string {
    return this.spec.id;
  }

  get latentDim(): number {
    return this.spec.latentDim;
  }

  /** Embedding-cache version: code version + weight digest. */
  get cacheVersion(): string {
    return `${IMAGE_ENCODER_VERSION}-${this.digest}`;
  }

  /** e.g. "mlp-256-s0: MLP 784→256→256 (ReLU), seed 0 · 5 epochs on 60000 images · train acc 0.901". */
  toString(): string {
    const acc = this.history.trainAccuracy.at(-1);
    return `${this.id}: ${this.spec.description || this.spec.kind} · ${this.spec.epochs} epochs on ${this.training.samples} images` +
      (acc === undefined ? "" : ` · train acc ${acc.toFixed(3)}`);
  }

  private tensors(): TF.Tensor[] {
    if (this.constants === undefined) this.constants = toConstants(this.tf, this.params.slice(0, -2) as ParamSpec[]);
    return this.constants;
  }

  /**
   * Latent vectors (rows × latentDim) of images `indices` (default: all) of `data`.
   * @throws InvalidParameterError for an index outside the data or a wrong image array size.
   */
  embed(data: ImageData, indices?: ArrayLike<number>): Matrix {
    checkImages(data);
    const idx = indices ?? Int32Array.from({ length: data.count }, (_, i) => i);
    for (let r = 0; r < idx.length; r++) {
      const i = idx[r];
      if (!Number.isInteger(i) || i < 0 || i >= data.count) throw new InvalidParameterError("indices", `image index ${i} is outside 0..${data.count - 1}`);
    }
    const tf = this.tf, p = this.tensors();
    return latentsInBlocks(tf, idx.length, this.latentDim, (r0, r1) => {
      const xb = standardizedBatch(data.images, Array.from({ length: r1 - r0 }, (_, k) => idx[r0 + k]));
      return latentOf(tf, this.spec, p, tf.tensor2d(xb, [r1 - r0, PIXELS], "float32"));
    });
  }

  /** Accuracy of encoder + head on images `indices` (default all) of labelled data. */
  accuracy(data: ImageData, indices?: ArrayLike<number>): number {
    if (!data.labels) throw new InvalidParameterError("data.labels", "accuracy needs labelled data");
    const idx = indices ?? Int32Array.from({ length: data.count }, (_, i) => i);
    const predicted = this.head.predict(this.embed(data, idx));
    const truth = Int32Array.from({ length: idx.length }, (_, r) => data.labels![idx[r]]);
    return accuracyOf(predicted, truth);
  }

  /** Frees the cached weight tensors (re-created on the next use). */
  dispose(): void {
    for (const t of this.constants ?? []) t.dispose();
    this.constants = undefined;
    this.head.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// (De)serialisation

/** The encoder as a trained-encoder file bundle (spec, weights, history). */
export function imageBundle(encoder: ImageEncoder): EncoderBundle {
  return supervisedBundle("image", IMAGE_ENCODER_VERSION, encoder);
}

/** The encoder of a bundle written by `imageBundle` (its spec resolved); `fail` on anything inconsistent. */
export async function imageEncoderFromBundle(b: EncoderBundle, spec: ResolvedImageEncoderSpec, fail: Fail): Promise<ImageEncoder> {
  const { params, history, training } = takeSupervisedState(b, parameterShapes(spec), fail);
  const { tf } = await getTf();
  return new ImageEncoder(tf, spec, params, history, training);
}
