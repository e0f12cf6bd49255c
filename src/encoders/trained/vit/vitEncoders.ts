/**
 * A family of vision transformers trained here from scratch on 28 × 28 grey images (Fashion-MNIST;
 * the grey emoji for Fig. 7): the offline stand-in for the paper's pretrained ViTs. Patch embedding,
 * learned positions, multi-head self-attention and GELU MLP blocks with LayerNorm before (pre-LN) or
 * after (post-LN) each sublayer, [CLS] or mean pooling; each trained jointly with a linear softmax
 * head on the same images. Members differ in seed, width (64–192), depth (4–6), LayerNorm placement
 * and pooling (vitSpec.ts).
 *
 * The family through the shared lifecycle (lifecycle.ts), one file per concern:
 *   vitSpec.ts       specs, the family's members, validation, quick mode
 *   vitNetwork.ts    the forward pass (patches → tokens → blocks → pooled embedding), split at any layer
 *   vitTraining.ts   fit: `trainVitEncoder`
 *   vitModel.ts      the encoder (`embed`, `accuracy`, `walkLayers`, `embeddingFrom`) and its (de)serialiser
 *   here             `VIT_ENCODERS` (the family), save / load / cache, embeddings through the cache
 * The transformer blocks themselves are ../transformer/ (shared with the text transformers, bert/).
 *
 * Quick mode (`isQuickMode()`): `cachedVitEncoder` trains on ≤ 2,000 images for ≤ 4 epochs.
 */
import { isQuickMode } from "../../../config";
import { encoderCacheDir } from "../../../data/cache";
import { loadFashionMnist, type FashionMnistSplit } from "../../../data/images/fashionMnist";
import type { ProgressMode } from "../../../engine/progress";
import { InvalidParameterError } from "../../../errors";
import type { Matrix } from "../../../linalg/matrix";
import { trainedEncoderDir, type ImageData } from "../imageNetwork";
import { cachedEncoder, cachedEncoderEmbeddings, effectiveSpec, loadEncoder, saveEncoder, specCachePath, type EncoderFamily } from "../lifecycle";
import { VitEncoder, vitBundle, vitEncoderFromBundle } from "./vitModel";
import { quickVitSpec, resolveVitSpec, VIT_ENCODER_VERSION, type ResolvedVitSpec, type VitSpec } from "./vitSpec";
import { trainVitEncoder } from "./vitTraining";

/** The ViT family in the lifecycle: files of kind "vit", fitted on labelled grey images. */
export const VIT_ENCODERS: EncoderFamily<VitSpec, ResolvedVitSpec, VitEncoder, ImageData> = {
  kind: "vit",
  title: "ViT encoder",
  version: VIT_ENCODER_VERSION,
  resolve: resolveVitSpec,
  quick: quickVitSpec,
  fit: trainVitEncoder,
  toBundle: vitBundle,
  fromBundle: vitEncoderFromBundle,
};

/** Writes the encoder (spec, weights, history) to ONE JSON file, atomically. */
export function saveVitEncoder(encoder: VitEncoder, path: string): void {
  saveEncoder(VIT_ENCODERS, encoder, path);
}

/** Reads an encoder written by `saveVitEncoder`. @throws FileFormatError naming the file if it is missing, corrupt or inconsistent. */
export async function loadVitEncoder(path: string): Promise<VitEncoder> {
  return loadEncoder<VitEncoder>(VIT_ENCODERS, path);
}

export interface CachedVitEncoderOptions {
  /** Default `isQuickMode()`: train with `quickVitSpec(spec)`. */
  quick?: boolean;
  /** Training data; default the Fashion-MNIST train split (loaded only when training is needed). */
  data?: ImageData;
  /** Folder of the encoder files, default `<cacheRoot()>/encoders/fashion-mnist` (required for `data` other than the Fashion-MNIST train split). */
  dir?: string;
  progress?: boolean | ProgressMode;
}

/** Where `cachedVitEncoder` keeps the encoder of this (effective) spec. */
export function vitEncoderPath(spec: VitSpec, options: Pick<CachedVitEncoderOptions, "quick" | "dir"> = {}): string {
  return specCachePath(VIT_ENCODERS, effectiveSpec(VIT_ENCODERS, spec, options.quick ?? isQuickMode()), options.dir ?? encoderCacheDir("fashion-mnist"));
}

/** The encoder of `spec`, trained once and kept under the encoder cache (quick and full mode in different files). */
export async function cachedVitEncoder(spec: VitSpec, options: CachedVitEncoderOptions = {}): Promise<VitEncoder> {
  const quick = options.quick ?? isQuickMode();
  return cachedEncoder(VIT_ENCODERS, {
    spec: effectiveSpec(VIT_ENCODERS, spec, quick),
    path: vitEncoderPath(spec, { quick, dir: trainedEncoderDir(options.data, options.dir) }),
    data: () => options.data ?? loadFashionMnist({ split: "train" }),
    fit: { quick, progress: options.progress },
  });
}

export interface EmbedVitOptions {
  /** Data set name in the embedding cache, default "fashion-mnist". */
  dataset?: string;
  split: FashionMnistSplit;
  /** Which images (default all of the split); give `subsetName` with them. */
  indices?: ArrayLike<number>;
  /** Cache name of the subset, e.g. "n2000-s0"; default "all" (only without `indices`). */
  subsetName?: string;
  /** The split's images if already loaded (required for a data set other than Fashion-MNIST). */
  data?: ImageData;
}

/** Embeddings of images by a ViT through the embedding cache (encoder = its id, version = code version + weight digest). */
export async function embedWithVit(encoder: VitEncoder, options: EmbedVitOptions): Promise<Matrix> {
  const { split } = options;
  const dataset = options.dataset ?? "fashion-mnist";
  if (split !== "train" && split !== "test") throw new InvalidParameterError("split", `expected "train" or "test", got ${JSON.stringify(split)}`);
  if (options.indices !== undefined && options.subsetName === undefined) {
    throw new InvalidParameterError("subsetName", "name the subset (e.g. \"n2000-s0\") when passing indices, so its embeddings are cached under that name");
  }
  if (dataset !== "fashion-mnist" && options.data === undefined) throw new InvalidParameterError("data", `give the images of data set "${dataset}"`);
  let data = options.data;
  const load = () => (data ??= loadFashionMnist({ split }));
  const indices = options.indices;
  return cachedEncoderEmbeddings(encoder, {
    dataset, split, subset: options.subsetName ?? "all",
    count: indices ? indices.length : load().count,
    chunkSize: 2048,
    embed: (start, end) => encoder.embed(load(), Array.from({ length: end - start }, (_, k) => (indices ? indices[start + k] : start + k))),
  });
}
