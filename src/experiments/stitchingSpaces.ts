/**
 * The encoder sets and sizes of the stitching notebooks, per data set and mode:
 *
 *   await stitchingSpaces("wordnet", isQuickMode())   // Table 2 / Fig. 6: aligned spaces of 5 text encoders
 *   await crossModalEmojiSpaces(isQuickMode())        // Fig. 7: emoji images and emoji names
 *
 * Quick mode keeps every data set at ≤ 200 items (and, for the text corpora, the 10 most frequent
 * classes, so that 120 training texts still give a usable classifier); the Fashion-MNIST quick subset
 * is the one fig3 embeds (64 + 64 images) and the emoji quick subset (90 + 54: 10 and 6 per Unicode
 * category, each embedded by InceptionV3 at ~0.5 s an image) is shared by Table 2, Fig. 7 and Ext. 1,
 * so a CI run embeds those images once. Full mode: a few thousand items, every class.
 */
import { InvalidParameterError } from "../errors";
import { isQuickMode } from "../config";
import { BERT_ENCODER_IDS } from "../encoders/trained/bert/index";
import { VIT_ENCODER_IDS } from "../encoders/trained/vit/index";
import { EMOJI_MLP_SPEC, EMOJI_NAMES_LSA_DIM, EMOJI_VIT_SPECS, emojiStitchingSpaces } from "./emojiSpaces";
import { fashionMnistStitchingSpaces } from "./fashionMnistSpaces";
import type { StitchingSpaces } from "./spaces";
import { textStitchingSpaces } from "./textSpaces";

export type StitchingDataset = "fashion-mnist" | "emoji" | "wordnet" | "debian";
export const STITCHING_DATASETS: readonly StitchingDataset[] = ["fashion-mnist", "emoji", "wordnet", "debian"];

/** Table 2's encoders per data set (at least four each; see the notebooks for why these). */
export const TABLE2_ENCODERS: Readonly<Record<StitchingDataset, readonly string[]>> = {
  "fashion-mnist": ["mobilenet_v2", "mobilenet_v2_mid", "inception_v3", "mlp-256-s0", "mlp-256-s1"],
  emoji: ["mobilenet_v2", "mobilenet_v2_mid", "inception_v3", "mobilenet_v2-twitter", EMOJI_MLP_SPEC.id],
  wordnet: ["glove-100d", "lsa-128-s0", "lsa-128-s1", "lsa-256-s0", "bow-mlp-256-l128-s0"],
  debian: ["glove-100d", "lsa-128-s0", "lsa-128-s1", "lsa-256-s0", "bow-mlp-256-l128-s0"],
};

/**
 * Table 2's transformer encoders per data set, stitched among themselves (transformer-only pairs,
 * reported beside the table above): the ViTs on Fashion-MNIST, the emoji ViTs on the Google images
 * and on the Twitter images of the same emoji, the text transformers on the text sets. Quick mode
 * keeps two per data set (each is trained in quick mode too).
 */
export function transformerEncoders(dataset: StitchingDataset, quick: boolean = isQuickMode()): string[] {
  switch (dataset) {
    case "fashion-mnist": return quick ? [VIT_ENCODER_IDS[0], VIT_ENCODER_IDS[2]] : [...VIT_ENCODER_IDS];
    case "emoji": return quick ? EMOJI_VIT_SPECS.map((v) => v.id) : EMOJI_VIT_SPECS.flatMap((v) => [v.id, `${v.id}-twitter`]);
    case "wordnet":
    case "debian": return quick ? [BERT_ENCODER_IDS[0], BERT_ENCODER_IDS[2]] : [...BERT_ENCODER_IDS];
    default: throw new InvalidParameterError("dataset", `expected one of ${STITCHING_DATASETS.join(", ")}, got ${JSON.stringify(dataset)}`);
  }
}

/** Fig. 7's encoders: images (pretrained backbones + one self-trained) and emoji names (GloVe, LSA). */
export const CROSS_MODAL_ENCODERS: readonly string[] = [
  "mobilenet_v2", "mobilenet_v2_mid", "inception_v3", EMOJI_MLP_SPEC.id, "glove-names", `lsa-names-${EMOJI_NAMES_LSA_DIM}`,
];

export interface StitchingSizes {
  train: number | "all";
  test: number | "all";
  /**
   * Table 2's anchors (at most; never more than the train items). Full mode: 500 for the image data
   * sets, whose 1,280–2,048-d spaces make every least-squares / Procrustes fit an SVD of k × 2,048
   * (its cost grows with k², so halving k quarters it), 1,000 for the text data sets.
   */
  anchors: number;
  /** Text only: keep the this-many most frequent classes (undefined = all). */
  classes?: number;
}

/** Items per data set and mode (see the module comment). */
export function stitchingSizes(dataset: StitchingDataset, quick: boolean): StitchingSizes {
  switch (dataset) {
    case "fashion-mnist": return quick ? { train: 64, test: 64, anchors: 64 } : { train: 2000, test: 1000, anchors: 500 };
    case "emoji": return quick ? { train: 90, test: 54, anchors: 80 } : { train: "all", test: "all", anchors: 500 };
    case "wordnet":
    case "debian": return quick ? { train: 120, test: 80, classes: 10, anchors: 100 } : { train: 4000, test: 1000, anchors: 1000 };
    default: throw new InvalidParameterError("dataset", `expected one of ${STITCHING_DATASETS.join(", ")}, got ${JSON.stringify(dataset)}`);
  }
}

/** Table 2's aligned spaces of one data set (encoders `TABLE2_ENCODERS[dataset]` unless given). */
export async function stitchingSpaces(
  dataset: StitchingDataset, quick: boolean = isQuickMode(), options: { encoders?: readonly string[]; seed?: number } = {},
): Promise<StitchingSpaces> {
  const sizes = stitchingSizes(dataset, quick);
  const encoders = [...(options.encoders ?? TABLE2_ENCODERS[dataset])];
  const seed = options.seed ?? 0;
  const count = (n: number | "all") => {
    if (n === "all") throw new InvalidParameterError("sizes", `${dataset} takes item counts`);
    return n;
  };
  if (dataset === "fashion-mnist") return fashionMnistStitchingSpaces({ encoders, train: count(sizes.train), test: count(sizes.test), seed, quick });
  if (dataset === "emoji") return emojiStitchingSpaces({ encoders, train: sizes.train, test: sizes.test, seed, quick });
  return textStitchingSpaces({ corpus: dataset, encoders, train: count(sizes.train), test: count(sizes.test), classes: sizes.classes, seed, quick });
}

/** Fig. 7's transformers: the two ViTs trained on the emoji images and two WordNet-pretrained text transformers over the names. */
export const CROSS_MODAL_TRANSFORMER_ENCODERS: readonly string[] = [EMOJI_VIT_SPECS[0].id, EMOJI_VIT_SPECS[1].id, "bert-names", "bert-bpe-names"];

/** Fig. 7's emoji spaces: the emoji images and their names, the same items (the Table 2 emoji subset). */
export function crossModalEmojiSpaces(quick: boolean = isQuickMode(), encoders: readonly string[] = CROSS_MODAL_ENCODERS): Promise<StitchingSpaces> {
  const sizes = stitchingSizes("emoji", quick);
  return emojiStitchingSpaces({ encoders: [...encoders], train: sizes.train, test: sizes.test, seed: 0, quick });
}
