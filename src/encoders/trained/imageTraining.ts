/**
 * Training of the image encoder family: encoder + linear head, jointly, with softmax cross-entropy
 * and Adam (nn.ts `trainSoftmax`) on a fixed stratified subset of the training images.
 *
 * Reproducible: weights from our seeded `Random`, minibatch order from the same generator, the
 * training images a fixed (seed IMAGE_DATA_SEED) stratified subset of size `trainSize` shared by
 * every encoder ("same data, different models"): one spec gives bit-identical weights on the same
 * machine/backend.
 */
import type * as TF from "@tensorflow/tfjs";
import { stratifiedSubset } from "../../data/subset";
import { getTf } from "../../engine/tf";
import { InvalidParameterError } from "../../errors";
import { Random } from "../../linalg/random";
import type { FitOptions } from "./lifecycle";
import { ImageEncoder, type ImageTrainingInfo } from "./imageModel";
import { checkImages, initialParams, latentOf, PIXELS, standardizedBatch, type ImageData } from "./imageNetwork";
import { IMAGE_CLASSES as CLASSES, resolveImageSpec, type ImageEncoderSpec } from "./imageSpec";
import { trainSoftmax } from "../../heads/softmaxTraining";
import { readVariables, toVariables } from "./nn";

/** Seed of the stratified training subset (the same for every encoder of the family). */
export const IMAGE_DATA_SEED = 0;

/** `progress` (false silences the bar) and `quick` (recorded in `training.quick`; cachedImageEncoder sets it). */
export type TrainImageEncoderOptions = FitOptions;

/**
 * Trains one encoder + linear head on `data` (usually the Fashion-MNIST train split): a fixed
 * stratified subset of `spec.trainSize` images (all of them when trainSize ≥ count), `spec.epochs`
 * epochs of Adam on softmax cross-entropy. Deterministic for a fixed spec and data.
 * @throws InvalidParameterError for a bad spec or unlabelled data.
 */
export async function trainImageEncoder(spec: ImageEncoderSpec, data: ImageData, options: TrainImageEncoderOptions = {}): Promise<ImageEncoder> {
  const s = resolveImageSpec(spec);
  checkImages(data);
  if (!data.labels || data.labels.length !== data.count) throw new InvalidParameterError("data.labels", `expected ${data.count} labels`);
  const labels = data.labels;
  const chosen = s.trainSize >= data.count
    ? Int32Array.from({ length: data.count }, (_, i) => i)
    : stratifiedSubset(labels, { total: s.trainSize }, IMAGE_DATA_SEED);
  const n = chosen.length;
  const y = Int32Array.from(chosen, (i) => labels[i]);
  for (let i = 0; i < n; i++) if (!(y[i] >= 0 && y[i] < CLASSES)) throw new InvalidParameterError("data.labels", `expected labels 0–9, found ${y[i]}`);

  const { tf, backend } = await getTf();
  const rng = new Random(s.seed);
  const init = initialParams(s, rng);
  const variables = toVariables(tf, init);
  const headW = variables[variables.length - 2], headB = variables[variables.length - 1];
  const encoderVars = variables.slice(0, -2);
  const started = performance.now();
  try {
    const history = await trainSoftmax(tf, {
      n, labels: y, numClasses: CLASSES, epochs: s.epochs, batchSize: s.batchSize, learningRate: s.learningRate, rng, variables,
      label: `train ${s.id}`, progress: options.progress,
      logits: (batch) => {
        const rows = new Int32Array(batch.length);
        for (let r = 0; r < batch.length; r++) rows[r] = chosen[batch[r]];
        const x = tf.tensor2d(standardizedBatch(data.images, rows), [batch.length, PIXELS], "float32");
        const z = latentOf(tf, s, encoderVars, x);
        return tf.add(tf.matMul(z, headW as TF.Tensor2D), headB) as TF.Tensor2D;
      },
    });
    const params = readVariables(init, variables);
    const training: ImageTrainingInfo = {
      samples: n, seconds: (performance.now() - started) / 1000, backend, tfjsVersion: tf.version_core ?? "unknown",
      createdAt: new Date().toISOString(), quick: options.quick ?? false,
    };
    return new ImageEncoder(tf, s, params, history, training);
  } finally {
    for (const v of variables) v.dispose();
  }
}
