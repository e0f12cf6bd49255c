/**
 * Fig. 2 on the transformers trained here: an encoder (a ViT on Fashion-MNIST or a text transformer
 * on WordNet glosses), class-balanced train and test items, a linear head trained on the unrescaled
 * embeddings of the train items, each layer's mean token norm from the same pass, and the (layer, α)
 * grid on the test items (scale/layerwise/transformerRescale.ts).
 *
 *   const r = await transformerLayerwiseStudy({ encoder: "vit-pre-cls-d64-l4-s0", train: 600, test: 400, alphas });
 */
import { isQuickMode } from "../config";
import { loadFashionMnist } from "../data/images/index";
import { stratifiedSubset } from "../data/subset";
import { BERT_ENCODER_IDS, bertEncoderSpec, cachedBertEncoder } from "../encoders/trained/bert/index";
import { loadTextCorpus } from "../encoders/trained/index";
import { cachedVitEncoder, VIT_ENCODER_IDS, vitEncoderSpec } from "../encoders/trained/vit/index";
import { InvalidParameterError } from "../errors";
import { trainHead } from "../heads/classifier";
import { transformerLayerFeatures, transformerRescaleGrid, type TransformerInputs, type TransformerRescaleResult } from "../scale/layerwise/index";

export interface TransformerLayerwiseOptions {
  /** A ViT id (VIT_ENCODER_IDS, on Fashion-MNIST) or a text-transformer id (BERT_ENCODER_IDS, on WordNet). */
  encoder: string;
  /** Train items for the head and the mean scales; test items for the grid (both class-balanced, seed 0). */
  train: number;
  test: number;
  alphas: readonly number[];
  /** Default `isQuickMode()`: the encoder's quick-mode spec. */
  quick?: boolean;
}

export interface TransformerLayerwiseStudy extends TransformerRescaleResult {
  /** "Fashion-MNIST" or "WordNet glosses". */
  data: string;
  /** The encoder's one-line description. */
  description: string;
  /** 1 / classes. */
  chance: number;
}

/** The encoder, its data and the grid (see the module comment). @throws InvalidParameterError for an unknown encoder. */
export async function transformerLayerwiseStudy(o: TransformerLayerwiseOptions): Promise<TransformerLayerwiseStudy> {
  const quick = o.quick ?? isQuickMode();
  if (VIT_ENCODER_IDS.includes(o.encoder)) {
    const train = loadFashionMnist({ split: "train" }), test = loadFashionMnist({ split: "test" });
    const encoder = await cachedVitEncoder(vitEncoderSpec(o.encoder), { quick, data: train });
    try {
      const trainIdx = stratifiedSubset(train.labels, { total: o.train }, 0), testIdx = stratifiedSubset(test.labels, { total: o.test }, 0);
      return {
        ...(await study(encoder, { images: train, indices: trainIdx }, Array.from(trainIdx, (i) => train.labels[i]), { images: test, indices: testIdx },
          Array.from(testIdx, (i) => test.labels[i]), 10, o.alphas)),
        data: "Fashion-MNIST", description: encoder.spec.description, chance: 1 / 10,
      };
    } finally {
      encoder.dispose();
    }
  }
  if (BERT_ENCODER_IDS.includes(o.encoder)) {
    const train = loadTextCorpus("wordnet", "train"), test = loadTextCorpus("wordnet", "test");
    const encoder = await cachedBertEncoder(bertEncoderSpec(o.encoder), "wordnet", { quick });
    try {
      const trainIdx = stratifiedSubset(train.labels, { total: o.train }, 0), testIdx = stratifiedSubset(test.labels, { total: o.test }, 0);
      return {
        ...(await study(encoder, { texts: Array.from(trainIdx, (i) => train.texts[i]) }, Array.from(trainIdx, (i) => train.labels[i]),
          { texts: Array.from(testIdx, (i) => test.texts[i]) }, Array.from(testIdx, (i) => test.labels[i]), train.classNames.length, o.alphas)),
        data: "WordNet glosses", description: encoder.spec.description, chance: 1 / train.classNames.length,
      };
    } finally {
      encoder.dispose();
    }
  }
  throw new InvalidParameterError("encoder", `expected a ViT (${VIT_ENCODER_IDS.join(", ")}) or a text transformer (${BERT_ENCODER_IDS.join(", ")}), got ${JSON.stringify(o.encoder)}`);
}

async function study(
  encoder: Parameters<typeof transformerRescaleGrid>[0]["encoder"], trainInputs: TransformerInputs, trainLabels: number[],
  testInputs: TransformerInputs, testLabels: number[], numClasses: number, alphas: readonly number[],
): Promise<TransformerRescaleResult> {
  const reference = await transformerLayerFeatures({ encoder, inputs: trainInputs });
  const head = await trainHead(reference.features, trainLabels, { kind: "linear", seed: 0, epochs: 100, numClasses }, { progress: false });
  try {
    return await transformerRescaleGrid({ encoder, inputs: testInputs, labels: testLabels, head, alphas, meanScales: reference.meanScales });
  } finally {
    head.dispose();
  }
}
