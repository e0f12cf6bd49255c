/**
 * The bag-of-words MLP text encoder (kind "bow-mlp"): hashed bag of words (unigrams + bigrams of
 * adjacent tokens, FNV-1a/fmix32 hashed into `buckets` buckets, binary presence) → embedding bag
 * (sum of bucket rows / √#features, + bias, activation) → dense layers → latent (activation) →
 * linear softmax head trained jointly on the corpus labels (bowMlpTraining.ts). The latent is the
 * activated output of the latent layer. Here: the network, the encoder (`embed`, its head) and its
 * (de)serialiser.
 */
import type * as TF from "@tensorflow/tfjs";
import type { Fail } from "../../data/modelFile";
import { getTf, type Tf } from "../../engine/tf";
import type { ClassificationHead } from "../../heads/classifier";
import type { SoftmaxHistory } from "../../heads/softmaxTraining";
import { Matrix } from "../../linalg/matrix";
import { isPositiveInteger } from "../../validate";
import { activate, jointHead, latentsInBlocks, toConstants, type EncoderActivation, type ParamSpec } from "./nn";
import { bundleChecksum, takeArrays, takeSoftmaxHistory, type EncoderBundle } from "./persist";
import { hashedFeatures, tokenizeTexts } from "./textFeatures";
import { textEncoderName, TEXT_ENCODER_VERSION, type ResolvedBowMlpSpec, type TrainedTextEncoder } from "./textSpec";

/** A bag-of-words MLP encoder with its jointly trained linear head. */
export class BowMlpTextEncoder implements TrainedTextEncoder {
  readonly spec: ResolvedBowMlpSpec;
  /** Every parameter, "bag.w" ((buckets+1) × hidden[0]) first, the head ("head.w", "head.b") last. */
  readonly params: readonly ParamSpec[];
  readonly numClasses: number;
  readonly classNames: string[];
  readonly history: SoftmaxHistory;
  readonly training: { samples: number; seconds: number; backend: string; tfjsVersion: string; createdAt: string };
  readonly trainedOn: string;
  readonly digest: string;
  /** The linear softmax classifier trained jointly on the latent. */
  readonly head: ClassificationHead;
  private readonly tf: Tf;
  private constants: TF.Tensor[] | undefined;
  private empty = 0;

  constructor(
    tf: Tf, spec: ResolvedBowMlpSpec, params: ParamSpec[], numClasses: number, classNames: string[], history: SoftmaxHistory,
    training: BowMlpTextEncoder["training"], trainedOn: string,
  ) {
    this.tf = tf;
    this.spec = spec;
    this.params = params;
    this.numClasses = numClasses;
    this.classNames = classNames;
    this.history = history;
    this.training = training;
    this.trainedOn = trainedOn;
    this.head = jointHead(tf, spec, params, numClasses, history, training);
    this.digest = bundleChecksum({ kind: "bow-mlp", id: spec.id, spec, meta: { numClasses, trainedOn }, arrays: params.map((p) => ({ ...p })) }).slice(0, 12);
  }

  get id(): string {
    return textEncoderName(this.spec.id, this.trainedOn);
  }
  get dim(): number {
    return this.spec.latentDim;
  }
  get cacheVersion(): string {
    return `${TEXT_ENCODER_VERSION}-${this.digest}`;
  }
  get lastEmptyCount(): number {
    return this.empty;
  }

  private tensors(): TF.Tensor[] {
    // Everything after bag.w and before the head: bag.b, dense*.w/b, latent.w/b.
    if (this.constants === undefined) this.constants = toConstants(this.tf, this.params.slice(1, -2) as ParamSpec[]);
    return this.constants;
  }

  async embed(texts: readonly string[]): Promise<Matrix> {
    const docs = await tokenizeTexts(texts, this.spec.cjk);
    const feats = docs.map((d) => hashedFeatures(d, this.spec.buckets));
    this.empty = feats.filter((f) => f.length === 1).length;
    const tf = this.tf, p = this.tensors(), h0 = this.spec.hidden[0];
    const bag = this.params[0].data;
    return latentsInBlocks(tf, feats.length, this.dim, (r0, r1) => {
      const x = bagForward(bag, h0, feats.slice(r0, r1));
      return bowLatent(tf, this.spec, p, tf.tensor2d(x, [r1 - r0, h0], "float32"));
    });
  }

  toString(): string {
    const acc = this.history.trainAccuracy.at(-1);
    return `${this.id}: bag-of-words MLP ${this.spec.buckets}+1 → ${this.spec.hidden.join("→")} → ${this.dim} (${this.spec.activation}, seed ${this.spec.seed})` +
      ` · ${this.spec.epochs} epochs on ${this.training.samples} documents${acc === undefined ? "" : ` · train acc ${acc.toFixed(3)}`}`;
  }

  dispose(): void {
    for (const t of this.constants ?? []) t.dispose();
    this.constants = undefined;
    this.head.dispose();
  }
}

/** Embedding bag: row b = (Σ_f E[f]) / √#features(b), for a batch of feature lists. */
export function bagForward(E: Float32Array, h: number, feats: readonly Int32Array[]): Float32Array {
  const out = new Float32Array(feats.length * h);
  for (let b = 0; b < feats.length; b++) {
    const f = feats[b], o = b * h;
    for (let k = 0; k < f.length; k++) {
      const r = f[k] * h;
      for (let j = 0; j < h; j++) out[o + j] += E[r + j];
    }
    const s = 1 / Math.sqrt(f.length);
    for (let j = 0; j < h; j++) out[o + j] *= s;
  }
  return out;
}

/** Latent from the bag output [B, hidden0]; `p` = [bag.b, dense*.w, dense*.b, latent.w, latent.b]. Call inside a tidy. */
export function bowLatent(tf: Tf, s: ResolvedBowMlpSpec, p: TF.Tensor[], bag: TF.Tensor2D): TF.Tensor2D {
  let h = activate(tf, tf.add(bag, p[0]), s.activation) as TF.Tensor2D;
  let k = 1;
  for (let i = 1; i < s.hidden.length; i++, k += 2) h = activate(tf, tf.add(tf.matMul(h, p[k] as TF.Tensor2D), p[k + 1]), s.activation) as TF.Tensor2D;
  return activate(tf, tf.add(tf.matMul(h, p[k] as TF.Tensor2D), p[k + 1]), s.activation) as TF.Tensor2D;
}

export function bowParamShapes(s: ResolvedBowMlpSpec, numClasses: number): { name: string; shape: number[]; fanIn: number; act: EncoderActivation | "linear" }[] {
  const out: { name: string; shape: number[]; fanIn: number; act: EncoderActivation | "linear" }[] = [
    { name: "bag.w", shape: [s.buckets + 1, s.hidden[0]], fanIn: 0, act: s.activation },
    { name: "bag.b", shape: [s.hidden[0]], fanIn: 0, act: s.activation },
  ];
  let width = s.hidden[0];
  for (let i = 1; i < s.hidden.length; i++) {
    out.push({ name: `dense${i}.w`, shape: [width, s.hidden[i]], fanIn: width, act: s.activation }, { name: `dense${i}.b`, shape: [s.hidden[i]], fanIn: 0, act: s.activation });
    width = s.hidden[i];
  }
  out.push({ name: "latent.w", shape: [width, s.latentDim], fanIn: width, act: s.activation }, { name: "latent.b", shape: [s.latentDim], fanIn: 0, act: s.activation });
  out.push({ name: "head.w", shape: [s.latentDim, numClasses], fanIn: s.latentDim, act: "linear" }, { name: "head.b", shape: [numClasses], fanIn: 0, act: "linear" });
  return out;
}

// ---------------------------------------------------------------------------------------------
// (De)serialisation

/** The encoder as a trained-encoder file bundle (spec, class names, history, every parameter). */
export function bowMlpBundle(encoder: BowMlpTextEncoder): EncoderBundle {
  return {
    kind: "bow-mlp", id: encoder.spec.id, spec: encoder.spec,
    meta: {
      version: TEXT_ENCODER_VERSION, trainedOn: encoder.trainedOn, numClasses: encoder.numClasses, classNames: encoder.classNames,
      history: encoder.history, training: encoder.training,
    },
    arrays: encoder.params.map((p) => ({ name: p.name, shape: p.shape, data: p.data })),
  };
}

/** The encoder of a bundle written from `bowMlpBundle` (its spec resolved); `fail` on anything inconsistent. */
export async function bowMlpEncoderFromBundle(b: EncoderBundle, spec: ResolvedBowMlpSpec, fail: Fail): Promise<BowMlpTextEncoder> {
  const meta = (b.meta ?? {}) as Record<string, unknown>;
  const trainedOn = typeof meta.trainedOn === "string" ? meta.trainedOn : fail(`"meta.trainedOn" must be a string`);
  const numClasses = meta.numClasses;
  if (!isPositiveInteger(numClasses) || numClasses < 2) return fail(`"meta.numClasses" must be an integer ≥ 2`);
  const shapes = bowParamShapes(spec, numClasses);
  const params = takeArrays(b, shapes, fail);
  const h = takeSoftmaxHistory(meta.history, fail);
  const t = meta.training as BowMlpTextEncoder["training"] | undefined;
  if (!t || typeof t.samples !== "number") fail(`"meta.training" is missing or malformed`);
  const classNames = Array.isArray(meta.classNames) ? (meta.classNames as string[]) : [];
  const { tf } = await getTf();
  return new BowMlpTextEncoder(tf, spec, params, numClasses, classNames, h, t!, trainedOn);
}
