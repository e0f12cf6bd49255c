/**
 * Pretraining of the text transformers by masked language modelling on a corpus's texts — no
 * labels — so that, like the paper's RoBERTa, the encoder is a frozen pretrained model that no
 * downstream head shaped:
 *
 *   1. the last min(1,000, 5 %) texts are held out (the masked-token accuracy is measured on them);
 *   2. a vocabulary is learned on the rest (bertVocabulary.ts) and every text becomes ≤ maxLength ids;
 *   3. `epochs` passes of Adam under a warm-up + cosine schedule over minibatches of similar length
 *      (a seeded permutation, cut into groups of 50 batches, each group sorted by length, the batches
 *      shuffled — so little of each batch is padding), each batch corrupted by bertMasking.ts and the
 *      loss the cross-entropy of the original tokens at the targets.
 *
 * Seeded throughout (weights, permutation, masking): one spec and corpus give bit-identical weights
 * on the same machine and backend. Texts are tokenised with the "bigram" CJK mode (the corpora are
 * English; kuromoji's 300 MB dictionary is not worth loading for a stray character).
 */
import type * as TF from "@tensorflow/tfjs";
import { getTf } from "../../../engine/tf";
import { InvalidParameterError } from "../../../errors";
import { minibatchAdam } from "../../../heads/softmaxTraining";
import { Random } from "../../../linalg/random";
import { assertSafeName } from "../../../validate";
import type { FitOptions } from "../lifecycle";
import { readVariables, toVariables } from "../nn";
import { shortHash } from "../persist";
import { tokenizeTexts } from "../textFeatures";
import type { TextTrainingData } from "../textSpec";
import { warmupCosine } from "../transformer/schedule";
import { paramsByName } from "../transformer/stack";
import { maskTokens } from "./bertMasking";
import { BertTextEncoder, maskedAccuracyOf, maskedHits, type BertHistory, type BertTrainingInfo } from "./bertModel";
import { batchKeyBias, bertEmbed, bertInitialParams, bertLastHidden, mlmLogits, padBatch } from "./bertNetwork";
import { BERT_ENCODER_VERSION, type ResolvedBertSpec } from "./bertSpec";
import { learnVocabulary, VocabularyEncoder, wordCounts } from "./bertVocabulary";

/** Batches per length-sorted group. */
const GROUP = 50;

/** Minibatches of `ids`' indices: seeded permutation → groups of GROUP batches sorted by length → shuffled batches. */
export function lengthBucketedBatches(lengths: ArrayLike<number>, batchSize: number, rng: Random): Int32Array[] {
  const order = rng.permutation(lengths.length);
  const batches: Int32Array[] = [];
  for (let g = 0; g < order.length; g += GROUP * batchSize) {
    const group = Array.from(order.subarray(g, g + GROUP * batchSize)).sort((a, b) => lengths[a] - lengths[b] || a - b);
    for (let k = 0; k < group.length; k += batchSize) batches.push(Int32Array.from(group.slice(k, k + batchSize)));
  }
  const shuffled = rng.permutation(batches.length);
  return Array.from(shuffled, (i) => batches[i]);
}

/**
 * Pretrains the encoder of `s` on `data.texts` (the first `s.trainSize` when set; labels are ignored).
 * @throws InvalidParameterError for texts that are not strings or too few texts with words.
 */
export async function fitBertEncoder(s: ResolvedBertSpec, data: TextTrainingData, options: FitOptions = {}): Promise<BertTextEncoder> {
  if (data === null || typeof data !== "object" || !Array.isArray(data.texts)) throw new InvalidParameterError("data.texts", "expected an array of strings");
  const trainedOn = data.name ?? "";
  if (trainedOn) assertSafeName(trainedOn, "data.name");
  const texts = s.trainSize > 0 ? data.texts.slice(0, s.trainSize) : [...data.texts];
  if (texts.length < 20) throw new InvalidParameterError("data.texts", `expected at least 20 texts to pretrain on, got ${texts.length}`);
  const started = performance.now();
  const docs = await tokenizeTexts(texts, "bigram");
  const heldOut = Math.min(1000, Math.floor(0.05 * docs.length));
  const trainDocs = docs.slice(0, docs.length - heldOut);
  const vocabulary = learnVocabulary(s.tokenizer, wordCounts(trainDocs), s.vocabSize);
  const encoder = new VocabularyEncoder(vocabulary);
  const ids = trainDocs.map((d) => encoder.encode(d, s.maxLength)).filter((t) => t.length > 0);
  const heldOutIds = docs.slice(docs.length - heldOut).map((d) => encoder.encode(d, s.maxLength)).filter((t) => t.length > 0);
  if (ids.length < 10) throw new InvalidParameterError("data.texts", `only ${ids.length} texts have a word; expected at least 10`);
  const V = vocabulary.tokens.length;
  const tokens = ids.reduce((a, t) => a + t.length, 0);

  const { tf, backend } = await getTf();
  const rng = new Random(s.seed);
  const init = bertInitialParams(s, V, rng);
  const variables = toVariables(tf, init);
  const p = paramsByName(init, variables);
  const lengths = Int32Array.from(ids, (t) => t.length);
  const batchesPerEpoch = Math.ceil(ids.length / s.batchSize);
  const total = s.epochs * batchesPerEpoch;
  try {
    const fitted = await minibatchAdam(tf, {
      epochs: s.epochs, learningRate: s.learningRate, learningRateAt: warmupCosine(s.learningRate, total, Math.round(s.warmup * total)), variables,
      totalBatches: total, label: `pretrain ${s.id}${trainedOn ? ` on ${trainedOn}` : ""}`, progress: options.progress,
      // The run is identified by the spec, the corpus and the token ids it trains on.
      checkpoint: options.checkpointPath === undefined ? undefined : {
        path: options.checkpointPath, rngs: [rng], key: shortHash({ spec: s, version: BERT_ENCODER_VERSION, trainedOn, ids: shortHash(ids.map((t) => Array.from(t).join(" ")).join("\n")) }),
      },
      batchOrder: () => lengthBucketedBatches(lengths, s.batchSize, rng),
      step: (rows, minimize) => {
        // The loss is the cross-entropy of the original tokens at the targets (weighted by their count); the
        // accuracy counts the targets replaced by [MASK] (maskedHits). A batch without a target is no step.
        const m = maskTokens(padBatch(Array.from(rows, (r) => ids[r])), s.maskRate, V, rng);
        if (m.positions.length === 0) return { loss: 0, weight: 0, hits: 0, count: 0 };
        const onehot = tf.oneHot(tf.tensor1d(m.targets, "int32"), V);
        let kept: TF.Tensor | undefined;
        const loss = minimize(() => {
          const last = bertLastHidden(tf, s, p, 0, bertEmbed(tf, s, p, m.input), batchKeyBias(tf, m.input));
          const logits = mlmLogits(tf, p, last, m.positions);
          kept = tf.keep(tf.argMax(logits, 1));
          return tf.losses.softmaxCrossEntropy(onehot, logits) as TF.Scalar;
        });
        const predicted = kept!.dataSync();
        kept!.dispose();
        const score = maskedHits(m, predicted);
        return { loss, weight: m.targets.length, hits: score.hits, count: score.total };
      },
    });
    const history: BertHistory = { loss: fitted.loss, maskedAccuracy: fitted.accuracy, secondsPerEpoch: fitted.secondsPerEpoch };
    const params = readVariables(init, variables);
    const held = await maskedAccuracyOf(tf, s, p, V, heldOutIds, 0);
    const training: BertTrainingInfo = {
      samples: ids.length, tokens, heldOutMaskedAccuracy: held.accuracy, heldOut: heldOutIds.length,
      // A resumed run's epochs include the time before the interruption.
      seconds: Math.max((performance.now() - started) / 1000, fitted.secondsPerEpoch.reduce((a, b) => a + b, 0)), backend, tfjsVersion: tf.version_core ?? "unknown",
      createdAt: new Date().toISOString(), quick: options.quick ?? false,
    };
    return new BertTextEncoder(tf, s, vocabulary, params, history, training, trainedOn);
  } finally {
    for (const v of variables) v.dispose();
  }
}
