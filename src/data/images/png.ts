import { existsSync, readFileSync } from "node:fs";
import { PNG } from "pngjs";
import { FileFormatError } from "../../errors";
import { MissingDataError } from "../../errors";

/** A decoded image: width × height RGBA bytes, row-major, interleaved. */
export interface RgbaImage {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/** Decodes a PNG file (any colour type/bit depth pngjs reads) to 8-bit RGBA. */
export function decodePng(path: string): RgbaImage {
  if (!existsSync(path)) throw new MissingDataError(path, "PNG file does not exist");
  return decodePngBytes(readFileSync(path), path);
}

/** Decodes PNG bytes; `file` names the source in errors. */
export function decodePngBytes(bytes: Uint8Array, file: string): RgbaImage {
  let png: { width: number; height: number; data: Buffer };
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new FileFormatError(file, `expected a valid PNG image, decoding failed (${(e as Error).message})`);
  }
  if (png.data.length !== png.width * png.height * 4) {
    throw new FileFormatError(file, `expected ${png.width}×${png.height}×4 RGBA bytes, decoded ${png.data.length}`);
  }
  return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
}

/**
 * RGBA bytes → interleaved RGB floats in [0, 1], composited over a white background with the alpha
 * channel (transparent pixels become white): c' = (α·c + (255 − α)·255) / 255².
 */
export function rgbaOnWhite(rgba: ArrayLike<number>): Float32Array {
  const n = rgba.length >> 2;
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const a = rgba[4 * i + 3] / 255;
    const w = 1 - a;
    out[3 * i] = (rgba[4 * i] / 255) * a + w;
    out[3 * i + 1] = (rgba[4 * i + 1] / 255) * a + w;
    out[3 * i + 2] = (rgba[4 * i + 2] / 255) * a + w;
  }
  return out;
}
