/**
 * The emoji data set as stitching spaces, for Table 2 (vision) and Fig. 7 (cross-modal): the emoji
 * that have an image in both the Google (Noto) and the Twitter (Twemoji) set (`alignEmojiSets`), with
 * their fixed train/test split and Unicode category as the label (9 classes). Encoders, by name:
 *
 *   mobilenet_v2, mobilenet_v2_mid, inception_v3   pretrained backbones on the Google images
 *   <backbone>-twitter                             the same backbone on the Twitter images of the same emoji
 *   emoji-mlp-256-s0                               an MLP we train on the Google train images (grey 28×28,
 *                                                   inverted so the background is black as in Fashion-MNIST)
 *   vit-emoji-pre-d64-l4-s0, vit-emoji-post-d96-l4-s1   vision transformers we train on the same grey Google images
 *   <vit>-twitter                                  the same ViT on the Twitter images of the same emoji
 *   bert-names, bert-bpe-names                     the text transformers bert-word-d128-l2-s0 and bert-bpe-d128-l2-s2,
 *                                                   pretrained by masked language modelling on WordNet glosses,
 *                                                   mean-pooled over the NAME
 *   glove-names                                    GloVe 100-d, mean-pooled over the emoji's Unicode NAME
 *   lsa-names-64                                   TF-IDF (words + character trigrams) → LSA, 64-d, fitted on
 *                                                   the train split's names
 *
 * The MLP is fitted on the WHOLE train split (1,524 emoji) in both modes — it takes seconds — so quick
 * and full mode use the same MLP; the ViTs (a minute or two each) and the text transformer train
 * with their quick-mode specs in quick mode. The transformers' embeddings go through the embedding
 * cache (data sets emoji-google / emoji-twitter / emoji-names, subsets named as embedImages names them).
 */
import { alignEmojiSets, emojiBatch, type EmojiItem } from "../data/images/index";
import { stratifiedSubset } from "../data/subset";
import { embedImages, loadGlove, IMAGE_BACKBONE_IDS, type ImageBackboneId } from "../encoders/pretrained/index";
import { encoderCacheDir } from "../data/cache";
import { cachedImageEncoder, fitLsa, lsaIndex, lsaTransform, type ImageData, type ImageEncoderSpec, type LsaModel } from "../encoders/trained/index";
import { bertEncoderSpec, cachedBertEncoder, embedTextsWithBert } from "../encoders/trained/bert/index";
import { cachedVitEncoder, EMOJI_VIT_FAMILY, embedWithVit, type VitSpec } from "../encoders/trained/vit/index";
import { isQuickMode } from "../config";
import { InvalidParameterError } from "../errors";
import type { Matrix } from "../linalg/matrix";
import { assembleSpaces, type EncoderEmbeddings, type SpaceEncoderInfo, type StitchingSpaces } from "./spaces";
import { mapSharingClaims } from "./shareClaims";

/** The self-trained emoji image encoder (grey 28×28 Google images of the train split). */
export const EMOJI_MLP_SPEC: ImageEncoderSpec = {
  id: "emoji-mlp-256-s0", kind: "mlp", hidden: [512], latentDim: 256, activation: "relu", seed: 0,
  epochs: 40, trainSize: 100000, batchSize: 64, learningRate: 1e-3,
  description: "MLP 784→512→256 (ReLU) trained on the grey 28×28 Google emoji of the train split",
};

export const EMOJI_NAMES_LSA_DIM = 64;

/** The vision transformers trained on the grey 28×28 Google emoji of the train split (vitSpec.ts `EMOJI_VIT_FAMILY`). */
export const EMOJI_VIT_SPECS: readonly VitSpec[] = EMOJI_VIT_FAMILY;

/** The text transformers that embed emoji names (pretrained on WordNet glosses), by encoder name. */
export const EMOJI_NAMES_BERTS: Readonly<Record<string, string>> = { "bert-names": "bert-word-d128-l2-s0", "bert-bpe-names": "bert-bpe-d128-l2-s2" };

export const EMOJI_ENCODERS: readonly string[] = [
  ...IMAGE_BACKBONE_IDS, ...IMAGE_BACKBONE_IDS.map((b) => `${b}-twitter`), EMOJI_MLP_SPEC.id, "glove-names", `lsa-names-${EMOJI_NAMES_LSA_DIM}`,
  ...EMOJI_VIT_SPECS.flatMap((s) => [s.id, `${s.id}-twitter`]), ...Object.keys(EMOJI_NAMES_BERTS),
];

/**
 * Emoji as Fashion-MNIST-like grey images: count × 28 × 28 bytes, luminance of the picture on white,
 * inverted (background 0), so the Fashion-MNIST image encoders' preprocessing applies unchanged.
 */
export function emojiGreyImages(items: readonly EmojiItem[], set: "google" | "twitter", labels?: ArrayLike<number>): ImageData {
  const rgb = emojiBatch(items, set, 28);
  const images = new Uint8Array(items.length * 784);
  for (let p = 0; p < images.length; p++) {
    const lum = 0.299 * rgb[3 * p] + 0.587 * rgb[3 * p + 1] + 0.114 * rgb[3 * p + 2];
    images[p] = Math.max(0, Math.min(255, Math.round(255 * (1 - lum))));
  }
  return { images, count: items.length, labels: labels === undefined ? undefined : Int32Array.from(labels) };
}

/** The emoji MLP, trained once on the aligned train split and cached under encoders/emoji-google-aligned/. */
export async function cachedEmojiImageEncoder() {
  const train = alignEmojiSets({ split: "train" });
  return cachedImageEncoder(EMOJI_MLP_SPEC, {
    quick: false, // cheap at full size: 1,524 images
    data: emojiGreyImages(train.items, "google", train.labels),
    dir: encoderCacheDir("emoji-google-aligned"),
    progress: false,
  });
}

/** An emoji ViT, trained once on the aligned train split (quick-mode spec in quick mode) and cached under encoders/emoji-google-aligned/. */
export async function cachedEmojiVit(spec: VitSpec, quick: boolean = isQuickMode()) {
  const train = alignEmojiSets({ split: "train" });
  return cachedVitEncoder(spec, { quick, data: emojiGreyImages(train.items, "google", train.labels), dir: encoderCacheDir("emoji-google-aligned"), progress: false });
}

function vitOf(name: string): { spec: VitSpec; set: "google" | "twitter" } | undefined {
  const twitter = name.endsWith("-twitter");
  const base = twitter ? name.slice(0, -"-twitter".length) : name;
  const spec = EMOJI_VIT_SPECS.find((v) => v.id === base);
  return spec ? { spec, set: twitter ? "twitter" : "google" } : undefined;
}

/** Tokens of an emoji name for the TF-IDF: lower-case words plus the character trigrams of "^word$". */
export function nameTokens(name: string): string[] {
  const words = name.toLowerCase().normalize("NFKC").split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
  const out: string[] = [];
  for (const w of words) {
    out.push(w);
    const padded = `^${w}$`;
    for (let i = 0; i + 3 <= padded.length; i++) out.push(`#${padded.slice(i, i + 3)}`);
  }
  return out;
}

/** TF-IDF (words + character trigrams) → LSA over emoji names. */
export class NamesLsaEncoder {
  readonly model: LsaModel;
  private readonly index: Map<string, number>;
  constructor(model: LsaModel) {
    this.model = model;
    this.index = lsaIndex(model);
  }
  get dim(): number {
    return this.model.dim;
  }
  embed(names: readonly string[]): Matrix {
    return lsaTransform(this.model, this.index, names.map(nameTokens));
  }
}

/** Fits the names encoder on `names` (all documents and terms kept: no bagging), deterministically. */
export async function fitNamesLsa(names: readonly string[], dim = EMOJI_NAMES_LSA_DIM, seed = 0): Promise<NamesLsaEncoder> {
  const { model } = await fitLsa(names.map(nameTokens), { dim, seed, docFraction: 1, featureFraction: 1, minDf: 2, maxDfFraction: 0.5 });
  return new NamesLsaEncoder(model);
}

export interface EmojiStitchingOptions {
  encoders: string[];
  /** Train items (class-balanced, seeded) or "all" (1,524). */
  train: number | "all";
  /** Test items or "all" (382). */
  test: number | "all";
  seed?: number;
  /** Train the ViTs and pick the text transformers with their quick-mode specs (default `isQuickMode()`); the MLP is the same in both modes. */
  quick?: boolean;
}

function backboneOf(name: string): { backbone: ImageBackboneId; set: "google" | "twitter" } | undefined {
  const twitter = name.endsWith("-twitter");
  const base = twitter ? name.slice(0, -"-twitter".length) : name;
  return (IMAGE_BACKBONE_IDS as readonly string[]).includes(base) ? { backbone: base as ImageBackboneId, set: twitter ? "twitter" : "google" } : undefined;
}

/**
 * The aligned emoji subset of one split: indices into `alignEmojiSets({ split })`, as `embedImages`
 * draws them, and its name in the embedding cache (embedImages' too: "aligned-n90-s0", "aligned-all").
 */
function subsetOf(split: "train" | "test", size: number | "all", seed: number) {
  const aligned = alignEmojiSets({ split });
  const indices = size === "all" ? Int32Array.from({ length: aligned.count }, (_, i) => i) : stratifiedSubset(aligned.labels, { total: size }, seed);
  return { aligned, indices, items: Array.from(indices, (i) => aligned.items[i]), name: size === "all" ? "aligned-all" : `aligned-n${size}-s${seed}` };
}

/** Where the emoji names' embeddings by a text transformer are cached (data set name in the embedding cache). */
export const EMOJI_NAMES_DATASET = "emoji-names";

export async function emojiStitchingSpaces(o: EmojiStitchingOptions): Promise<StitchingSpaces> {
  const seed = o.seed ?? 0;
  const quick = o.quick ?? isQuickMode();
  for (const e of o.encoders) {
    if (!EMOJI_ENCODERS.includes(e)) throw new InvalidParameterError("encoders", `unknown emoji encoder "${e}"; expected one of ${EMOJI_ENCODERS.join(", ")}`);
  }
  const split = { train: subsetOf("train", o.train, seed), test: subsetOf("test", o.test, seed) };
  const idsOf = (items: readonly EmojiItem[]) => items.map((it) => it.unified);
  let namesLsa: NamesLsaEncoder | undefined;
  const embeddings = await mapSharingClaims(o.encoders, async (name): Promise<EncoderEmbeddings> => {
    const got = {} as Record<"train" | "test", { matrix: Matrix; ids: string[] }>;
    let info: Omit<SpaceEncoderInfo, "dim">;
    const bb = backboneOf(name);
    const vit = vitOf(name);
    if (vit) {
      const encoder = await cachedEmojiVit(vit.spec, quick);
      try {
        for (const s of ["train", "test"] as const) {
          const matrix = await embedWithVit(encoder, { dataset: `emoji-${vit.set}`, split: s, subsetName: split[s].name, data: emojiGreyImages(split[s].items, vit.set) });
          got[s] = { matrix, ids: idsOf(split[s].items) };
        }
      } finally {
        encoder.dispose();
      }
      info = { name, modality: "image", kind: "self-trained", description: `${vit.spec.description}${vit.set === "twitter" ? ", applied to the Twitter images" : ""}` };
    } else if (EMOJI_NAMES_BERTS[name] !== undefined) {
      const encoder = await cachedBertEncoder(bertEncoderSpec(EMOJI_NAMES_BERTS[name]), "wordnet", { quick, progress: false });
      try {
        for (const s of ["train", "test"] as const) {
          const names = { name: EMOJI_NAMES_DATASET, split: s, texts: split[s].items.map((it) => it.name) };
          got[s] = { matrix: await embedTextsWithBert(encoder, names, { subsetName: split[s].name }), ids: idsOf(split[s].items) };
        }
      } finally {
        encoder.dispose();
      }
      info = { name, modality: "text", kind: "self-trained", description: `${EMOJI_NAMES_BERTS[name]} (MLM-pretrained on WordNet glosses), mean-pooled over the emoji's Unicode name` };
    } else if (bb) {
      for (const s of ["train", "test"] as const) {
        const size = o[s];
        const r = await embedImages({
          encoder: bb.backbone, dataset: bb.set === "google" ? "emoji-google" : "emoji-twitter", split: s, aligned: true, seed,
          ...(size === "all" ? {} : { size: { total: size } }),
        });
        got[s] = { matrix: r.matrix, ids: idsOf(r.items!) };
      }
      info = { name, modality: "image", kind: "pretrained", description: `ImageNet-pretrained backbone (nsfwjs) on the ${bb.set === "google" ? "Google (Noto)" : "Twitter (Twemoji)"} images` };
    } else if (name === EMOJI_MLP_SPEC.id) {
      const encoder = await cachedEmojiImageEncoder();
      for (const s of ["train", "test"] as const) got[s] = { matrix: encoder.embed(emojiGreyImages(split[s].items, "google")), ids: idsOf(split[s].items) };
      encoder.dispose();
      info = { name, modality: "image", kind: "self-trained", description: EMOJI_MLP_SPEC.description! };
    } else if (name === "glove-names") {
      const glove = await loadGlove();
      for (const s of ["train", "test"] as const) {
        got[s] = { matrix: glove.embedTexts(split[s].items.map((it) => it.name), { onEmpty: "zero" }).matrix, ids: idsOf(split[s].items) };
      }
      info = { name, modality: "text", kind: "pretrained", description: "GloVe 6B 100-d, mean over the words of the emoji's Unicode name" };
    } else {
      namesLsa ??= await fitNamesLsa(alignEmojiSets({ split: "train" }).items.map((it) => it.name));
      for (const s of ["train", "test"] as const) got[s] = { matrix: namesLsa.embed(split[s].items.map((it) => it.name)), ids: idsOf(split[s].items) };
      info = { name, modality: "text", kind: "self-trained", description: `TF-IDF of words + character trigrams → LSA ${EMOJI_NAMES_LSA_DIM}-d, fitted on the train split's names` };
    }
    return { info, train: got.train.matrix, test: got.test.matrix, trainIds: got.train.ids, testIds: got.test.ids };
  });
  const describe = (s: number | "all", n: number) => (s === "all" ? `all ${n}` : `${n}`);
  return assembleSpaces({
    dataset: "emoji",
    description: `emoji with a Google and a Twitter image: ${describe(o.train, split.train.items.length)} train / ${describe(o.test, split.test.items.length)} test, ` +
      `${split.train.aligned.classNames.length} Unicode categories`,
    classNames: split.train.aligned.classNames,
    train: { ids: idsOf(split.train.items), labels: split.train.items.map((it) => it.label) },
    test: { ids: idsOf(split.test.items), labels: split.test.items.map((it) => it.label) },
    encoders: embeddings,
  });
}
