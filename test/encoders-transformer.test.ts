/**
 * The transformer blocks shared by the ViT and BERT families (src/encoders/trained/transformer):
 * LayerNorm, GELU, attention and the pre-/post-LN blocks — their gradients on the wasm backend
 * against numerical ones, and what LayerNorm does and does not make scale invariant:
 *
 *   LN(αx) = LN(x)                                   (up to ε: the variance becomes α²·var + ε)
 *   pre-LN block:  A(αh) − αh = A(h) − h             (the attention branch sees LN(h); the residual carries α on,
 *                                                    so the MLP branch and the block's output do change)
 *   pre-LN model:  finalLN(α·h_L) = finalLN(h_L)     (the output ignores the scale of the last hidden state)
 *   post-LN block: B(αh) ≠ B(h)                      (attention sees αh: logits × α², values × α, before its LN)
 */
import type * as TF from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { getTf, type Tf } from "../src/engine/tf";
import { InvalidParameterError } from "../src/errors";
import { Random } from "../src/linalg/random";
import { gelu, keyBiasOf, layerNorm, selfAttention } from "../src/encoders/trained/transformer/layers";
import { warmupCosine } from "../src/encoders/trained/transformer/schedule";
import {
  attentionSublayer, block, checkTransformerShape, finalNorm, initialValues, paramsByName, runBlocks, stackParamShapes, type Params, type TransformerShape,
} from "../src/encoders/trained/transformer/stack";
import { gradCheck, normalTensor } from "./gradcheck";

let tf: Tf;
beforeAll(async () => {
  ({ tf } = await getTf());
});

const maxAbs = (a: TF.Tensor, b: TF.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
const maxOf = (a: TF.Tensor) => tf.tidy(() => tf.max(tf.abs(a)).dataSync()[0]);

/** A random stack: Glorot weights, and LN gains/biases and biases perturbed away from 1/0 so that every parameter matters. */
function randomStack(shape: TransformerShape, seed: number): { p: Params; tensors: TF.Tensor[] } {
  const rng = new Random(seed);
  const specs = initialValues(stackParamShapes(shape), rng).map((s) => ({ ...s, data: s.data.map((v) => v + 0.1 * rng.normal()) }));
  const tensors = specs.map((s) => tf.tensor(s.data, s.shape, "float32"));
  return { p: paramsByName(specs, tensors), tensors };
}

describe("LayerNorm, GELU and attention", () => {
  it("LayerNorm has zero mean and unit variance per token and ignores the input's scale (up to ε)", () => {
    const x = normalTensor(tf, [2, 5, 16], 0, 3);
    const g = tf.ones([16]), b = tf.zeros([16]);
    const y = layerNorm(tf, x, g, b);
    const { mean, variance } = tf.moments(y, 2);
    expect(maxOf(mean)).toBeLessThan(1e-5);
    // var(y) = var/(var + ε) with var ≈ 9: 1 − 1e-5/9.
    expect(maxAbs(variance, tf.onesLike(variance))).toBeLessThan(1e-5);
    for (const alpha of [0.1, 10, 1000]) expect(maxAbs(layerNorm(tf, tf.mul(x, alpha), g, b), y)).toBeLessThan(2e-4);
    // … but not for a tiny input, where ε dominates: LN(1e-4·x) shrinks towards 0 (the invariance is "up to ε").
    expect(maxAbs(layerNorm(tf, tf.mul(x, 1e-4), g, b), y)).toBeGreaterThan(0.5);
    tf.dispose([x, g, b, y, mean, variance]);
  });

  it("GELU is the exact x·Φ(x)", () => {
    const x = tf.tensor1d([-3, -1, 0, 0.5, 2]);
    const Phi = (v: number) => 0.5 * (1 + erf(v / Math.SQRT2));
    const got = gelu(tf, x).dataSync();
    [-3, -1, 0, 0.5, 2].forEach((v, i) => expect(got[i]).toBeCloseTo(v * Phi(v), 5));
    x.dispose();
  });

  it("attention with a padding mask ignores the padded tokens entirely", () => {
    const d = 8, heads = 2;
    const rng = new Random(4);
    const w = (r: number, c: number) => tf.tensor2d(Float32Array.from({ length: r * c }, () => 0.3 * rng.normal()), [r, c]);
    const p = { qkvW: w(d, 3 * d), qkvB: tf.zeros([3 * d]), projW: w(d, d), projB: tf.zeros([d]) };
    const x = normalTensor(tf, [1, 5, d], 5) as TF.Tensor3D;
    // The same 3 real tokens, followed by 2 padding tokens holding different garbage.
    const y = normalTensor(tf, [1, 5, d], 6) as TF.Tensor3D;
    const mixed = tf.concat([tf.slice(x, [0, 0, 0], [1, 3, d]), tf.slice(y, [0, 3, 0], [1, 2, d])], 1) as TF.Tensor3D;
    const mask = keyBiasOf(tf, tf.tensor2d([[1, 1, 1, 0, 0]]));
    const a = selfAttention(tf, x, p, heads, mask), b = selfAttention(tf, mixed, p, heads, mask);
    expect(maxAbs(tf.slice(a, [0, 0, 0], [1, 3, d]), tf.slice(b, [0, 0, 0], [1, 3, d]))).toBeLessThan(1e-6);
    // Without the mask the real tokens see the garbage.
    expect(maxAbs(tf.slice(selfAttention(tf, x, p, heads), [0, 0, 0], [1, 3, d]), tf.slice(selfAttention(tf, mixed, p, heads), [0, 0, 0], [1, 3, d]))).toBeGreaterThan(1e-3);
    tf.dispose([x, y, mixed, mask, a, b, ...Object.values(p)]);
  });

  it("the gradients of LayerNorm, GELU, attention and a whole block (pre- and post-LN) match numerical ones", () => {
    const x = normalTensor(tf, [2, 4, 8], 7) as TF.Tensor3D;
    const dy = normalTensor(tf, [2, 4, 8], 8);
    const g = normalTensor(tf, [8], 9, 0.5), b = normalTensor(tf, [8], 10, 0.5);
    expect(gradCheck(tf, (xi, gi, bi) => tf.sum(tf.mul(layerNorm(tf, xi, gi, bi), dy)) as TF.Scalar, [x, g, b]).worst).toBeLessThan(5e-3);
    expect(gradCheck(tf, (xi) => tf.sum(tf.mul(gelu(tf, xi), dy)) as TF.Scalar, [x]).worst).toBeLessThan(5e-3);
    for (const norm of ["pre", "post"] as const) {
      const shape: TransformerShape = { width: 8, depth: 1, heads: 2, mlpRatio: 2, norm };
      const { tensors: all } = randomStack(shape, 11);
      // The block's own parameters (not the stack's embedding/final LayerNorm).
      const names = stackParamShapes(shape).filter((s) => s.name.startsWith("block0."));
      const tensors = all.slice(0, names.length);
      const loss = (xi: TF.Tensor, ...ps: TF.Tensor[]) =>
        tf.sum(tf.mul(block(tf, shape, paramsByName(names, ps), 0, xi as TF.Tensor3D), dy)) as TF.Scalar;
      // Measured worst relative errors 1e-4–1e-3 (float32 central differences, h = 1e-2).
      const check = gradCheck(tf, loss, [x, ...tensors], 4);
      expect(check.checked).toBe(4 * (1 + tensors.length));
      expect(check.worst).toBeLessThan(5e-3);
      tf.dispose(all);
    }
    tf.dispose([x, dy, g, b]);
  });
});

describe("scale invariance of pre- and post-LN stacks", () => {
  const h = () => normalTensor(tf, [2, 6, 16], 12, 2) as TF.Tensor3D;

  it("pre-LN: the attention branch ignores the input's scale, the block's output does not; the final LN makes the output invariant", () => {
    const shape: TransformerShape = { width: 16, depth: 3, heads: 4, mlpRatio: 2, norm: "pre" };
    const { p, tensors } = randomStack(shape, 13);
    const x = h();
    const base = block(tf, shape, p, 0, x);
    const attended = attentionSublayer(tf, shape, p, 0, x);
    for (const alpha of [0.25, 4]) {
      const scaled = block(tf, shape, p, 0, tf.mul(x, alpha) as TF.Tensor3D);
      // A(αh) − αh = A(h) − h: the attention update added to the residual stream is unchanged …
      const scaledAttended = attentionSublayer(tf, shape, p, 0, tf.mul(x, alpha) as TF.Tensor3D);
      // (Measured 1e-4 at α = 4: float32 rounding of residual values of size ~10, and ε.)
      expect(maxAbs(tf.sub(scaledAttended, tf.mul(x, alpha)), tf.sub(attended, x))).toBeLessThan(5e-4);
      // … but the residual stream keeps α, so the MLP branch sees another input and the block's
      // output is neither invariant nor α × the output.
      expect(maxAbs(scaled, base)).toBeGreaterThan(0.5);
      expect(maxAbs(scaled, tf.mul(base, alpha))).toBeGreaterThan(0.1);
      // Scaling the LAST hidden state: the final LayerNorm removes it.
      const last = runBlocks(tf, shape, p, x, 0, 3);
      expect(maxAbs(finalNorm(tf, shape, p, tf.mul(last, alpha) as TF.Tensor3D), finalNorm(tf, shape, p, last))).toBeLessThan(1e-4);
      // Scaling an inner hidden state changes the output.
      const fromOne = (s: number) => finalNorm(tf, shape, p, runBlocks(tf, shape, p, tf.mul(block(tf, shape, p, 0, x), s) as TF.Tensor3D, 1, 3));
      expect(maxAbs(fromOne(alpha), fromOne(1))).toBeGreaterThan(0.05);
    }
    tf.dispose([x, base, attended, ...tensors]);
  });

  it("post-LN: the block normalises its output, but its attention sees the rescaled input, so the output changes", () => {
    const shape: TransformerShape = { width: 16, depth: 2, heads: 4, mlpRatio: 2, norm: "post" };
    const { p, tensors } = randomStack(shape, 14);
    const x = h();
    const base = block(tf, shape, p, 0, x);
    // Every output token has LN statistics: mean β̄-ish, fixed scale — whatever the input's scale.
    const outNorm = (t: TF.Tensor) => tf.tidy(() => tf.mean(tf.norm(t, "euclidean", 2)).dataSync()[0]);
    for (const alpha of [0.25, 4]) {
      const scaled = block(tf, shape, p, 0, tf.mul(x, alpha) as TF.Tensor3D);
      expect(Math.abs(outNorm(scaled) - outNorm(base)) / outNorm(base)).toBeLessThan(0.1);
      expect(maxAbs(scaled, base)).toBeGreaterThan(0.1);
    }
    tf.dispose([x, base, ...tensors]);
  });

  it("running the rest of the network from a hidden state reproduces the whole pass exactly", () => {
    for (const norm of ["pre", "post"] as const) {
      const shape: TransformerShape = { width: 16, depth: 3, heads: 4, mlpRatio: 2, norm };
      const { p, tensors } = randomStack(shape, 15);
      const x = h();
      const whole = runBlocks(tf, shape, p, x, 0, 3);
      for (let l = 0; l <= 3; l++) {
        const split = runBlocks(tf, shape, p, runBlocks(tf, shape, p, x, 0, l), l, 3);
        expect(maxAbs(split, whole)).toBe(0);
      }
      expect(() => runBlocks(tf, shape, p, x, 2, 1)).toThrow(InvalidParameterError);
      expect(() => runBlocks(tf, shape, p, x, 0, 4)).toThrow(/0…3/);
      tf.dispose([x, whole, ...tensors]);
    }
  });
});

describe("shapes and the schedule", () => {
  it("a stack's parameters: 12 per block plus one LayerNorm; bad shapes are refused naming the field", () => {
    expect(stackParamShapes({ width: 8, depth: 2, heads: 2, mlpRatio: 4, norm: "pre" }).length).toBe(2 * 12 + 2);
    expect(stackParamShapes({ width: 8, depth: 2, heads: 2, mlpRatio: 4, norm: "post" }).at(-1)!.name).toBe("embed.ln.b");
    expect(() => checkTransformerShape({ width: 10, depth: 2, heads: 4, mlpRatio: 2, norm: "pre" }, "spec")).toThrow(/spec\.heads/);
    expect(() => checkTransformerShape({ width: 8, depth: 2, heads: 2, mlpRatio: 2, norm: "mid" as "pre" }, "spec")).toThrow(/spec\.norm/);
  });

  it("warm-up then cosine decay: peak after the warm-up, floor at the last step", () => {
    const lr = warmupCosine(1e-3, 100, 10);
    expect(lr(0)).toBeCloseTo(1e-4, 12);
    expect(lr(9)).toBeCloseTo(1e-3, 12);
    expect(lr(10)).toBeCloseTo(1e-3, 12);
    expect(lr(99)).toBeCloseTo(5e-5, 12);
    for (let s = 11; s < 100; s++) expect(lr(s)).toBeLessThanOrEqual(lr(s - 1));
    expect(() => warmupCosine(1e-3, 10, 11)).toThrow(InvalidParameterError);
  });
});

/** erf by its series (|x| ≤ 3 needs ~40 terms for 1e-9). */
function erf(x: number): number {
  let sum = 0, term = x;
  for (let n = 0; n < 60; n++) {
    sum += term / (2 * n + 1);
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
