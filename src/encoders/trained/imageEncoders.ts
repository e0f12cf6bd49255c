/**
 * A family of Fashion-MNIST image encoders trained from scratch, independently: the offline stand-in
 * for the paper's different pretrained vision encoders. Each is an encoder network whose output is
 * the latent vector, followed by a linear softmax classifier, trained jointly with cross-entropy on
 * the same training images; the encoders differ in seed, architecture (MLP / small CNN), width,
 * depth, activation and latent size (64–512), so their latent spaces differ — the premise of latent
 * space translation.
 *
 * The family through the shared lifecycle (lifecycle.ts), one file per concern:
 *   imageSpec.ts      specs, the family's members, validation, quick mode
 *   imageNetwork.ts   the MLP / CNN forward pass (custom-gradient convolutions), pixel standardisation
 *   imageTraining.ts  fit: `trainImageEncoder`
 *   imageModel.ts     the encoder (`embed`, `accuracy`, its head) and its (de)serialiser
 *   here              `IMAGE_ENCODERS` (the family), save / load / cache, embeddings through the cache
 *
 * Quick mode (`LATENT_BRIDGE_QUICK=1`, `isQuickMode()`): `cachedImageEncoder` trains on 2,000 images
 * for at most 2 epochs (see `quickImageSpec`), so a CI notebook finishes fast.
 */
import { encoderCacheDir } from "../../data/cache";
import { loadFashionMnist, type FashionMnistSplit } from "../../data/images/fashionMnist";
import type { ProgressMode } from "../../engine/progress";
import { InvalidParameterError } from "../../errors";
import type { Matrix } from "../../linalg/matrix";
import { isQuickMode } from "../../config";
import {
  cachedEncoder, cachedEncoderEmbeddings, effectiveSpec, loadEncoder, saveEncoder, specCachePath, type EncoderFamily,
} from "./lifecycle";
import { ImageEncoder, imageBundle, imageEncoderFromBundle } from "./imageModel";
import { trainedEncoderDir, type ImageData } from "./imageNetwork";
import { IMAGE_ENCODER_VERSION, quickImageSpec, resolveImageSpec, type ImageEncoderSpec, type ResolvedImageEncoderSpec } from "./imageSpec";
import { trainImageEncoder } from "./imageTraining";

/** The image encoder family in the lifecycle: files of kind "image", fitted on labelled images. */
export const IMAGE_ENCODERS: EncoderFamily<ImageEncoderSpec, ResolvedImageEncoderSpec, ImageEncoder, ImageData> = {
  kind: "image",
  title: "image encoder",
  version: IMAGE_ENCODER_VERSION,
  resolve: resolveImageSpec,
  quick: quickImageSpec,
  fit: trainImageEncoder,
  toBundle: imageBundle,
  fromBundle: imageEncoderFromBundle,
};

/** Writes the encoder (spec, weights, history) to ONE JSON file, atomically. */
export function saveImageEncoder(encoder: ImageEncoder, path: string): void {
  saveEncoder(IMAGE_ENCODERS, encoder, path);
}

/**
 * Reads an encoder written by `saveImageEncoder`; it embeds identically to the one saved.
 * @throws FileFormatError naming the file if it is missing, corrupt or inconsistent with its spec.
 */
export async function loadImageEncoder(path: string): Promise<ImageEncoder> {
  return loadEncoder<ImageEncoder>(IMAGE_ENCODERS, path);
}

export interface CachedImageEncoderOptions {
  /** Default `isQuickMode()`: train with `quickImageSpec(spec)`. */
  quick?: boolean;
  /** Training data; default the Fashion-MNIST train split (loaded only when training is needed). */
  data?: ImageData;
  /** Folder of the encoder files, default `<cacheRoot()>/encoders/fashion-mnist` (required for `data` other than the Fashion-MNIST train split). */
  dir?: string;
  progress?: boolean | ProgressMode;
}

/** Where `cachedImageEncoder` keeps the encoder of this (effective) spec. */
export function imageEncoderPath(spec: ImageEncoderSpec, options: Pick<CachedImageEncoderOptions, "quick" | "dir"> = {}): string {
  const s = effectiveSpec(IMAGE_ENCODERS, spec, options.quick ?? isQuickMode());
  return specCachePath(IMAGE_ENCODERS, s, options.dir ?? encoderCacheDir("fashion-mnist"));
}

/**
 * The encoder of `spec`, trained once and kept in `<cacheRoot()>/encoders/fashion-mnist/` (file name
 * = id + hash of the effective spec, so quick- and full-mode encoders never collide). A corrupt file,
 * or one holding another spec, is reported on stderr and retrained.
 */
export async function cachedImageEncoder(spec: ImageEncoderSpec, options: CachedImageEncoderOptions = {}): Promise<ImageEncoder> {
  const quick = options.quick ?? isQuickMode();
  return cachedEncoder(IMAGE_ENCODERS, {
    spec: effectiveSpec(IMAGE_ENCODERS, spec, quick),
    path: imageEncoderPath(spec, { quick, dir: trainedEncoderDir(options.data, options.dir) }),
    data: () => options.data ?? loadFashionMnist({ split: "train" }),
    fit: { quick, progress: options.progress },
  });
}

export interface EmbedFashionMnistOptions {
  split: FashionMnistSplit;
  /** Which images (default all of the split); give `subsetName` with them. */
  indices?: ArrayLike<number>;
  /** Cache name of the subset, e.g. "n2000-s0"; default "all" (only without `indices`). */
  subsetName?: string;
  /** The split's data if already loaded. */
  data?: ImageData;
}

/**
 * Latents of Fashion-MNIST images through the embedding cache (dataset "fashion-mnist", encoder =
 * the encoder id, version = code version + weight digest, seed = the encoder's seed).
 */
/**
 * Latents of Fashion-MNIST images through the embedding cache (dataset "fashion-mnist", encoder =
 * the encoder id, version = code version + weight digest, seed = the encoder's seed).
 */
export async function embedFashionMnist(encoder: ImageEncoder, options: EmbedFashionMnistOptions): Promise<Matrix> {
  const { split } = options;
  if (split !== "train" && split !== "test") throw new InvalidParameterError("split", `expected "train" or "test", got ${JSON.stringify(split)}`);
  if (options.indices !== undefined && options.subsetName === undefined) {
    throw new InvalidParameterError("subsetName", "name the subset (e.g. \"n2000-s0\") when passing indices, so its embeddings are cached under that name");
  }
  let data = options.data;
  const load = () => (data ??= loadFashionMnist({ split }));
  const indices = options.indices;
  return cachedEncoderEmbeddings(encoder, {
    dataset: "fashion-mnist", split, subset: options.subsetName ?? "all",
    count: indices ? indices.length : load().count,
    chunkSize: 2048,
    embed: (start, end) => encoder.embed(load(), Array.from({ length: end - start }, (_, k) => (indices ? indices[start + k] : start + k))),
  });
}
