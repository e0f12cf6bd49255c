/**
 * The LSA text encoder (kind "lsa"): TF-IDF → truncated SVD (lsa.ts) fitted on a corpus's training
 * texts. What varies with the seed (so seeds give genuinely different spaces, not sign flips): the
 * bag of documents the model is fitted on (80 %, drawn by the seed), the vocabulary (each eligible
 * term kept with probability 0.8, drawn by the seed) and the random start of the subspace
 * iteration. Unsupervised: labels are not used. Here: fit, the encoder (`embed`), and its
 * (de)serialiser.
 *
 * A text with no known term embeds to the zero vector (cosine is then undefined; the encoder
 * reports how many such texts it met in `lastEmptyCount`).
 */
import type { Fail } from "../../data/modelFile";
import { progress, resolveProgressMode, type ProgressMode } from "../../engine/progress";
import type { Matrix } from "../../linalg/matrix";
import type { FitOptions } from "./lifecycle";
import { fitLsa, lsaFitSteps, lsaIndex, lsaTransform, type LsaFitInfo, type LsaModel, type LsaOptions } from "./lsa";
import { bundleChecksum, takeArray, type EncoderBundle, type NamedArray } from "./persist";
import { countZeroRows, tokenizeTexts } from "./textFeatures";
import {
  textEncoderName, TEXT_ENCODER_VERSION, trainingTexts, type ResolvedLsaEncoderSpec, type TextTrainingData, type TrainedTextEncoder,
} from "./textSpec";

/** Fits the LSA encoder of `s` on `data`'s texts (the first `s.trainSize` when set). Deterministic for a spec and data. */
export async function fitLsaTextEncoder(s: ResolvedLsaEncoderSpec, data: TextTrainingData, options: FitOptions = {}): Promise<LsaTextEncoder> {
  const { texts, trainedOn } = trainingTexts(s, data);
  const { model, info } = await fitLsaShowingProgress(`fit ${s.id}`, () => tokenizeTexts(texts, s.cjk), s, options.progress);
  return new LsaTextEncoder(s, model, info, trainedOn);
}

/** `fitLsa` on the documents `tokenize()` gives, with a progress bar over tokenising and the fit's steps. */
export async function fitLsaShowingProgress(
  label: string, tokenize: () => Promise<string[][]>, options: LsaOptions, show?: boolean | ProgressMode,
): Promise<{ model: LsaModel; info: LsaFitInfo }> {
  const bar = progress({ total: 1 + lsaFitSteps(options), label, mode: resolveProgressMode(show) });
  try {
    const docs = await tokenize();
    bar.tick();
    return await fitLsa(docs, options, () => bar.tick());
  } finally {
    bar.done();
  }
}

/** An LSA encoder (TF-IDF → truncated SVD). */
export class LsaTextEncoder implements TrainedTextEncoder {
  readonly spec: ResolvedLsaEncoderSpec;
  readonly model: LsaModel;
  readonly info: LsaFitInfo;
  readonly trainedOn: string;
  readonly digest: string;
  private readonly index: Map<string, number>;
  private empty = 0;

  constructor(spec: ResolvedLsaEncoderSpec, model: LsaModel, info: LsaFitInfo, trainedOn: string) {
    this.spec = spec;
    this.model = model;
    this.info = info;
    this.trainedOn = trainedOn;
    this.index = lsaIndex(model);
    this.digest = bundleChecksum(lsaBundle(this, false)).slice(0, 12);
  }

  get id(): string {
    return textEncoderName(this.spec.id, this.trainedOn);
  }
  get dim(): number {
    return this.model.dim;
  }
  get cacheVersion(): string {
    return `${TEXT_ENCODER_VERSION}-${this.digest}`;
  }
  get lastEmptyCount(): number {
    return this.empty;
  }
  /** The vocabulary (term of each TF-IDF column). */
  get vocabulary(): readonly string[] {
    return this.model.vocabulary;
  }

  async embed(texts: readonly string[]): Promise<Matrix> {
    const docs = await tokenizeTexts(texts, this.spec.cjk);
    const out = lsaTransform(this.model, this.index, docs);
    this.empty = countZeroRows(out);
    return out;
  }

  toString(): string {
    return `${this.id}: LSA ${this.model.vocabulary.length} terms → ${this.dim} (seed ${this.spec.seed}, fitted on ${this.info.baggedDocuments} of ${this.info.documents} documents in ${this.info.seconds.toFixed(1)} s)`;
  }

  dispose(): void {}
}

// ---------------------------------------------------------------------------------------------
// (De)serialisation

/** The encoder as a trained-encoder file bundle; without `info` (timings) it is what the digest covers. */
export function lsaBundle(e: LsaTextEncoder, withInfo = true): EncoderBundle {
  return {
    kind: "lsa", id: e.spec.id, spec: e.spec,
    meta: { version: TEXT_ENCODER_VERSION, trainedOn: e.trainedOn, vocabulary: e.model.vocabulary, sublinearTf: e.model.sublinearTf, info: withInfo ? e.info : null },
    arrays: lsaModelArrays(e.model),
  };
}

/** An LSA model's arrays in a bundle (its vocabulary goes in the bundle's meta). */
export function lsaModelArrays(model: LsaModel): NamedArray[] {
  const V = model.vocabulary.length, k = model.dim;
  return [
    { name: "idf", shape: [V], data: model.idf },
    { name: "components", shape: [V, k], data: model.components },
    { name: "singularValues", shape: [k], data: model.singularValues },
  ];
}

/** The LSA model of a bundle's arrays and a (checked) vocabulary; `fail` on a missing or misshapen array. */
export function lsaModelFromBundle(b: EncoderBundle, vocabulary: string[], dim: number, sublinearTf: boolean, fail: Fail): LsaModel {
  const V = vocabulary.length;
  return {
    vocabulary, dim, sublinearTf,
    idf: takeArray(b, "idf", [V], fail), components: takeArray(b, "components", [V, dim], fail), singularValues: takeArray(b, "singularValues", [dim], fail),
  };
}

/** The encoder of a bundle written from `lsaBundle` (its spec resolved); `fail` on anything inconsistent. */
export function lsaEncoderFromBundle(b: EncoderBundle, spec: ResolvedLsaEncoderSpec, fail: Fail): LsaTextEncoder {
  const meta = (b.meta ?? {}) as Record<string, unknown>;
  const trainedOn = typeof meta.trainedOn === "string" ? meta.trainedOn : fail(`"meta.trainedOn" must be a string`);
  const vocabulary = meta.vocabulary;
  if (!Array.isArray(vocabulary) || !vocabulary.every((t) => typeof t === "string")) return fail(`"meta.vocabulary" must be an array of strings`);
  if (new Set(vocabulary).size !== vocabulary.length) fail(`"meta.vocabulary" has duplicate terms`);
  const model = lsaModelFromBundle(b, vocabulary as string[], spec.dim, meta.sublinearTf === true, fail);
  if (model.sublinearTf !== spec.sublinearTf) fail(`"meta.sublinearTf" disagrees with the spec`);
  const info = meta.info as LsaFitInfo | null;
  if (info === null || typeof info !== "object") fail(`"meta.info" is missing`);
  return new LsaTextEncoder(spec, model, info!, trainedOn);
}
