/**
 * Fashion-MNIST (Zalando Research, MIT) from the gzipped IDX files of Debian's
 * `dataset-fashion-mnist` package: 60 000 train + 10 000 test 28×28 grey images, 10 classes.
 * The split is the official one (train-* / t10k-* files), in the files' own order.
 */
import { ENV, envSetting } from "../../config";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { FileFormatError, InvalidParameterError } from "../../errors";
import { MissingDataError } from "../../errors";
import { greyToRgb, resizeBilinear } from "./resize";

export const FASHION_MNIST_DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";
export const FASHION_MNIST_DIR_ENV = ENV.fashionMnistDir;
export const FASHION_MNIST_LICENSE = "MIT (Zalando Research), Debian package dataset-fashion-mnist";
export const FASHION_MNIST_CLASS_NAMES: readonly string[] = Object.freeze([
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]);
/** File names of each split inside the data directory. */
export const FASHION_MNIST_FILES = Object.freeze({
  train: { images: "train-images-idx3-ubyte.gz", labels: "train-labels-idx1-ubyte.gz" },
  test: { images: "t10k-images-idx3-ubyte.gz", labels: "t10k-labels-idx1-ubyte.gz" },
});

const IDX_IMAGES_MAGIC = 2051; // 0x00000803: unsigned bytes, 3 dimensions
const IDX_LABELS_MAGIC = 2049; // 0x00000801: unsigned bytes, 1 dimension
const SETUP_HINT =
  'run "bash scripts/setup.sh" (or "apt-get install dataset-fashion-mnist"), ' +
  `or set ${FASHION_MNIST_DIR_ENV} to a folder holding the four *-ubyte.gz files`;

export type FashionMnistSplit = "train" | "test";

export interface FashionMnistOptions {
  split: FashionMnistSplit;
  /** Keep only the first `limit` items of the split (all when omitted or larger than the split). */
  limit?: number;
  /** Folder with the IDX files; default `$LATENT_BRIDGE_FASHION_MNIST_DIR` or /usr/share/datasets/fashion-mnist. */
  dir?: string;
}

export interface FashionMnist {
  /** count × 28 × 28 grey bytes (0 = black background), row-major, image after image. */
  images: Uint8Array;
  /** Class index 0–9 of each image (see `classNames`). */
  labels: Uint8Array;
  count: number;
  height: 28;
  width: 28;
  split: FashionMnistSplit;
  classNames: string[];
  license: string;
}

/** A parsed IDX images file (magic 2051). */
export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count·rows·cols bytes, from byte 16 of the file. */
  pixels: Uint8Array;
}

/** Loads one split of Fashion-MNIST. Synchronous; the full train split takes well under a second. */
export function loadFashionMnist(options: FashionMnistOptions): FashionMnist {
  const { split, limit } = options;
  if (split !== "train" && split !== "test") {
    throw new InvalidParameterError("split", `expected "train" or "test", got ${JSON.stringify(split)}`);
  }
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
    throw new InvalidParameterError("limit", `expected a non-negative integer, got ${limit}`);
  }
  const envDir = envSetting("fashionMnistDir");
  const fromEnv = options.dir === undefined && envDir !== undefined;
  const dir = options.dir ?? envDir ?? FASHION_MNIST_DEFAULT_DIR;
  const dirArg = options.dir !== undefined ? "dir" : fromEnv ? FASHION_MNIST_DIR_ENV : "dir";
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new MissingDataError(dirArg, `Fashion-MNIST folder ${dir} does not exist; ${SETUP_HINT}`);
  }
  const imagesFile = join(dir, FASHION_MNIST_FILES[split].images);
  const labelsFile = join(dir, FASHION_MNIST_FILES[split].labels);
  const images = parseIdxImages(readDataFile(imagesFile), imagesFile);
  const labels = parseIdxLabels(readDataFile(labelsFile), labelsFile);
  if (images.rows !== 28 || images.cols !== 28) {
    throw new FileFormatError(imagesFile, `expected 28×28 Fashion-MNIST images, found ${images.rows}×${images.cols}`);
  }
  if (images.count !== labels.length) {
    throw new FileFormatError(
      labelsFile,
      `expected as many labels as images in ${imagesFile} (${images.count}), found ${labels.length}`,
    );
  }
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] > 9) throw new FileFormatError(labelsFile, `expected labels 0–9, found ${labels[i]} at item ${i}`);
  }
  const count = limit === undefined ? images.count : Math.min(limit, images.count);
  const pixelsPerImage = 28 * 28;
  return {
    // Copies when limited, so the full decompressed buffer can be freed.
    images: count === images.count ? images.pixels : images.pixels.slice(0, count * pixelsPerImage),
    labels: count === labels.length ? labels : labels.slice(0, count),
    count,
    height: 28,
    width: 28,
    split,
    classNames: [...FASHION_MNIST_CLASS_NAMES],
    license: FASHION_MNIST_LICENSE,
  };
}

/**
 * Parses an IDX images file (gzipped or not): magic 2051, then count, rows, cols as big-endian
 * 32-bit integers, then count·rows·cols pixel bytes from byte 16. `file` names the file in errors.
 */
export function parseIdxImages(bytes: Uint8Array, file: string): IdxImages {
  const data = maybeGunzip(bytes, file);
  const view = header(data, file, 16, IDX_IMAGES_MAGIC, "images");
  const count = view.getUint32(4);
  const rows = view.getUint32(8);
  const cols = view.getUint32(12);
  const expected = 16 + count * rows * cols;
  if (data.length !== expected) {
    throw new FileFormatError(
      file,
      `expected 16 + ${count}·${rows}·${cols} = ${expected} bytes for ${count} images of ${rows}×${cols}, found ${data.length}`,
    );
  }
  return { count, rows, cols, pixels: data.subarray(16) };
}

/**
 * Parses an IDX labels file (gzipped or not): magic 2049, count as a big-endian 32-bit integer,
 * then count label bytes from byte 8.
 */
export function parseIdxLabels(bytes: Uint8Array, file: string): Uint8Array {
  const data = maybeGunzip(bytes, file);
  const view = header(data, file, 8, IDX_LABELS_MAGIC, "labels");
  const count = view.getUint32(4);
  if (data.length !== 8 + count) {
    throw new FileFormatError(file, `expected 8 + ${count} = ${8 + count} bytes for ${count} labels, found ${data.length}`);
  }
  return data.subarray(8);
}

/** Serialises images as an (uncompressed) IDX file, magic 2051 — the inverse of `parseIdxImages`. */
export function encodeIdxImages(pixels: Uint8Array, count: number, rows: number, cols: number): Uint8Array {
  if (pixels.length !== count * rows * cols) {
    throw new InvalidParameterError("pixels", `expected ${count}·${rows}·${cols} = ${count * rows * cols} bytes, got ${pixels.length}`);
  }
  const out = new Uint8Array(16 + pixels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, IDX_IMAGES_MAGIC);
  view.setUint32(4, count);
  view.setUint32(8, rows);
  view.setUint32(12, cols);
  out.set(pixels, 16);
  return out;
}

/** Serialises labels as an (uncompressed) IDX file, magic 2049 — the inverse of `parseIdxLabels`. */
export function encodeIdxLabels(labels: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + labels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, IDX_LABELS_MAGIC);
  view.setUint32(4, labels.length);
  out.set(labels, 8);
  return out;
}

/**
 * Image `index` of a loaded data set as interleaved RGB floats in [0, 1] (grey copied to the three
 * channels; white clothes on a black background, as in the files), resized bilinearly to
 * `size`×`size` when given (encoders take 224 or 299 px).
 */
export function fashionMnistPixels(data: Pick<FashionMnist, "images" | "count">, index: number, size?: number): Float32Array {
  if (!Number.isInteger(index) || index < 0 || index >= data.count) {
    throw new InvalidParameterError("index", `expected an integer in [0, ${data.count}), got ${index}`);
  }
  const rgb = greyToRgb(data.images.subarray(index * 784, (index + 1) * 784), 1 / 255);
  return size === undefined || size === 28 ? rgb : resizeBilinear(rgb, 28, 28, size, size, 3);
}

/** Images `indices` stacked into one n × size × size × 3 RGB array in [0, 1] (e.g. for `tf.tensor4d`). */
export function fashionMnistBatch(
  data: Pick<FashionMnist, "images" | "count">,
  indices: ArrayLike<number>,
  size = 28,
): Float32Array {
  const per = size * size * 3;
  const out = new Float32Array(indices.length * per);
  for (let i = 0; i < indices.length; i++) out.set(fashionMnistPixels(data, indices[i], size), i * per);
  return out;
}

/** 32-bit FNV-1a hash of bytes — the pixel checksum printed by scripts/make-data-fixtures.ts. */
export function fnv1a32(bytes: ArrayLike<number>): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i] & 0xff;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function readDataFile(file: string): Uint8Array {
  if (!existsSync(file)) throw new MissingDataError(file, `Fashion-MNIST file is missing; ${SETUP_HINT}`);
  const buf = readFileSync(file);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function maybeGunzip(bytes: Uint8Array, file: string): Uint8Array {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      const out = gunzipSync(bytes);
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    } catch (e) {
      throw new FileFormatError(
        file,
        `expected a complete gzip stream of an IDX file, decompression failed (${(e as Error).message}); ` +
          "the file is truncated or corrupt — reinstall it",
      );
    }
  }
  return bytes;
}

function header(data: Uint8Array, file: string, size: number, magic: number, what: string): DataView {
  if (data.length < size) {
    throw new FileFormatError(file, `expected an IDX ${what} file with a ${size}-byte header, found only ${data.length} bytes`);
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const found = view.getUint32(0);
  if (found !== magic) {
    throw new FileFormatError(
      file,
      `expected IDX ${what} magic number ${magic} (0x${magic.toString(16).padStart(8, "0")}), found ${found} (0x${found.toString(16).padStart(8, "0")})`,
    );
  }
  return view;
}
