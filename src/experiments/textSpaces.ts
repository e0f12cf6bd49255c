/**
 * WordNet glosses (by lexicographer file) and Debian package descriptions (by Section) as stitching
 * spaces: class-balanced, seeded subsets of the fixed train/test splits, optionally restricted to the
 * most frequent classes, embedded by GloVe (mean-pooled, the one pretrained text encoder we have)
 * and by encoders of the text family fitted on the corpus's train split (`cachedTextEncoder`: LSA at
 * several sizes and seeds, bag-of-words MLPs; `cachedBertEncoder`: text transformers pretrained by
 * masked language modelling). Items some encoder embeds to zero (no known word) are dropped from
 * every encoder.
 */
import { stratifiedSubset } from "../data/subset";
import { loadGlove } from "../encoders/pretrained/index";
import { cachedTextEncoder, loadTextCorpus, TEXT_ENCODER_IDS, textEncoderSpec, type TextCorpusName } from "../encoders/trained/index";
import { BERT_ENCODER_IDS, bertEncoderSpec, cachedBertEncoder } from "../encoders/trained/bert/index";
import { InvalidParameterError } from "../errors";
import type { Matrix } from "../linalg/matrix";
import { isQuickMode } from "../config";
import { assembleSpaces, topClasses, type EncoderEmbeddings, type StitchingSpaces } from "./spaces";
import { mapSharingClaims } from "./shareClaims";

export interface TextStitchingOptions {
  corpus: TextCorpusName;
  /** "glove-100d", ids of TEXT_ENCODER_FAMILY ("lsa-128-s0", "bow-mlp-256-l128-s0", …) or of BERT_ENCODER_FAMILY ("bert-word-d128-l2-s0", …). */
  encoders: string[];
  train: number;
  test: number;
  /** Keep only the this-many most frequent classes (of the train split); default all. */
  classes?: number;
  seed?: number;
  /** Fit the family encoders with the quick-mode spec (default `isQuickMode()`). */
  quick?: boolean;
}

const CORPUS_TITLE: Record<TextCorpusName, string> = { wordnet: "WordNet glosses by lexicographer file", debian: "Debian package descriptions by Section" };

export async function textStitchingSpaces(o: TextStitchingOptions): Promise<StitchingSpaces> {
  const seed = o.seed ?? 0;
  const quick = o.quick ?? isQuickMode();
  for (const e of o.encoders) {
    if (e !== "glove-100d" && !TEXT_ENCODER_IDS.includes(e) && !BERT_ENCODER_IDS.includes(e)) {
      throw new InvalidParameterError("encoders", `unknown text encoder "${e}"; expected glove-100d or one of ${[...TEXT_ENCODER_IDS, ...BERT_ENCODER_IDS].join(", ")}`);
    }
  }
  const full = { train: loadTextCorpus(o.corpus, "train"), test: loadTextCorpus(o.corpus, "test") };
  const { kept, map } = o.classes === undefined
    ? { kept: full.train.classNames.map((_, i) => i), map: new Map(full.train.classNames.map((_, i) => [i, i] as const)) }
    : topClasses(full.train.labels, o.classes);
  const pick = (split: "train" | "test") => {
    const ds = full[split];
    const pool: number[] = [];
    for (let i = 0; i < ds.items.length; i++) if (map.has(ds.labels[i])) pool.push(i);
    const labels = pool.map((i) => map.get(ds.labels[i])!);
    const chosen = stratifiedSubset(labels, { total: o[split] }, seed);
    const rows = Array.from(chosen, (k) => pool[k]);
    return { texts: rows.map((i) => ds.texts[i]), ids: rows.map((i) => ds.items[i].id), labels: Array.from(chosen, (k) => labels[k]) };
  };
  const items = { train: pick("train"), test: pick("test") };
  const embeddings = await mapSharingClaims(o.encoders, async (name): Promise<EncoderEmbeddings> => {
    const got = {} as Record<"train" | "test", Matrix>;
    let description: string;
    let kind: "pretrained" | "self-trained";
    if (name === "glove-100d") {
      const glove = await loadGlove();
      for (const s of ["train", "test"] as const) got[s] = glove.embedTexts(items[s].texts, { onEmpty: "zero" }).matrix;
      description = "GloVe 6B 100-d word vectors, mean-pooled";
      kind = "pretrained";
    } else if (BERT_ENCODER_IDS.includes(name)) {
      const encoder = await cachedBertEncoder(bertEncoderSpec(name), o.corpus, { quick, progress: false });
      for (const s of ["train", "test"] as const) got[s] = await encoder.embed(items[s].texts);
      description = `${encoder.spec.description}; pretrained on ${o.corpus} train texts${quick ? " (quick: ≤ 2,000 texts, 1 epoch)" : ""}`;
      kind = "self-trained";
      encoder.dispose();
    } else {
      const encoder = await cachedTextEncoder(textEncoderSpec(name), o.corpus, { quick, progress: false });
      for (const s of ["train", "test"] as const) got[s] = await encoder.embed(items[s].texts);
      description = `${encoder.spec.description}; fitted on ${o.corpus} train${quick ? " (quick: ≤ 10,000 documents)" : ""}`;
      kind = "self-trained";
      encoder.dispose();
    }
    return { info: { name, modality: "text", kind, description }, train: got.train, test: got.test, trainIds: items.train.ids, testIds: items.test.ids };
  });
  const classNames = kept.map((c) => full.train.classNames[c]);
  return assembleSpaces({
    dataset: o.corpus,
    description: `${CORPUS_TITLE[o.corpus]}: ${o.train} train / ${o.test} test texts, class-balanced (seed ${seed}), ` +
      `${classNames.length === full.train.classNames.length ? `all ${classNames.length}` : `the ${classNames.length} most frequent of ${full.train.classNames.length}`} classes`,
    classNames,
    train: { ids: items.train.ids, labels: items.train.labels },
    test: { ids: items.test.ids, labels: items.test.labels },
    encoders: embeddings,
  });
}
