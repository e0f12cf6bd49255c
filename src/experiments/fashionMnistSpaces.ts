/**
 * The same Fashion-MNIST items embedded by several encoders — pretrained backbones and self-trained
 * models alike — as aligned spaces, built one way for every notebook:
 *
 *   fashionMnistSpaces(...)           anchors (train split) and held-out items (test split) as
 *                                     `EmbeddedSpace`s, for the inversion grids (Fig. 3, Fig. 5)
 *   fashionMnistStitchingSpaces(...)  train and test items as `StitchingSpaces` with ids and labels,
 *                                     for the stitching tables (Table 2)
 *
 * Both draw class-balanced, seeded subsets of the official splits (`stratifiedSubset`, the same
 * indices and cache names for the same sizes and seed, so the notebooks share cache entries) and
 * embed them with `embedFashionMnistSubsets`: every embedding goes through the resumable cache, and
 * a self-trained encoder is loaded (or trained) once for both splits and disposed afterwards. An
 * encoder whose entries another process is computing is done after the others (`mapSharingClaims`).
 */
import { loadFashionMnist, type FashionMnist } from "../data/images/index";
import { stratifiedSubset } from "../data/subset";
import { embedImages, type ImageBackboneId } from "../encoders/pretrained/index";
import { cachedImageEncoder, embedFashionMnist, IMAGE_ENCODER_IDS, imageEncoderSpec } from "../encoders/trained/index";
import { cachedVitEncoder, embedWithVit, VIT_ENCODER_IDS, vitEncoderSpec } from "../encoders/trained/vit/index";
import { isQuickMode } from "../config";
import { InvalidParameterError } from "../errors";
import type { Matrix } from "../linalg/matrix";
import type { EmbeddedSpace } from "../eval/sensitivity";
import { assembleSpaces, type EncoderEmbeddings, type StitchingSpaces } from "./spaces";
import { mapSharingClaims } from "./shareClaims";

export const PRETRAINED_IMAGE_ENCODERS: readonly ImageBackboneId[] = ["mobilenet_v2", "mobilenet_v2_mid", "inception_v3"];

/** Every encoder of Fashion-MNIST images: the pretrained backbones, the self-trained MLP/CNN family, then the ViTs. */
export const FASHION_MNIST_ENCODERS: readonly string[] = [...PRETRAINED_IMAGE_ENCODERS, ...IMAGE_ENCODER_IDS, ...VIT_ENCODER_IDS];

const isVit = (id: string) => VIT_ENCODER_IDS.includes(id);

/** The one-line description of a Fashion-MNIST encoder. */
function describeEncoder(id: string): string {
  if (isPretrained(id)) return "ImageNet-pretrained backbone (nsfwjs), pooled features";
  return isVit(id) ? vitEncoderSpec(id).description : imageEncoderSpec(id).description ?? "";
}

function isPretrained(id: string): id is ImageBackboneId {
  return (PRETRAINED_IMAGE_ENCODERS as readonly string[]).includes(id);
}

function checkEncoders(encoders: readonly string[], name = "encoders"): void {
  for (const e of encoders) {
    if (!FASHION_MNIST_ENCODERS.includes(e)) {
      throw new InvalidParameterError(name, `unknown Fashion-MNIST encoder "${e}"; expected one of ${FASHION_MNIST_ENCODERS.join(", ")}`);
    }
  }
}

type Split = "train" | "test";

/** Which items of each split to embed, under which cache name, and the splits' data. */
export interface FashionMnistSubsets {
  data: Record<Split, FashionMnist>;
  indices: Record<Split, Int32Array>;
  /** Cache names of the subsets, e.g. "n2000-s0". */
  names: Record<Split, string>;
}

/** Class-balanced seeded subsets of `sizes.train` train and `sizes.test` test images (cache names `n<size>-s<seed>`). */
export function drawFashionMnistSubsets(sizes: Record<Split, number>, seed: number): FashionMnistSubsets {
  const data = { train: loadFashionMnist({ split: "train" }), test: loadFashionMnist({ split: "test" }) };
  return {
    data,
    indices: {
      train: stratifiedSubset(data.train.labels, { total: sizes.train }, seed),
      test: stratifiedSubset(data.test.labels, { total: sizes.test }, seed),
    },
    names: { train: `n${sizes.train}-s${seed}`, test: `n${sizes.test}-s${seed}` },
  };
}

/** One encoder's embeddings of both subsets, with the ids ("train-123") of the items embedded. */
export interface FashionMnistEmbeddings {
  train: Matrix;
  test: Matrix;
  ids: Record<Split, string[]>;
}

const idsOf = (split: Split, indices: ArrayLike<number>) => Array.from(indices, (i) => `${split}-${i}`);

/**
 * Embeddings of both subsets by one encoder (pretrained or self-trained), through the embedding
 * cache; a self-trained encoder is the one of its quick-mode spec when `quick` (default `isQuickMode()`).
 */
export async function embedFashionMnistSubsets(encoder: string, subsets: FashionMnistSubsets, quick: boolean = isQuickMode()): Promise<FashionMnistEmbeddings> {
  checkEncoders([encoder], "encoder");
  if (isPretrained(encoder)) {
    const got = {} as Record<Split, { matrix: Matrix; ids: string[] }>;
    for (const split of ["train", "test"] as const) {
      const r = await embedImages({ encoder, dataset: "fashion-mnist", split, indices: subsets.indices[split], subset: subsets.names[split] });
      got[split] = { matrix: r.matrix, ids: idsOf(split, r.indices) };
    }
    return { train: got.train.matrix, test: got.test.matrix, ids: { train: got.train.ids, test: got.test.ids } };
  }
  const idsBoth = { train: idsOf("train", subsets.indices.train), test: idsOf("test", subsets.indices.test) };
  const options = (split: Split) => ({ split, indices: subsets.indices[split], subsetName: subsets.names[split], data: subsets.data[split] });
  if (isVit(encoder)) {
    const vit = await cachedVitEncoder(vitEncoderSpec(encoder), { quick, data: subsets.data.train });
    try {
      return { train: await embedWithVit(vit, options("train")), test: await embedWithVit(vit, options("test")), ids: idsBoth };
    } finally {
      vit.dispose();
    }
  }
  const trained = await cachedImageEncoder(imageEncoderSpec(encoder), { quick });
  try {
    return { train: await embedFashionMnist(trained, options("train")), test: await embedFashionMnist(trained, options("test")), ids: idsBoth };
  } finally {
    trained.dispose();
  }
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
export async function fashionMnistSpaces(options: { encoders: string[]; anchors: number; test: number; seed?: number; quick?: boolean }): Promise<FashionMnistSpaces> {
  const seed = options.seed ?? 0;
  checkEncoders(options.encoders);
  const subsets = drawFashionMnistSubsets({ train: options.anchors, test: options.test }, seed);
  const quick = options.quick ?? isQuickMode();
  const embedded = await mapSharingClaims(options.encoders, (encoder) => embedFashionMnistSubsets(encoder, subsets, quick));
  const spaces: EmbeddedSpace[] = embedded.map((e, k) => ({ name: options.encoders[k], anchors: e.train, test: e.test }));
  const { data, indices } = subsets;
  return {
    spaces, anchorIndices: indices.train, testIndices: indices.test,
    anchorLabels: Int32Array.from(indices.train, (i) => data.train.labels[i]),
    testLabels: Int32Array.from(indices.test, (i) => data.test.labels[i]),
    classNames: data.train.classNames,
  };
}

export interface FashionMnistStitchingOptions {
  encoders: string[];
  /** Train items (class-balanced): anchors and heads come from them. */
  train: number;
  /** Test items (class-balanced). */
  test: number;
  seed?: number;
  /** Self-trained encoders with their quick-mode specs (default `isQuickMode()`). */
  quick?: boolean;
}

/** Fashion-MNIST as stitching spaces: `train` and `test` class-balanced seeded items embedded by every encoder. */
export async function fashionMnistStitchingSpaces(o: FashionMnistStitchingOptions): Promise<StitchingSpaces> {
  const seed = o.seed ?? 0;
  checkEncoders(o.encoders);
  const subsets = drawFashionMnistSubsets({ train: o.train, test: o.test }, seed);
  const { data, indices } = subsets;
  const quick = o.quick ?? isQuickMode();
  const embeddings = await mapSharingClaims(o.encoders, async (encoder): Promise<EncoderEmbeddings> => {
    const e = await embedFashionMnistSubsets(encoder, subsets, quick);
    return {
      info: {
        name: encoder, modality: "image", kind: isPretrained(encoder) ? "pretrained" : "self-trained", description: describeEncoder(encoder),
      },
      train: e.train, test: e.test, trainIds: e.ids.train, testIds: e.ids.test,
    };
  });
  return assembleSpaces({
    dataset: "fashion-mnist",
    description: `Fashion-MNIST: ${o.train} train / ${o.test} test images, class-balanced (seed ${seed}), 10 classes`,
    classNames: data.train.classNames,
    train: { ids: idsOf("train", indices.train), labels: Array.from(indices.train, (i) => data.train.labels[i]) },
    test: { ids: idsOf("test", indices.test), labels: Array.from(indices.test, (i) => data.test.labels[i]) },
    encoders: embeddings,
  });
}
