/**
 * Training of the ViT family: transformer + linear head, jointly, with softmax cross-entropy and
 * Adam (heads/softmaxTraining.ts `trainSoftmax`, the loop every trained encoder and head shares)
 * under a warm-up + cosine learning-rate schedule, on a fixed stratified subset of the training
 * images (seed IMAGE_DATA_SEED, the same subset the MLP/CNN family uses for the same size).
 *
 * Reproducible: weights from our seeded `Random`, minibatch order from the same generator; one spec
 * gives bit-identical weights on the same machine and backend.
 */
import type * as TF from "@tensorflow/tfjs";
import { stratifiedSubset } from "../../../data/subset";
import { getTf } from "../../../engine/tf";
import { checkLabels } from "../../../validate";
import { trainSoftmax } from "../../../heads/softmaxTraining";
import { Random } from "../../../linalg/random";
import { checkImages, standardizedBatch, type ImageData } from "../imageNetwork";
import { IMAGE_DATA_SEED } from "../imageTraining";
import type { FitOptions } from "../lifecycle";
import { readVariables, toVariables } from "../nn";
import { shortHash } from "../persist";
import { warmupCosine } from "../transformer/schedule";
import { paramsByName } from "../transformer/stack";
import { VitEncoder, type VitTrainingInfo } from "./vitModel";
import { patchify, vitEmbedding, vitInitialParams } from "./vitNetwork";
import { resolveVitSpec, VIT_ENCODER_VERSION, type VitSpec } from "./vitSpec";

/**
 * Trains one ViT + linear head on labelled images (count × 784 grey bytes, e.g. the Fashion-MNIST
 * train split): a fixed stratified subset of `spec.trainSize` images (all when trainSize ≥ count),
 * `spec.epochs` epochs. Deterministic for a fixed spec and data.
 * @throws InvalidParameterError for a bad spec, unlabelled data or labels outside 0…classes−1; ShapeMismatchError for a label count ≠ data.count.
 */
export async function trainVitEncoder(spec: VitSpec, data: ImageData, options: FitOptions = {}): Promise<VitEncoder> {
  const s = resolveVitSpec(spec);
  checkImages(data);
  checkLabels(data.labels, data.count, "data.labels", { numClasses: s.classes, what: "image" });
  const labels = data.labels!;
  const chosen = s.trainSize >= data.count ? Int32Array.from({ length: data.count }, (_, i) => i) : stratifiedSubset(labels, { total: s.trainSize }, IMAGE_DATA_SEED);
  const n = chosen.length;
  const y = Int32Array.from(chosen, (i) => labels[i]);

  const { tf, backend } = await getTf();
  const rng = new Random(s.seed);
  const init = vitInitialParams(s, rng);
  const variables = toVariables(tf, init);
  const p = paramsByName(init, variables);
  const started = performance.now();
  const steps = s.epochs * Math.ceil(n / Math.min(s.batchSize, n));
  try {
    const history = await trainSoftmax(tf, {
      n, labels: y, numClasses: s.classes, epochs: s.epochs, batchSize: s.batchSize, learningRate: s.learningRate, rng, variables,
      learningRateAt: warmupCosine(s.learningRate, steps, Math.round(s.warmup * steps)),
      label: `train ${s.id}`, progress: options.progress,
      // The run is identified by the spec and the training labels it draws from (the images follow the labels' data set).
      checkpoint: options.checkpointPath === undefined ? undefined : { path: options.checkpointPath, key: shortHash({ spec: s, version: VIT_ENCODER_VERSION, n, labels: shortHash(Array.from(y)) }) },
      logits: (batch) => {
        const rows = Int32Array.from(batch, (i) => chosen[i]);
        const z = vitEmbedding(tf, s, p, patchify(standardizedBatch(data.images, rows), rows.length, s.patch), rows.length);
        return tf.add(tf.matMul(z, p["head.w"] as TF.Tensor2D), p["head.b"]) as TF.Tensor2D;
      },
    });
    const training: VitTrainingInfo = {
      // A resumed run's epochs include the time before the interruption.
      samples: n, seconds: Math.max((performance.now() - started) / 1000, history.secondsPerEpoch.reduce((a, b) => a + b, 0)), backend, tfjsVersion: tf.version_core ?? "unknown",
      createdAt: new Date().toISOString(), quick: options.quick ?? false,
    };
    return new VitEncoder(tf, s, readVariables(init, variables), history, training);
  } finally {
    for (const v of variables) v.dispose();
  }
}
