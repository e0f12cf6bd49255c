import { InvalidParameterError, ShapeMismatchError } from "../../errors";

/**
 * Bilinear resize of an interleaved (row-major, height × width × channels) image, e.g. the 64-px
 * emoji or 28-px Fashion-MNIST images up to the 224/299 px that the image encoders take.
 *
 * Convention: half-pixel centres with edge clamping — output pixel (x, y) samples the input at
 * ((x + 0.5)·w/outW − 0.5, (y + 0.5)·h/outH − 0.5), clamped to the image. This is OpenCV's
 * INTER_LINEAR and `tf.image.resizeBilinear(…, alignCorners=false, halfPixelCenters=true)`. No
 * anti-aliasing: shrinking by more than 2× skips pixels.
 *
 * A 2×2 checker [[0,1],[1,0]] resized to 4×4 gives rows
 * [0, .25, .75, 1], [.25, .375, .625, .75], [.75, .625, .375, .25], [1, .75, .25, 0].
 */
export function resizeBilinear(
  pixels: ArrayLike<number>,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
  channels = 3,
): Float32Array {
  for (const [name, v] of [["width", width], ["height", height], ["outWidth", outWidth], ["outHeight", outHeight], ["channels", channels]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new InvalidParameterError(name, `expected a positive integer, got ${v}`);
  }
  if (pixels.length !== width * height * channels) {
    throw new ShapeMismatchError(
      "pixels",
      `expected ${width}×${height}×${channels} = ${width * height * channels} values, got ${pixels.length}`,
    );
  }
  const out = new Float32Array(outWidth * outHeight * channels);
  const x0 = new Int32Array(outWidth);
  const x1 = new Int32Array(outWidth);
  const fx = new Float64Array(outWidth);
  const sx = width / outWidth;
  for (let x = 0; x < outWidth; x++) {
    const s = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), width - 1);
    x0[x] = Math.floor(s);
    x1[x] = Math.min(x0[x] + 1, width - 1);
    fx[x] = s - x0[x];
  }
  const sy = height / outHeight;
  for (let y = 0; y < outHeight; y++) {
    const s = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), height - 1);
    const y0 = Math.floor(s);
    const y1 = Math.min(y0 + 1, height - 1);
    const fy = s - y0;
    const r0 = y0 * width;
    const r1 = y1 * width;
    for (let x = 0; x < outWidth; x++) {
      const a = (r0 + x0[x]) * channels;
      const b = (r0 + x1[x]) * channels;
      const c = (r1 + x0[x]) * channels;
      const d = (r1 + x1[x]) * channels;
      const wx = fx[x];
      const o = (y * outWidth + x) * channels;
      for (let k = 0; k < channels; k++) {
        const top = pixels[a + k] + (pixels[b + k] - pixels[a + k]) * wx;
        const bottom = pixels[c + k] + (pixels[d + k] - pixels[c + k]) * wx;
        out[o + k] = top + (bottom - top) * fy;
      }
    }
  }
  return out;
}

/**
 * One grey channel → three identical RGB channels (interleaved), each value multiplied by `scale`
 * (pass 1/255 to turn 0–255 bytes into [0, 1]).
 */
export function greyToRgb(grey: ArrayLike<number>, scale = 1): Float32Array {
  if (!Number.isFinite(scale)) throw new InvalidParameterError("scale", `expected a finite number, got ${scale}`);
  const out = new Float32Array(grey.length * 3);
  for (let i = 0; i < grey.length; i++) {
    const v = grey[i] * scale;
    out[3 * i] = v;
    out[3 * i + 1] = v;
    out[3 * i + 2] = v;
  }
  return out;
}
