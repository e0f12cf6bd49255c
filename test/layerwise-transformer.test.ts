/**
 * Layer-wise rescaling inside the transformers (src/scale/layerwise/transformerRescale.ts, through
 * the grid loop grid.ts shares with the Keras backbones): the untouched walk reproduces the
 * encoder's predictions, mean scales are per real token, the final LayerNorm of a pre-LN ViT makes
 * its last layer tolerate every α exactly, and bad options are refused.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FASHION_MNIST_DEFAULT_DIR, FASHION_MNIST_FILES, loadFashionMnist, type FashionMnist } from "../src/data/images/fashionMnist";
import { stratifiedSubset } from "../src/data/subset";
import { getTf, type Tf } from "../src/engine/tf";
import { InvalidParameterError, ShapeMismatchError } from "../src/errors";
import { trainHead, type ClassificationHead } from "../src/heads/classifier";
import { Random } from "../src/linalg/random";
import { fitBertEncoder, resolveBertSpec, type BertTextEncoder } from "../src/encoders/trained/bert/index";
import { trainVitEncoder, type VitEncoder } from "../src/encoders/trained/vit/index";
import { transformerLayerFeatures, transformerRescaleGrid } from "../src/scale/layerwise/index";

const hasFashion = existsSync(join(FASHION_MNIST_DEFAULT_DIR, FASHION_MNIST_FILES.train.images));

let tf: Tf;
beforeAll(async () => {
  ({ tf } = await getTf());
});

describe.skipIf(!hasFashion)("a pre-LN ViT", () => {
  let train: FashionMnist, test: FashionMnist, vit: VitEncoder, head: ClassificationHead;
  let trainIdx: Int32Array, testIdx: Int32Array;
  beforeAll(async () => {
    train = loadFashionMnist({ split: "train" });
    test = loadFashionMnist({ split: "test" });
    vit = await trainVitEncoder({ id: "vit-fig2-test", patch: 7, width: 32, depth: 2, heads: 4, mlpRatio: 2, norm: "pre", pooling: "mean", seed: 0, epochs: 2, trainSize: 600, learningRate: 3e-3 }, train, { progress: false });
    trainIdx = stratifiedSubset(train.labels, { total: 200 }, 1);
    testIdx = stratifiedSubset(test.labels, { total: 100 }, 0);
    const ref = await transformerLayerFeatures({ encoder: vit, inputs: { images: train, indices: trainIdx } });
    head = await trainHead(ref.features, Array.from(trainIdx, (i) => train.labels[i]), { kind: "linear", seed: 0, epochs: 50, numClasses: 10 }, { progress: false });
  }, 60_000);
  afterAll(() => {
    vit?.dispose();
    head?.dispose();
  });

  it("features are the encoder's embeddings; s̄ is the mean token norm of each layer", async () => {
    const idx = trainIdx.subarray(0, 40);
    const f = await transformerLayerFeatures({ encoder: vit, inputs: { images: train, indices: idx }, layers: [0, 2], batchSize: 16 });
    const direct = vit.embed(train, idx);
    expect(f.features.data.every((v, i) => v === direct.data[i])).toBe(true);
    expect(Object.keys(f.meanScales)).toEqual(["0", "2"]);
    // Layer 0 by hand: the mean over 40 images × 16 tokens of ‖h_token‖.
    const byHand = tf.tidy(() => {
      let total = 0;
      vit.walkLayers(vit.batch(train, idx), (l, h) => {
        if (l === 0) total = tf.mean(tf.norm(h, "euclidean", 2)).dataSync()[0];
      });
      return total;
    });
    expect(f.meanScales["0"]).toBeCloseTo(byHand, 4);
  });

  it("the untouched walk gives the head's accuracy on the embeddings; the last layer tolerates every α (final LN), an inner one does not", async () => {
    const grid = await transformerRescaleGrid({
      encoder: vit, inputs: { images: test, indices: testIdx }, head, alphas: [0.05, 1, 20], reference: { images: train, indices: trainIdx },
    });
    expect(grid.rows.length).toBe(3 * 3);
    expect(grid.meanScaleSource).toBe("reference");
    // The reference s̄ is the one transformerLayerFeatures measures on the same items (one loop, meanUnitNorms).
    expect(grid.layerMeanScales).toEqual((await transformerLayerFeatures({ encoder: vit, inputs: { images: train, indices: trainIdx } })).meanScales);
    expect(grid.norm).toBe("pre");
    const labels = Array.from(testIdx, (i) => test.labels[i]);
    expect(grid.unrescaledAccuracy).toBe(head.accuracy(vit.embed(test, testIdx), labels));
    // At the last hidden state the final LN gives LN(c·h/‖h‖) = LN(h) up to ε for every token and any c: the
    // same predictions (measured: identical accuracy for all three α).
    for (const r of grid.rows.filter((x) => x.layer === 2)) expect(Math.abs(r.accuracy - grid.unrescaledAccuracy)).toBeLessThanOrEqual(0.02);
    // Inside, the residual stream carries α on: at 0.05× the mean scale the next block's update swamps the
    // hidden state (measured: 0.06 against 0.28 unrescaled for this small, briefly trained ViT).
    const inner = grid.rows.find((x) => x.layer === 1 && x.alpha === 0.05)!;
    expect(inner.accuracy).toBeLessThan(grid.unrescaledAccuracy - 0.1);
    expect(inner.targetNorm).toBeCloseTo(0.05 * grid.layerMeanScales["1"], 6);
  });

  it("refuses bad layers, inputs of the other modality and mismatched labels", async () => {
    const base = { encoder: vit, inputs: { images: test, indices: testIdx }, head, alphas: [1] };
    await expect(transformerRescaleGrid({ ...base, layers: [3] })).rejects.toThrow(/0…2/);
    await expect(transformerRescaleGrid({ ...base, layers: [1, 1] })).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(transformerRescaleGrid({ ...base, inputs: { texts: ["a"] } })).rejects.toThrow(/ViT/);
    await expect(transformerRescaleGrid({ ...base, labels: [1, 2] })).rejects.toBeInstanceOf(ShapeMismatchError);
    await expect(transformerRescaleGrid({ ...base, alphas: [0] })).rejects.toThrow(/alpha/);
  });
});

describe("a text transformer", () => {
  let bert: BertTextEncoder;
  const rng = new Random(5);
  const texts = Array.from({ length: 400 }, (_, i) => Array.from({ length: 2 + rng.int(10) }, () => `t${i % 3}w${rng.int(8)}`).join(" "));
  beforeAll(async () => {
    bert = await fitBertEncoder(resolveBertSpec({ id: "bert-fig2-test", tokenizer: "word", vocabSize: 64, maxLength: 12, width: 16, depth: 2, heads: 2, mlpRatio: 2, seed: 0, epochs: 1 }), { texts }, { progress: false });
  }, 60_000);
  afterAll(() => bert?.dispose());

  it("s̄ counts real tokens only (padding is excluded), and the grid runs on texts with their labels", async () => {
    const some = texts.slice(0, 30);
    const f = await transformerLayerFeatures({ encoder: bert, inputs: { texts: some }, layers: [1], batchSize: 30 });
    const b = await bert.batch(some);
    const byHand = tf.tidy(() => {
      let sum = 0, count = 0;
      bert.walkLayers(b, (l, h) => {
        if (l !== 1) return;
        const norms = tf.norm(h, "euclidean", 2).dataSync();
        for (let i = 0; i < norms.length; i++) if (b.mask[i] === 1) { sum += norms[i]; count++; }
      });
      return sum / count;
    });
    expect(f.meanScales["1"]).toBeCloseTo(byHand, 4);
    const head = await trainHead((await transformerLayerFeatures({ encoder: bert, inputs: { texts } })).features, texts.map((_, i) => i % 3), { kind: "linear", seed: 0, epochs: 30, numClasses: 3 }, { progress: false });
    const grid = await transformerRescaleGrid({ encoder: bert, inputs: { texts: some }, labels: some.map((_, i) => i % 3), head, alphas: [0.5, 2], batchSize: 7 });
    expect(grid.rows.map((r) => r.layer)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(grid.unrescaledAccuracy).toBe(head.accuracy(await bert.embed(some), some.map((_, i) => i % 3)));
    await expect(transformerRescaleGrid({ encoder: bert, inputs: { texts: some }, head, alphas: [1] })).rejects.toThrow(/labels/);
    head.dispose();
  });
});
