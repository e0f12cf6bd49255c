/**
 * The transformers trained here, one row each: how long they trained, on how much, and how good they
 * are as encoders — the numbers issue-level claims about them rest on (README "how our encoders
 * differ"). Read from the cached encoders (nothing is trained that Table 2 has not trained already) and
 * from Table 2's transformer-only studies:
 *
 *   ViTs           accuracy of the encoder with the linear head it was trained with, on the whole test
 *                  split of its data set (Fashion-MNIST, or the Google emoji pictures; quick mode: 2,000
 *                  class-balanced Fashion-MNIST test images, a fifth of the ViT passes);
 *   text models    masked-token accuracy on test texts beside what word frequencies alone score on the
 *                  same [MASK] targets (bertModel.ts `maskedTokenAccuracy`) — they never saw a label;
 *   every encoder  the linear-probe accuracy: Table 2's non-stitch row, a linear head trained on the
 *                  frozen embeddings of the study's train items, mean over its seeds.
 */
import { isQuickMode } from "../config";
import { alignEmojiSets, loadFashionMnist } from "../data/images/index";
import { stratifiedSubset } from "../data/subset";
import { loadTextCorpus, type TextCorpusName } from "../data/text/index";
import { bertEncoderSpec, BERT_ENCODER_IDS, cachedBertEncoder } from "../encoders/trained/bert/index";
import { cachedVitEncoder, EMOJI_VIT_FAMILY, VIT_ENCODER_IDS, vitEncoderSpec, type VitEncoder } from "../encoders/trained/vit/index";
import { cachedEmojiVit, emojiGreyImages } from "./emojiSpaces";
import type { StitchingStudy } from "./stitchingStudy";

// A type alias, not an interface: tables take records with an implicit index signature.
export type TransformerEncoderRow = {
  dataset: string;
  encoder: string;
  description: string;
  width: number;
  depth: number;
  norm: "pre" | "post";
  /** Training (ViT) or pretraining (text) items, and epochs over them. */
  trainedOn: number;
  epochs: number;
  /** Minutes its training took, as recorded in its file when it was trained (on this machine). */
  trainingMinutes: number;
  /** ViT + its own linear head on the test split (see `fashionTestImages`); NaN for the text models. */
  ownHeadTestAccuracy: number;
  /** Text models: masked-token accuracy on the first `maskedTexts` test texts; NaN for ViTs. */
  maskedTokenAccuracy: number;
  /** …and always guessing the most frequent [MASK] target on the same targets. */
  maskedFrequencyBaseline: number;
  /** …and on the targets other than that token (where a frequency-only model scores 0). */
  maskedOtherTokens: number;
  /** Table 2's non-stitch accuracy: a linear head on the frozen embeddings, mean over the study's seeds. */
  linearProbeAccuracy: number;
  /** 1 / classes of the study. */
  chance: number;
};

export interface TransformerEncoderReportOptions {
  /** Default `isQuickMode()`: the quick-mode encoders (as the studies used). */
  quick?: boolean;
  /** Test texts the masked-token accuracy is measured on (the first ones of the split), default 1,000. */
  maskedTexts?: number;
  /**
   * Fashion-MNIST test images a ViT's own-head accuracy is measured on: a class-balanced subset
   * (`stratifiedSubset`, seed 0) of this many, or "all" 10,000. Default: 2,000 in quick mode, "all" otherwise.
   */
  fashionTestImages?: number | "all";
}

const mean = (xs: readonly number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** Mean non-stitch accuracy of `encoder` in a study (NaN when the study does not have it). */
function linearProbe(study: StitchingStudy, encoder: string): number {
  return mean(study.rows.filter((r) => r.method === "non-stitch" && r.source === encoder).map((r) => r.accuracy));
}

/**
 * One row per transformer encoder of the studies (Table 2's transformer-only studies, in order); an
 * emoji ViT's `-twitter` space is the same encoder and gets no row of its own.
 */
export async function transformerEncoderRows(studies: readonly StitchingStudy[], o: TransformerEncoderReportOptions = {}): Promise<TransformerEncoderRow[]> {
  const quick = o.quick ?? isQuickMode();
  const maskedTexts = o.maskedTexts ?? 1000;
  const fashionTestImages = o.fashionTestImages ?? (quick ? 2000 : "all");
  const rows: TransformerEncoderRow[] = [];
  // Each test split is loaded once, whatever the number of encoders scored on it.
  const once = <T>(load: () => T) => {
    let value: T | undefined;
    return () => (value ??= load());
  };
  const fashionTest = once(() => {
    const data = loadFashionMnist({ split: "test" });
    return { data, indices: fashionTestImages === "all" ? undefined : stratifiedSubset(data.labels, { total: fashionTestImages }, 0) };
  });
  const emojiTest = once(() => {
    const test = alignEmojiSets({ split: "test" });
    return emojiGreyImages(test.items, "google", test.labels);
  });
  for (const study of studies) {
    const chance = study.chance.uniform;
    const names = study.spaces.encoders.map((e) => e.name).filter((n) => !n.endsWith("-twitter"));
    for (const name of names) {
      const probe = linearProbe(study, name);
      const none = { maskedTokenAccuracy: NaN, maskedFrequencyBaseline: NaN, maskedOtherTokens: NaN };
      if (study.dataset === "fashion-mnist" && VIT_ENCODER_IDS.includes(name)) {
        const encoder = await cachedVitEncoder(vitEncoderSpec(name), { quick, progress: false });
        const { data, indices } = fashionTest();
        try {
          rows.push({ ...vitRow(study.dataset, encoder), ownHeadTestAccuracy: encoder.accuracy(data, indices), ...none, linearProbeAccuracy: probe, chance });
        } finally {
          encoder.dispose();
        }
      } else if (study.dataset === "emoji" && EMOJI_VIT_FAMILY.some((s) => s.id === name)) {
        const encoder = await cachedEmojiVit(EMOJI_VIT_FAMILY.find((s) => s.id === name)!, quick);
        try {
          rows.push({ ...vitRow(study.dataset, encoder), ownHeadTestAccuracy: encoder.accuracy(emojiTest()), ...none, linearProbeAccuracy: probe, chance });
        } finally {
          encoder.dispose();
        }
      } else if ((study.dataset === "wordnet" || study.dataset === "debian") && BERT_ENCODER_IDS.includes(name)) {
        const corpus: TextCorpusName = study.dataset;
        const encoder = await cachedBertEncoder(bertEncoderSpec(name), corpus, { quick, progress: false });
        try {
          const m = await encoder.maskedTokenAccuracy(loadTextCorpus(corpus, "test", maskedTexts).texts);
          const s = encoder.spec;
          rows.push({
            dataset: study.dataset, encoder: name, description: s.description, width: s.width, depth: s.depth, norm: s.norm,
            trainedOn: encoder.training.samples, epochs: s.epochs, trainingMinutes: encoder.training.seconds / 60, ownHeadTestAccuracy: NaN,
            maskedTokenAccuracy: m.accuracy, maskedFrequencyBaseline: m.frequencyBaseline.accuracy, maskedOtherTokens: m.accuracyOnOtherTokens,
            linearProbeAccuracy: probe, chance,
          });
        } finally {
          encoder.dispose();
        }
      }
    }
  }
  return rows;
}

function vitRow(dataset: string, e: VitEncoder): Pick<TransformerEncoderRow, "dataset" | "encoder" | "description" | "width" | "depth" | "norm" | "trainedOn" | "epochs" | "trainingMinutes"> {
  const s = e.spec;
  return { dataset, encoder: s.id, description: s.description, width: s.width, depth: s.depth, norm: s.norm, trainedOn: e.training.samples, epochs: s.epochs, trainingMinutes: e.training.seconds / 60 };
}
