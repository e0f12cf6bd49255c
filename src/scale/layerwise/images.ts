/**
 * The images the layer-wise rescaling walks: any RGB provider, or Fashion-MNIST items of a loaded
 * split; `readBatch` checks what a provider returns (shape, finite, in [0, 1]).
 */
import { InvalidParameterError, NonFiniteError, ShapeMismatchError } from "../../errors";
import { fashionMnistBatch, type FashionMnist } from "../../data/images/fashionMnist";

/** Any source of RGB images in [0, 1] at a requested size: `batch(start, end, size)` → (end−start)·size·size·3 values, NHWC. */
export interface RgbImageProvider {
  count: number;
  batch(start: number, end: number, size: number): Float32Array;
  /** Class of each image, when known (used when `labels` is not given). */
  labels?: ArrayLike<number>;
}

/** Fashion-MNIST images `indices` of a loaded split (labels are taken from it unless given). */
export interface FashionMnistImages {
  fashionMnist: Pick<FashionMnist, "images" | "count"> & Partial<Pick<FashionMnist, "labels">>;
  indices: ArrayLike<number>;
}

export type LayerwiseImages = RgbImageProvider | FashionMnistImages;

export function imageProvider(images: LayerwiseImages, argument: string): RgbImageProvider {
  if (images !== null && typeof images === "object" && "fashionMnist" in images) {
    const { fashionMnist: data, indices } = images;
    if (indices === null || typeof indices !== "object" || typeof indices.length !== "number") {
      throw new InvalidParameterError(`${argument}.indices`, "expected an array of image indices");
    }
    const idx = Int32Array.from(indices);
    for (let i = 0; i < idx.length; i++) {
      if (!Number.isInteger(indices[i]) || idx[i] < 0 || idx[i] >= data.count) {
        throw new InvalidParameterError(`${argument}.indices`, `expected integers in [0, ${data.count}), got ${indices[i]} at position ${i}`);
      }
    }
    return {
      count: idx.length,
      batch: (start, end, size) => fashionMnistBatch(data, idx.subarray(start, end), size),
      labels: data.labels ? Array.from(idx, (i) => data.labels![i]) : undefined,
    };
  }
  const p = images as RgbImageProvider | null | undefined;
  if (p === null || p === undefined || typeof p !== "object" || !Number.isInteger(p.count) || p.count < 0 || typeof p.batch !== "function") {
    throw new InvalidParameterError(argument, "expected { fashionMnist, indices } or { count, batch(start, end, size) }");
  }
  return p;
}

export function readBatch(p: RgbImageProvider, start: number, end: number, size: number, argument: string): Float32Array {
  const pixels = p.batch(start, end, size);
  const per = size * size * 3;
  if (!(pixels instanceof Float32Array) || pixels.length !== (end - start) * per) {
    throw new ShapeMismatchError(argument, `batch(${start}, ${end}, ${size}) must return ${(end - start)}×${size}×${size}×3 = ${(end - start) * per} float32 values, got ${pixels instanceof Float32Array ? pixels.length : typeof pixels}`);
  }
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i];
    if (!Number.isFinite(v)) throw new NonFiniteError(argument, start + Math.floor(i / per), i % per, v);
    if (v < -1e-3 || v > 1 + 1e-3) throw new InvalidParameterError(argument, `expected RGB values in [0, 1], found ${v} in image ${start + Math.floor(i / per)}`);
  }
  return pixels;
}
