/**
 * Layer-wise rescaling inside a pretrained backbone (src/scale/layerwise/): graph cuts, the
 * layer-by-layer runner, rescaling at a cut, and the (layer, α) accuracy grid of Fig. 2.
 *
 * Light: a small synthetic functional model with a residual block (cuts, runner = predict).
 * HEAVY (≈ 30 s on 2 cores): loads MobileNetV2 twice (our full Keras model and the production
 * `loadImageBackbone` feature model as the reference) and runs ~40 forward passes over 12 real
 * Fashion-MNIST fixture images at 224 px. Set LATENT_BRIDGE_SKIP_HEAVY=1 to skip it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type * as TF from "@tensorflow/tfjs";
import { getTf, type Tf } from "../src/engine/tf";
import { InvalidParameterError } from "../src/errors";
import { fashionMnistBatch, loadFashionMnist, type FashionMnist } from "../src/data/images/fashionMnist";
import { loadImageBackbone } from "../src/encoders/pretrained/imageBackbones";
import { trainHead } from "../src/heads/classifier";
import { Matrix } from "../src/linalg/matrix";
import { assertCut, isCut, layerGraph, listBlocks, listCuts, NotACutError } from "../src/scale/layerwise/blocks";
import { activationNorms, LayerRunner, rescaleActivation, targetNorm } from "../src/scale/layerwise/runFrom";
import {
  layerwiseFeatures, layerwiseRescaleGrid, loadLayerwiseBackbone, type LayerwiseBackbone,
} from "../src/scale/layerwise/layerwiseRescale";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const FIXTURE = join(ROOT, "data", "fixtures", "fashion-mnist");
const HEAVY = process.env.LATENT_BRIDGE_SKIP_HEAVY !== "1";

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** x → dense(a) → relu(a_relu) → [dense(b1) → dense(b2)] + a_relu (add) → dense(out). */
function residualModel(tf: Tf): TF.LayersModel {
  const input = tf.input({ shape: [6], name: "in" });
  const a = tf.layers.dense({ units: 8, name: "a", kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as TF.SymbolicTensor;
  const aRelu = tf.layers.reLU({ name: "a_relu" }).apply(a) as TF.SymbolicTensor;
  const b1 = tf.layers.dense({ units: 8, activation: "relu", name: "b1", kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(aRelu) as TF.SymbolicTensor;
  const b2 = tf.layers.dense({ units: 8, name: "b2", kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(b1) as TF.SymbolicTensor;
  const add = tf.layers.add({ name: "add" }).apply([aRelu, b2]) as TF.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, name: "out", kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }).apply(add) as TF.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

describe("layerwise: graph cuts and the layer-by-layer runner (synthetic residual model)", () => {
  let tf: Tf;
  let model: TF.LayersModel;
  beforeAll(async () => {
    tf = (await getTf()).tf;
    model = residualModel(tf);
  });

  it("finds exactly the cuts: not the layers inside the residual block", () => {
    const g = layerGraph(model);
    expect(g.order.map((l) => l.name)).toEqual(["in", "a", "a_relu", "b1", "b2", "add", "out"]);
    expect(listCuts(g, "out").map((l) => l.name)).toEqual(["in", "a", "a_relu", "add", "out"]);
    expect(isCut(g, "b1", "out")).toBe(false);
    expect(isCut(g, "b2", "out")).toBe(false);
    // Towards "b2" (before the skip connection joins), b1 is a cut.
    expect(isCut(g, "b1", "b2")).toBe(true);
  });

  it("refuses a non-cut with a NotACutError naming the layer and the bypass", () => {
    const g = layerGraph(model);
    let err: unknown;
    try {
      assertCut(g, "b2", "out");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NotACutError);
    expect((err as NotACutError).layer).toBe("b2");
    expect((err as NotACutError).bypass).toEqual({ from: "a_relu", to: "add" });
    expect((err as Error).message).toContain('"b2"');
    expect(() => assertCut(g, "nope", "out")).toThrow(InvalidParameterError);
  });

  it("reproduces predict, segments compose, and leaks no tensor", () => {
    const r = new LayerRunner(tf, model, "out");
    const x = tf.randomNormal([5, 6], 0, 1, "float32", 7);
    const ref = model.predict(x) as TF.Tensor;
    const before = tf.memory().numTensors;
    const full = r.run(x);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(maxAbsDiff(full.dataSync(), ref.dataSync())).toBeLessThanOrEqual(1e-6);
    expect(r.segmentLayers("a_relu", "add")).toEqual(["b1", "b2", "add"]);
    const act = r.activation(x, "a_relu");
    const rest = r.runSegment(act, "a_relu", "out");
    expect(maxAbsDiff(rest.dataSync(), ref.dataSync())).toBeLessThanOrEqual(1e-6);
    // A transform at a cut reaches the output through both branches of the residual block.
    const doubled = r.run(x, { at: "a_relu", transform: (t) => tf.mul(t, 2) });
    expect(maxAbsDiff(doubled.dataSync(), ref.dataSync())).toBeGreaterThan(1e-3);
    const again = model.predict(x) as TF.Tensor; // the model itself is untouched
    expect(maxAbsDiff(again.dataSync(), ref.dataSync())).toBe(0);
    expect(() => r.runSegment(act, "add", "a_relu")).toThrow(InvalidParameterError);
    expect(() => r.run(x, { at: "b1" })).toThrow(NotACutError);
    tf.dispose([x, ref, full, act, rest, doubled, again]);
  });

  it("rescaleActivation: unit direction times the target; zero samples stay zero", () => {
    const x = tf.tensor2d([[3, 4, 0], [0, 0, 0], [1, 2, 2]]);
    const y = rescaleActivation(tf, x, [10, 5, 6]);
    expect(Array.from(y.dataSync())).toEqual([6, 8, 0, 0, 0, 0, 2, 4, 4]);
    expect(Array.from(activationNorms(tf, y))).toEqual([10, 0, 6]);
    expect(targetNorm(2, "relative", 3)).toBe(6);
    expect(targetNorm(2, "absolute")).toBe(2);
    expect(() => targetNorm(0, "absolute")).toThrow(InvalidParameterError);
    expect(() => targetNorm(1, "relative")).toThrow(InvalidParameterError);
    tf.dispose([x, y]);
  });
});

describe.runIf(HEAVY)("heavy: layer-wise rescaling inside MobileNetV2 (real Fashion-MNIST fixture images)", () => {
  const N = 12;
  const IDX = Array.from({ length: N }, (_, i) => i);
  let tf: Tf;
  let bb: LayerwiseBackbone;
  let data: FashionMnist;
  let x: TF.Tensor4D;
  let reference: Float32Array; // production features (loadImageBackbone → model.predict)

  beforeAll(async () => {
    tf = (await getTf()).tf;
    data = loadFashionMnist({ split: "test", dir: FIXTURE });
    bb = await loadLayerwiseBackbone("mobilenet_v2");
    const pixels = fashionMnistBatch(data, IDX, 224);
    x = tf.tensor4d(pixels, [N, 224, 224, 3]);
    const prod = await loadImageBackbone("mobilenet_v2");
    reference = Float32Array.from((await prod.embed(pixels, N)).data);
  }, 120_000);

  it("lists 19 blocks (stem, blocks 0–16, head conv), every one a cut", () => {
    expect(bb.blocks.map((b) => b.name)).toEqual([
      "Conv1_relu", "expanded_conv_project_BN", "block_1_project_BN", "block_2_add", "block_3_project_BN", "block_4_add",
      "block_5_add", "block_6_project_BN", "block_7_add", "block_8_add", "block_9_add", "block_10_project_BN",
      "block_11_add", "block_12_add", "block_13_project_BN", "block_14_add", "block_15_add", "block_16_project_BN", "out_relu",
    ]);
    expect(bb.blocks.map((b) => b.label).slice(0, 3)).toEqual(["stem", "block 0", "block 1"]);
    expect(bb.blocks[3].shape).toEqual([56, 56, 24]);
    for (const b of bb.blocks) expect(isCut(bb.runner.graph, b.name, "flatten_1")).toBe(true);
    expect(listBlocks(bb.runner.graph, "flatten_1")).toEqual(bb.blocks);
  });

  it("refuses layers inside a residual block (NotACutError naming the layer)", async () => {
    let err: unknown;
    try {
      bb.runner.assertCut("block_2_project_BN");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NotACutError);
    expect((err as NotACutError).layer).toBe("block_2_project_BN");
    expect((err as NotACutError).bypass).toEqual({ from: "block_1_project_BN", to: "block_2_add" });
    expect(() => bb.runner.assertCut("block_5_expand_relu")).toThrow(/block_5_expand_relu/);
    const head = { predict: (m: Matrix) => new Int32Array(m.rows) };
    await expect(layerwiseRescaleGrid({
      encoder: "mobilenet_v2", images: { fashionMnist: data, indices: [0, 1] }, head, layers: ["block_4_add", "block_12_depthwise"], alphas: [1],
    })).rejects.toThrow(NotACutError);
  });

  it("identity run reproduces the production features (model.predict) to ≤ 1e-5", () => {
    const before = tf.memory().numTensors;
    const out = bb.runner.run(x);
    expect(out.shape).toEqual([N, 1280]);
    expect(maxAbsDiff(out.dataSync(), reference)).toBeLessThanOrEqual(1e-5);
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("rescaling every sample to its own norm at a cut reproduces the features", () => {
    for (const layer of ["Conv1_relu", "block_4_add", "out_relu"]) {
      const act = bb.runner.activation(x, layer);
      const own = activationNorms(tf, act);
      act.dispose();
      const out = bb.runner.run(x, { at: layer, transform: (a) => rescaleActivation(tf, a, own) });
      expect(maxAbsDiff(out.dataSync(), reference)).toBeLessThanOrEqual(1e-4 * maxAbs(reference));
      out.dispose();
    }
  });

  it("a large α at an early block changes the features (and a small one too)", () => {
    const act = bb.runner.activation(x, "Conv1_relu");
    const own = activationNorms(tf, act);
    act.dispose();
    for (const factor of [50, 0.02]) {
      const out = bb.runner.run(x, { at: "Conv1_relu", transform: (a) => rescaleActivation(tf, a, Array.from(own, (v) => v * factor)) });
      expect(maxAbsDiff(out.dataSync(), reference)).toBeGreaterThan(0.2 * maxAbs(reference));
      out.dispose();
    }
  });

  it("layerwiseFeatures: the block walk gives the production features and the per-layer norms", async () => {
    const f = await layerwiseFeatures({ encoder: "mobilenet_v2", images: { fashionMnist: data, indices: IDX }, layers: [0, "block_9_add"], batchSize: 5 });
    expect(maxAbsDiff(Float32Array.from(f.features.data), reference)).toBeLessThanOrEqual(1e-5);
    const act = bb.runner.activation(x, "block_9_add");
    const direct = activationNorms(tf, act);
    act.dispose();
    expect(maxAbsDiff(f.norms.block_9_add, direct)).toBeLessThanOrEqual(1e-3);
    expect(f.meanScales.Conv1_relu).toBeCloseTo(f.norms.Conv1_relu.reduce((a, b) => a + b, 0) / N, 6);
  });

  it("the grid has one row per (layer, α), uses the reference mean scales, and is consistent", async () => {
    const features = new Matrix(N, 1280, Float64Array.from(reference));
    const labels = Array.from(data.labels.subarray(0, N));
    const head = await trainHead(features, labels, { kind: "linear", seed: 0, epochs: 200, learningRate: 1e-2, numClasses: 10 }, { progress: false });
    const layers = ["Conv1_relu", "block_5_add", "flatten_1"];
    const alphas = [0.5, 1, 30];
    const grid = await layerwiseRescaleGrid({
      encoder: "mobilenet_v2", images: { fashionMnist: data, indices: IDX }, head, layers, alphas, batchSize: 6,
    });
    expect(grid.rows.map((r) => [r.layer, r.alpha])).toEqual(layers.flatMap((l) => alphas.map((a) => [l, a])));
    expect(grid.rows.map((r) => r.layerIndex)).toEqual([0, 0, 0, 6, 6, 6, 19, 19, 19]);
    expect(grid.unrescaledAccuracy).toBe(head.accuracy(features, labels));
    expect(grid.unrescaledAccuracy).toBeGreaterThan(0.9); // the head fits its 12 training images
    expect(grid.meanScaleSource).toBe("images");
    for (const r of grid.rows) {
      expect(r.accuracy).toBeGreaterThanOrEqual(0);
      expect(r.accuracy).toBeLessThanOrEqual(1);
      expect(r.targetNorm).toBeCloseTo(r.alpha * grid.layerMeanScales[r.layer], 6);
    }
    // s̄ at the feature layer is the mean norm of the production features.
    let s = 0;
    for (let i = 0; i < N; i++) s += Math.hypot(...features.row(i)) / N;
    expect(grid.layerMeanScales.flatten_1).toBeCloseTo(s, 2);
    // At the feature layer α·s̄ rescaling is rescale injection into the head: check one cell directly.
    const fl = grid.rows.find((r) => r.layer === "flatten_1" && r.alpha === 30)!;
    const scaled = new Matrix(N, 1280);
    for (let i = 0; i < N; i++) {
      const row = features.row(i), norm = Math.hypot(...row);
      for (let j = 0; j < 1280; j++) scaled.data[i * 1280 + j] = (row[j] / norm) * fl.targetNorm;
    }
    expect(fl.accuracy).toBeCloseTo(head.accuracy(scaled, labels), 10);
    // Absolute α with the same targets gives the same accuracies.
    const abs = await layerwiseRescaleGrid({
      encoder: "mobilenet_v2", images: { fashionMnist: data, indices: IDX }, head, layers: ["block_5_add"],
      alphas: alphas.map((a) => a * grid.layerMeanScales.block_5_add), alphaMode: "absolute", batchSize: 6,
    });
    expect(abs.rows.map((r) => r.accuracy)).toEqual(grid.rows.filter((r) => r.layer === "block_5_add").map((r) => r.accuracy));
    head.dispose();
  }, 120_000);
});
