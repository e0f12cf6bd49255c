/**
 * The corpus registry: which text corpora the trained text encoders are fitted on, by name.
 *
 *   labelled corpora (one text per item, a class label):  "wordnet"  WordNet glosses by lexicographer file
 *                                                          "debian"   English Debian package descriptions by Section
 *   parallel corpora (one item in several languages):      "gettext"  gettext message pairs, English-pivoted
 *                                                          "debian"   Debian descriptions aligned across en/es/fr/ja
 */
import { InvalidParameterError } from "../../errors";
import type { TextDataset } from "./common";
import { loadDebianDescriptions, loadDebianParallel } from "./debianDescriptions";
import { loadGettextPairs } from "./gettext";
import { loadWordnetGlosses } from "./wordnet";

/** The labelled corpora the text encoder family is fitted on. */
export type TextCorpusName = "wordnet" | "debian";
export const TEXT_CORPORA: readonly TextCorpusName[] = ["wordnet", "debian"];
/** Debian sections with fewer descriptions than this are dropped (42 of 58 sections remain). */
export const DEBIAN_MIN_CLASS_SIZE = 200;

/**
 * One split of a corpus: WordNet glosses (definitions, 45 lexicographer files) or English Debian
 * package descriptions (sections with ≥ DEBIAN_MIN_CLASS_SIZE descriptions). `limit` takes the
 * corpus's stable hashed order (a class-representative prefix).
 */
export function loadTextCorpus(name: TextCorpusName, split: "train" | "test", limit?: number): TextDataset {
  if (name === "wordnet") return loadWordnetGlosses({ split, limit });
  if (name === "debian") return loadDebianDescriptions({ split, limit, minClassSize: DEBIAN_MIN_CLASS_SIZE });
  throw new InvalidParameterError("corpus", `expected one of ${TEXT_CORPORA.join(", ")}, got ${JSON.stringify(name)}`);
}

/** The parallel corpora the per-language and multilingual encoders are fitted on. */
export type ParallelCorpusName = "gettext" | "debian";
export const PARALLEL_CORPORA: readonly ParallelCorpusName[] = ["gettext", "debian"];
/** The four languages of both parallel corpora. */
export const PARALLEL_LANGUAGES: readonly string[] = ["en", "es", "fr", "ja"];

/** Items aligned across languages: texts[lang][i] are translations of one another. */
export interface ParallelCorpus {
  name: ParallelCorpusName;
  split: "train" | "test";
  languages: string[];
  ids: string[];
  texts: Record<string, string[]>;
  /** The corpus's weak labels (gettext: text domain; Debian: section). */
  labels: Int32Array;
}

export interface LoadParallelCorpusOptions {
  split: "train" | "test";
  /** At most this many items (the loader's stable hashed order). */
  limit?: number;
  /** Default en, es, fr, ja; must include "en" for gettext (its pivot). */
  languages?: readonly string[];
}

/** Loads the aligned items (present in every requested language) of a parallel corpus split. */
export function loadParallelCorpus(name: ParallelCorpusName, options: LoadParallelCorpusOptions): ParallelCorpus {
  const languages = [...(options.languages ?? PARALLEL_LANGUAGES)];
  if (languages.length < 2) throw new InvalidParameterError("languages", `expected at least two languages, got ${JSON.stringify(languages)}`);
  let ids: string[], texts: Record<string, string[]>, labels: Int32Array;
  if (name === "gettext") {
    if (!languages.includes("en")) throw new InvalidParameterError("languages", `gettext pairs are English-pivoted: include "en"`);
    const d = loadGettextPairs({ languages: languages.filter((l) => l !== "en"), split: options.split, limit: options.limit });
    ids = d.items.map((i) => i.id);
    texts = Object.fromEntries(languages.map((l) => [l, d.texts[l].map((t) => t ?? "")]));
    labels = d.labels;
  } else if (name === "debian") {
    const d = loadDebianParallel({ languages, split: options.split, limit: options.limit });
    ids = d.items.map((i) => i.id);
    texts = Object.fromEntries(languages.map((l) => [l, d.texts[l].map((t) => t ?? "")]));
    labels = d.labels;
  } else {
    throw new InvalidParameterError("corpus", `expected one of ${PARALLEL_CORPORA.join(", ")}, got ${JSON.stringify(name)}`);
  }
  return { name, split: options.split, languages, ids, texts, labels };
}
