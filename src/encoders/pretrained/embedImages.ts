/**
 * The image data sets (Fashion-MNIST, the Google and Twitter emoji) embedded by a pretrained
 * backbone (imageBackbones.ts) through the resumable embedding cache: which items (all, given
 * indices, or a class-balanced seeded subset), under which cache name, in chunks.
 */
import { cachedEmbeddings, type EmbeddingKey } from "../../data/cache";
import { alignEmojiSets, emojiBatch, loadEmoji, type EmojiItem } from "../../data/images/emoji";
import { fashionMnistBatch, fnv1a32, loadFashionMnist } from "../../data/images/fashionMnist";
import { stratifiedSubset, type SubsetSize } from "../../data/subset";
import { InvalidParameterError } from "../../errors";
import type { Matrix } from "../../linalg/matrix";
import { assertImageBackboneId, IMAGE_EMBEDDING_VERSION, imageBackboneInfo, loadImageBackbone, type ImageBackboneId } from "./imageBackbones";

export type ImageDataset = "fashion-mnist" | "emoji-google" | "emoji-twitter";
export const IMAGE_DATASETS: readonly ImageDataset[] = Object.freeze(["fashion-mnist", "emoji-google", "emoji-twitter"] as ImageDataset[]);

export interface EmbedImagesOptions {
  encoder: ImageBackboneId;
  dataset: ImageDataset;
  /** Fashion-MNIST: "train" | "test". Emoji: "train" | "test" | "all" (the fixed split of src/data/images/emoji.ts). */
  split: "train" | "test" | "all";
  /**
   * Which items of the split, in this order (positions in the split's item list). Cached under
   * `subset` (default "idx<n>") plus "-h<FNV-1a of the indices>", so different lists never share
   * an entry. Give either `indices` or `size`, or neither (= every item, subset "all").
   */
  indices?: ArrayLike<number>;
  /**
   * A class-balanced subset drawn with `stratifiedSubset(labels, size, seed)`: subset name
   * "n<total>-s<seed>" for `{ total }`, "pc<k>-s<seed>" for `{ perClass: k }` or a number.
   */
  size?: SubsetSize;
  /** Name prefix for `indices` (default "idx<n>"). Letters, digits, '.', '_', '+', '-'. */
  subset?: string;
  /** Seed of the `size` subset (and part of the cache key). Default 0. */
  seed?: number;
  /**
   * Emoji only: use the emoji that have an image in both sets, in the same order
   * (`alignEmojiSets`), so emoji-google and emoji-twitter embeddings correspond row by row.
   * The subset name gets the prefix "aligned-". Default false.
   */
  aligned?: boolean;
  /** Images per forward pass (default 16). Not part of the cache key. */
  batchSize?: number;
  /** Images per cached chunk (default 64); a killed run resumes at the last finished chunk. */
  chunkSize?: number;
  /** Fashion-MNIST folder (default as in `loadFashionMnist`). */
  dir?: string;
  /** Cache root (default `cacheRoot()`). */
  root?: string;
}

export interface ImageEmbeddings {
  /** n × dim embeddings, row i for item `indices[i]`. */
  matrix: Matrix;
  /** Class of each row. */
  labels: Uint8Array;
  /** Position of each row's item in the split's item list. */
  indices: Int32Array;
  classNames: string[];
  /** Emoji only: the item of each row. */
  items?: EmojiItem[];
  key: EmbeddingKey;
}

interface Source {
  labels: Uint8Array;
  classNames: string[];
  batch: (indices: ArrayLike<number>, size: number) => Float32Array;
  items?: EmojiItem[];
}

function openSource(o: EmbedImagesOptions): Source {
  if (o.dataset === "fashion-mnist") {
    if (o.split !== "train" && o.split !== "test") {
      throw new InvalidParameterError("split", `expected "train" or "test" for fashion-mnist, got ${JSON.stringify(o.split)}`);
    }
    if (o.aligned) throw new InvalidParameterError("aligned", "only applies to the emoji data sets");
    const data = loadFashionMnist({ split: o.split, dir: o.dir });
    return { labels: data.labels, classNames: data.classNames, batch: (idx, size) => fashionMnistBatch(data, idx, size) };
  }
  if (o.dataset === "emoji-google" || o.dataset === "emoji-twitter") {
    const set = o.dataset === "emoji-google" ? "google" : "twitter";
    if (o.aligned) {
      const a = alignEmojiSets({ split: o.split });
      return { labels: a.labels, classNames: a.classNames, items: a.items, batch: (idx, size) => emojiBatch(Array.from(idx, (i) => a.items[i]), set, size) };
    }
    const e = loadEmoji({ set, split: o.split });
    return { labels: e.labels, classNames: e.classNames, items: e.items, batch: (idx, size) => emojiBatch(Array.from(idx, (i) => e.items[i]), set, size) };
  }
  throw new InvalidParameterError("dataset", `expected one of ${IMAGE_DATASETS.join(", ")}, got ${JSON.stringify(o.dataset)}`);
}

function subsetFor(o: EmbedImagesOptions, labels: Uint8Array, seed: number): { name: string; indices: Int32Array } {
  const n = labels.length;
  if (o.indices !== undefined && o.size !== undefined) throw new InvalidParameterError("indices", "give either indices or size, not both");
  let name: string;
  let indices: Int32Array;
  if (o.indices !== undefined) {
    indices = Int32Array.from(o.indices);
    for (let i = 0; i < indices.length; i++) {
      if (!Number.isInteger(o.indices[i]) || indices[i] < 0 || indices[i] >= n) {
        throw new InvalidParameterError("indices", `expected integers in [0, ${n}), got ${o.indices[i]} at position ${i}`);
      }
    }
    const hash = fnv1a32(new Uint8Array(indices.buffer, indices.byteOffset, indices.byteLength)).toString(16).padStart(8, "0");
    name = `${o.subset ?? `idx${indices.length}`}-h${hash}`;
  } else if (o.size !== undefined) {
    indices = stratifiedSubset(labels, o.size, seed);
    const s = o.size;
    name = typeof s === "number" ? `pc${s}-s${seed}` : "perClass" in s ? `pc${s.perClass}-s${seed}` : `n${s.total}-s${seed}`;
    if (o.subset !== undefined) name = `${o.subset}-${name}`;
  } else {
    indices = Int32Array.from({ length: n }, (_, i) => i);
    name = o.subset ?? "all";
  }
  if (o.aligned) name = `aligned-${name}`;
  return { name, indices };
}

/**
 * Embeddings of (a subset of) an image data set with a backbone, through the embedding cache
 * (`cachedEmbeddings`): computed once, in chunks saved as they finish (with a progress bar), so a
 * long run that is killed resumes; later calls read the cache without loading the model.
 * Key: { dataset, split, subset, encoder, version: IMAGE_EMBEDDING_VERSION, seed }.
 */
export async function embedImages(options: EmbedImagesOptions): Promise<ImageEmbeddings> {
  assertImageBackboneId(options.encoder);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new InvalidParameterError("seed", `expected an integer, got ${seed}`);
  const source = openSource(options);
  const { name, indices } = subsetFor(options, source.labels, seed);
  const key: EmbeddingKey = {
    dataset: options.dataset, split: options.split, subset: name, encoder: options.encoder,
    version: IMAGE_EMBEDDING_VERSION, seed,
  };
  const size = imageBackboneInfo(options.encoder).inputSize;
  const matrix = await cachedEmbeddings(key, {
    count: indices.length,
    chunkSize: options.chunkSize ?? 64,
    label: `${options.encoder} ${options.dataset}/${options.split}/${name}`,
    root: options.root,
    embed: async (start, end) => {
      const backbone = await loadImageBackbone(options.encoder);
      const idx = indices.subarray(start, end);
      return backbone.embed(source.batch(idx, size), idx.length, { batchSize: options.batchSize });
    },
  });
  return {
    matrix,
    labels: Uint8Array.from(indices, (i) => source.labels[i]),
    indices,
    classNames: source.classNames,
    items: source.items ? Array.from(indices, (i) => source.items![i]) : undefined,
    key,
  };
}
