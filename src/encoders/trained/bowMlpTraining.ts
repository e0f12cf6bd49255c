/**
 * Training of the bag-of-words MLP (bowMlpModel.ts): the embedding table is a plain float32 array
 * updated by lazy (sparse) Adam on the rows a minibatch touches; the dense part is tfjs
 * (`getTf()`), Adam too (tfjs's defaults, which the lazy step reproduces). Seeded initialisation and
 * minibatch order: one spec gives bit-identical weights on the same machine and backend.
 */
import type * as TF from "@tensorflow/tfjs";
import { getTf } from "../../engine/tf";
import { progress, resolveProgressMode } from "../../engine/progress";
import { InvalidParameterError } from "../../errors";
import { Random } from "../../linalg/random";
import { checkLabels } from "../../validate";
import { BowMlpTextEncoder, bagForward, bowLatent, bowParamShapes } from "./bowMlpModel";
import type { FitOptions } from "./lifecycle";
import { initWeight, type SoftmaxHistory } from "../../heads/softmaxTraining";
import type { ParamSpec } from "./nn";
import { hashedFeatures, tokenizeTexts } from "./textFeatures";
import { trainingTexts, type ResolvedBowMlpSpec, type TextTrainingData } from "./textSpec";

/**
 * Fits the bag-of-words MLP of `s` on `data` (texts and labels; the first `s.trainSize` when set).
 * @throws InvalidParameterError / ShapeMismatchError (argument "data.labels") for missing or bad labels.
 */
export async function fitBowMlpEncoder(s: ResolvedBowMlpSpec, data: TextTrainingData, options: FitOptions = {}): Promise<BowMlpTextEncoder> {
  const { texts, trainedOn } = trainingTexts(s, data);
  const n = texts.length;
  if (data.labels === undefined) throw new InvalidParameterError("data.labels", "a bow-mlp encoder is trained on labels: give one per text");
  const labels = checkLabels(data.labels, data.texts.length, "data.labels", { numClasses: data.numClasses, what: "text" }).slice(0, n);
  let numClasses = data.numClasses ?? 0;
  if (data.numClasses === undefined) for (let i = 0; i < n; i++) numClasses = Math.max(numClasses, labels[i] + 1);
  if (numClasses < 2) throw new InvalidParameterError("data.labels", "a classifier needs at least two classes");
  const docs = await tokenizeTexts(texts, s.cjk);
  return trainBowMlp(s, docs, labels, numClasses, data.classNames ?? [], trainedOn, options);
}

async function trainBowMlp(
  s: ResolvedBowMlpSpec, docs: string[][], labels: Int32Array, numClasses: number, classNames: string[], trainedOn: string,
  options: FitOptions,
): Promise<BowMlpTextEncoder> {
  const { tf, backend } = await getTf();
  const started = performance.now();
  const feats = docs.map((d) => hashedFeatures(d, s.buckets));
  const n = feats.length;
  const rng = new Random(s.seed);
  const shapes = bowParamShapes(s, numClasses);
  const h0 = s.hidden[0], F = s.buckets + 1;
  // The bag table: uniform with standard deviation 0.5 (a bag of m rows scaled by 1/√m keeps it).
  const limit = 0.5 * Math.sqrt(3);
  const E = new Float32Array(F * h0);
  for (let i = 0; i < E.length; i++) E[i] = (2 * rng.uniform() - 1) * limit;
  const init: ParamSpec[] = shapes.slice(1).map(({ name, shape, fanIn, act }) => ({
    name, shape, data: shape.length === 1 ? new Float32Array(shape[0]) : initWeight(rng, fanIn, shape[1], act),
  }));
  const variables = init.map((p) => tf.tidy(() => tf.variable(tf.tensor(p.data, p.shape, "float32"), true)));
  const optimizer = tf.train.adam(s.learningRate);
  // Lazy Adam state of the bag table.
  const m1 = new Float32Array(E.length), m2 = new Float32Array(E.length), grad = new Float32Array(E.length);
  const beta1 = 0.9, beta2 = 0.999, eps = 1e-7; // tfjs's Adam defaults
  let step = 0;
  const history: SoftmaxHistory = { loss: [], trainAccuracy: [], secondsPerEpoch: [] };
  const mode = resolveProgressMode(options.progress);
  const bs = Math.min(s.batchSize, n);
  const bar = progress({ total: s.epochs * Math.ceil(n / bs), label: `train ${s.id}`, mode });
  const touched = new Uint8Array(F);
  try {
    for (let epoch = 0; epoch < s.epochs; epoch++) {
      const t0 = performance.now();
      const order = rng.permutation(n);
      let lossSum = 0, correct = 0;
      for (let start = 0; start < n; start += bs) {
        const batch = order.subarray(start, Math.min(n, start + bs));
        const size = batch.length;
        const bf = Array.from(batch, (i) => feats[i]);
        const yb = Int32Array.from(batch, (i) => labels[i]);
        const x = bagForward(E, h0, bf);
        // A per-batch variable, so that computeGradients also returns the gradient of the bag output.
        const bagVar = tf.tidy(() => tf.variable(tf.tensor2d(x, [size, h0], "float32"), true));
        let gBag: Float32Array;
        try {
          const res = tf.tidy(() => {
            const yt = tf.oneHot(tf.tensor1d(yb, "int32"), numClasses);
            let kept: TF.Tensor2D | undefined;
            const { value, grads } = optimizer.computeGradients(() => {
              const z = bowLatent(tf, s, variables.slice(0, -2), bagVar);
              const logits = tf.add(tf.matMul(z, variables[variables.length - 2] as TF.Tensor2D), variables[variables.length - 1]) as TF.Tensor2D;
              kept = tf.keep(logits);
              return tf.losses.softmaxCrossEntropy(yt, logits) as TF.Scalar;
            }, [bagVar, ...variables]);
            optimizer.applyGradients(variables.map((v) => ({ name: v.name, tensor: grads[v.name] })));
            const predicted = tf.argMax(kept!, 1).dataSync();
            kept!.dispose();
            let hits = 0;
            for (let r = 0; r < size; r++) if (predicted[r] === yb[r]) hits++;
            return { loss: value.dataSync()[0], hits, g: grads[bagVar.name].dataSync() as Float32Array };
          });
          lossSum += res.loss * size;
          correct += res.hits;
          gBag = res.g;
        } finally {
          bagVar.dispose();
        }
        // Backward into the bag table and a lazy Adam step on the touched rows.
        step++;
        const rows: number[] = [];
        for (let b = 0; b < size; b++) {
          const f = bf[b], sc = 1 / Math.sqrt(f.length), go = b * h0;
          for (let k = 0; k < f.length; k++) {
            const row = f[k];
            if (!touched[row]) {
              touched[row] = 1;
              rows.push(row);
            }
            const r = row * h0;
            for (let j = 0; j < h0; j++) grad[r + j] += sc * gBag[go + j];
          }
        }
        const c1 = 1 - beta1 ** step, c2 = 1 - beta2 ** step, lr = s.learningRate;
        for (const row of rows) {
          touched[row] = 0;
          const r = row * h0;
          for (let j = r; j < r + h0; j++) {
            const g = grad[j];
            grad[j] = 0;
            m1[j] = beta1 * m1[j] + (1 - beta1) * g;
            m2[j] = beta2 * m2[j] + (1 - beta2) * g * g;
            E[j] -= lr * (m1[j] / c1) / (Math.sqrt(m2[j] / c2) + eps);
          }
        }
        bar.tick();
        if ((start / bs) % 20 === 19) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      history.loss.push(lossSum / n);
      history.trainAccuracy.push(correct / n);
      history.secondsPerEpoch.push((performance.now() - t0) / 1000);
    }
    const params: ParamSpec[] = [
      { name: "bag.w", shape: [F, h0], data: E },
      ...init.map((p, i) => ({ name: p.name, shape: [...p.shape], data: Float32Array.from(variables[i].dataSync() as Float32Array) })),
    ];
    const training = { samples: n, seconds: (performance.now() - started) / 1000, backend, tfjsVersion: tf.version_core ?? "unknown", createdAt: new Date().toISOString() };
    return new BowMlpTextEncoder(tf, s, params, numClasses, classNames, history, training, trainedOn);
  } finally {
    bar.done();
    optimizer.dispose();
    for (const v of variables) v.dispose();
  }
}
