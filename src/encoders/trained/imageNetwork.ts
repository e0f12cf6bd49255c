/**
 * The networks of the image encoder family (imageSpec.ts says which), as plain functions of their
 * parameters so training (imageTraining.ts) and inference (imageModel.ts) run the same forward pass:
 *
 *   mlp:  x (784, standardised pixels) → [dense + act] × hidden → dense + act → latent
 *   cnn:  x (28×28×1) → [3×3 conv ("same") + act + 2×2 max-pool] × channels → flatten → dense + act → latent
 *   both: latent → linear → 10 logits (the jointly trained head)
 *
 * The latent is the encoder's output AFTER its activation (a "penultimate layer" representation).
 *
 * Convolutions run forward as tf.conv2d (XNNPACK on wasm) with a custom gradient, because the wasm
 * backend has no Conv2DBackpropFilter kernel and its Conv2DBackpropInput is ~10× slower than a
 * forward convolution: for a 3×3 stride-1 "same" convolution
 *   dX = conv2d(dY, W flipped in space with in/out channels swapped, "same")
 *   dW = conv2d(transpose(pad(X), [C,H,W,B]), transpose(dY, [H,W,B,O]), "valid") → [C,3,3,O] → [3,3,C,O]
 * (checked against autodiff of an im2col convolution in the tests). Max-pooling is applied before
 * the bias and the activation — act(maxpool(conv + b)) = act(maxpool(conv) + b) for a per-channel
 * bias and an increasing activation — so those run on 4× fewer values.
 */
import type * as TF from "@tensorflow/tfjs";
import { encoderCacheDir } from "../../data/cache";
import type { FashionMnist } from "../../data/images/fashionMnist";
import type { Tf } from "../../engine/tf";
import { InvalidParameterError, ShapeMismatchError } from "../../errors";
import type { Random } from "../../linalg/random";
import { IMAGE_CLASSES as CLASSES, type ResolvedImageEncoderSpec } from "./imageSpec";
import { initWeight } from "../../heads/softmaxTraining";
import { activate, type EncoderActivation, type ParamSpec } from "./nn";

/** Fashion-MNIST pixel mean and standard deviation (of /255 values, train split): inputs are (p/255 − mean)/std. */
export const FASHION_MNIST_PIXEL_MEAN = 0.286;
export const FASHION_MNIST_PIXEL_STD = 0.353;

export const SIDE = 28, PIXELS = SIDE * SIDE;

/** Parameter names and shapes of a spec, in order (the head last). */
export function parameterShapes(s: ResolvedImageEncoderSpec): { name: string; shape: number[]; fanIn: number; act: EncoderActivation | "linear" }[] {
  const out: { name: string; shape: number[]; fanIn: number; act: EncoderActivation | "linear" }[] = [];
  let flat: number;
  if (s.kind === "mlp") {
    let width = PIXELS;
    s.hidden.forEach((h, i) => {
      out.push({ name: `dense${i}.w`, shape: [width, h], fanIn: width, act: s.activation }, { name: `dense${i}.b`, shape: [h], fanIn: 0, act: s.activation });
      width = h;
    });
    flat = width;
  } else {
    let channels = 1, side = SIDE;
    s.hidden.forEach((c, i) => {
      out.push({ name: `conv${i}.w`, shape: [3, 3, channels, c], fanIn: 9 * channels, act: s.activation }, { name: `conv${i}.b`, shape: [c], fanIn: 0, act: s.activation });
      channels = c;
      side = Math.floor(side / 2);
    });
    flat = side * side * channels;
  }
  out.push({ name: "latent.w", shape: [flat, s.latentDim], fanIn: flat, act: s.activation }, { name: "latent.b", shape: [s.latentDim], fanIn: 0, act: s.activation });
  out.push({ name: "head.w", shape: [s.latentDim, CLASSES], fanIn: s.latentDim, act: "linear" }, { name: "head.b", shape: [CLASSES], fanIn: 0, act: "linear" });
  return out;
}

export function initialParams(s: ResolvedImageEncoderSpec, rng: Random): ParamSpec[] {
  return parameterShapes(s).map(({ name, shape, fanIn, act }) => ({
    name, shape,
    data: shape.length === 1 ? new Float32Array(shape[0]) : initWeight(rng, fanIn, shape[shape.length - 1], act),
  }));
}

/**
 * 3×3 stride-1 "same" convolution x [B, H, W, C] * w [3, 3, C, C'] → [B, H, W, C'], with the custom
 * gradient described in the module comment (every kernel it uses exists on the wasm backend).
 */
export function conv3x3Same(tf: Tf, x: TF.Tensor4D, w: TF.Tensor4D): TF.Tensor4D {
  const op = tf.customGrad((...args: (TF.Tensor | TF.GradSaveFunc)[]) => {
    const [xi, wi, save] = args as [TF.Tensor4D, TF.Tensor4D, TF.GradSaveFunc];
    save([xi, wi]);
    return {
      value: tf.conv2d(xi, wi, 1, "same"),
      gradFunc: (dy: TF.Tensor4D, saved: TF.Tensor[]) => {
        const [xs, ws] = saved as [TF.Tensor4D, TF.Tensor4D];
        const dx = tf.conv2d(dy, tf.transpose(tf.reverse(ws, [0, 1]), [0, 1, 3, 2]) as TF.Tensor4D, 1, "same");
        const xt = tf.transpose(tf.pad(xs, [[0, 0], [1, 1], [1, 1], [0, 0]]), [3, 1, 2, 0]) as TF.Tensor4D;
        const dyt = tf.transpose(dy, [1, 2, 0, 3]) as TF.Tensor4D;
        const dw = tf.transpose(tf.conv2d(xt, dyt, 1, "valid"), [1, 2, 0, 3]);
        return [dx, dw];
      },
    };
  });
  return op(x, w) as TF.Tensor4D;
}

/** Latent of a standardised float32 batch [B, 784]; call inside a tidy. `p` holds the parameters in `parameterShapes` order. */
export function latentOf(tf: Tf, s: ResolvedImageEncoderSpec, p: TF.Tensor[], x: TF.Tensor2D): TF.Tensor2D {
  let k = 0;
  let h: TF.Tensor;
  if (s.kind === "mlp") {
    h = x;
    for (let i = 0; i < s.hidden.length; i++, k += 2) h = activate(tf, tf.add(tf.matMul(h as TF.Tensor2D, p[k] as TF.Tensor2D), p[k + 1]), s.activation);
  } else {
    const B = x.shape[0];
    let img: TF.Tensor4D = tf.reshape(x, [B, SIDE, SIDE, 1]);
    for (let i = 0; i < s.hidden.length; i++, k += 2) {
      const pooled = tf.maxPool(conv3x3Same(tf, img, p[k] as TF.Tensor4D), 2, 2, "valid");
      img = activate(tf, tf.add(pooled, p[k + 1]), s.activation) as TF.Tensor4D;
    }
    h = tf.reshape(img, [B, -1]);
  }
  return activate(tf, tf.add(tf.matMul(h as TF.Tensor2D, p[k] as TF.Tensor2D), p[k + 1]), s.activation) as TF.Tensor2D;
}

/** Standardised float32 pixels of images `indices` (or `start..start+count`) of a uint8 image array. */
export function standardizedBatch(images: Uint8Array, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length * PIXELS);
  const scale = 1 / (255 * FASHION_MNIST_PIXEL_STD), shift = FASHION_MNIST_PIXEL_MEAN / FASHION_MNIST_PIXEL_STD;
  for (let r = 0; r < indices.length; r++) {
    const base = indices[r] * PIXELS, o = r * PIXELS;
    for (let j = 0; j < PIXELS; j++) out[o + j] = images[base + j] * scale - shift;
  }
  return out;
}

/** Images as the encoders take them: count × 784 grey bytes and (for training/accuracy) labels. */
export type ImageData = Pick<FashionMnist, "images" | "count"> & { labels?: Uint8Array | Int32Array };

/** Images in the Fashion-MNIST train split: only they may be trained into the default encoder folder. */
export const FASHION_MNIST_TRAIN_COUNT = 60000;

/**
 * The folder of the encoders trained on `data` (the cached file is named by the spec alone, so
 * the folder is the data's identity): `dir` when given, else `<cacheRoot()>/encoders/fashion-mnist`,
 * which only the whole Fashion-MNIST train split may use (`data` omitted, or `loadFashionMnist({ split:
 * "train" })`). Other images without a folder of their own would silently get the Fashion-MNIST
 * model — or, trained first, be given to every later Fashion-MNIST caller.
 * @throws InvalidParameterError naming `dir`.
 */
export function trainedEncoderDir(data: ImageData | undefined, dir: string | undefined): string {
  if (dir !== undefined) return dir;
  const split = (data as Partial<FashionMnist> | undefined)?.split;
  if (data !== undefined && !(split === "train" && data.count === FASHION_MNIST_TRAIN_COUNT)) {
    throw new InvalidParameterError("dir", `training images other than the whole Fashion-MNIST train split (got ${split === undefined ? "" : `the ${split} split, `}${data.count} images) need their own folder: the cache is keyed by the spec alone`);
  }
  return encoderCacheDir("fashion-mnist");
}

export function checkImages(data: ImageData): void {
  if (data === null || typeof data !== "object" || !(data.images instanceof Uint8Array) || !Number.isInteger(data.count)) {
    throw new InvalidParameterError("data", "expected { images: Uint8Array (count·784 grey bytes), count }");
  }
  if (data.images.length !== data.count * PIXELS) {
    throw new ShapeMismatchError("data.images", `expected ${data.count}·784 = ${data.count * PIXELS} bytes, got ${data.images.length}`);
  }
}
