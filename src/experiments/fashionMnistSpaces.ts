/**
 * The same Fashion-MNIST items embedded by several encoders — pretrained backbones and self-trained
 * models alike — as aligned spaces for the inversion (Fig. 3) and stitching (Table 2) experiments.
 * Anchors come from the train split, held-out items from the test split, both class-balanced and
 * seeded; every embedding goes through the resumable cache.
 */
import { loadFashionMnist } from "../data/images/index";
import { stratifiedSubset } from "../data/subset";
import { embedImages, type ImageBackboneId } from "../encoders/pretrained/index";
import { cachedImageEncoder, embedFashionMnist, IMAGE_ENCODER_IDS, imageEncoderSpec } from "../encoders/trained/imageEncoders";
import { InvalidParameterError } from "../errors";
import type { Matrix } from "../linalg/matrix";
import type { EmbeddedSpace } from "../eval/sensitivity";

export const PRETRAINED_IMAGE_ENCODERS: readonly ImageBackboneId[] = ["mobilenet_v2", "mobilenet_v2_mid", "inception_v3"];

function isPretrained(id: string): id is ImageBackboneId {
  return (PRETRAINED_IMAGE_ENCODERS as readonly string[]).includes(id);
}

/** Embeddings of Fashion-MNIST items `indices` of `split` by any encoder we have (pretrained or trained). */
export async function embedFashionMnistWith(encoder: string, split: "train" | "test", indices: Int32Array, subsetName: string): Promise<Matrix> {
  if (isPretrained(encoder)) {
    return (await embedImages({ encoder, dataset: "fashion-mnist", split, indices, subset: subsetName })).matrix;
  }
  if (IMAGE_ENCODER_IDS.includes(encoder)) {
    const trained = await cachedImageEncoder(imageEncoderSpec(encoder));
    return embedFashionMnist(trained, { split, indices, subsetName });
  }
  throw new InvalidParameterError("encoder", `unknown encoder "${encoder}"; expected one of ${[...PRETRAINED_IMAGE_ENCODERS, ...IMAGE_ENCODER_IDS].join(", ")}`);
}

export interface FashionMnistSpaces {
  spaces: EmbeddedSpace[];
  anchorIndices: Int32Array;
  testIndices: Int32Array;
  anchorLabels: Int32Array;
  testLabels: Int32Array;
  classNames: string[];
}

/** `anchors` train items and `test` test items (class-balanced, seeded) embedded by every encoder. */
export async function fashionMnistSpaces(options: { encoders: string[]; anchors: number; test: number; seed?: number }): Promise<FashionMnistSpaces> {
  const seed = options.seed ?? 0;
  const train = loadFashionMnist({ split: "train" });
  const test = loadFashionMnist({ split: "test" });
  const anchorIndices = stratifiedSubset(train.labels, { total: options.anchors }, seed);
  const testIndices = stratifiedSubset(test.labels, { total: options.test }, seed);
  const spaces: EmbeddedSpace[] = [];
  for (const encoder of options.encoders) {
    spaces.push({
      name: encoder,
      anchors: await embedFashionMnistWith(encoder, "train", anchorIndices, `n${options.anchors}-s${seed}`),
      test: await embedFashionMnistWith(encoder, "test", testIndices, `n${options.test}-s${seed}`),
    });
  }
  return {
    spaces, anchorIndices, testIndices,
    anchorLabels: Int32Array.from(anchorIndices, (i) => train.labels[i]),
    testLabels: Int32Array.from(testIndices, (i) => test.labels[i]),
    classNames: train.classNames,
  };
}
