/**
 * Stand-ins for the paper's cross-lingual setting (§4.3: per-language RoBERTa models and the
 * multilingual XLM-R), trained on a parallel corpus — gettext message pairs (default; ~16k English
 * messages translated into es, fr and ja) or Debian package descriptions aligned across en/es/fr/ja
 * (~1.6k) — TRAIN split only:
 *
 *   per-language encoders  ("lsa-<lang>-128-s0.<corpus>")  one LSA encoder (TF-IDF → SVD, 128
 *       components) PER LANGUAGE, fitted on that language's side of the corpus only, with its own
 *       vocabulary and idf. They never see a translation: their spaces are unrelated a priori, like
 *       monolingual models trained separately.
 *   multilingual encoder  ("xlsa-128-s0.<corpus>")  ONE cross-lingual LSA model (Dumais, Landauer &
 *       Littman 1997) fitted on documents that CONCATENATE the parallel texts of all languages: item
 *       i's training document holds the tokens of its en, es, fr and ja versions, each token tagged
 *       with its language ("en:file", "es:archivo", "ja:ファイル"), so the vocabularies stay disjoint
 *       and words land close only because they co-occur in translations. A single-language text is
 *       embedded by folding it into that space: its TF-IDF vector over its own language's tagged
 *       terms (shared idf), L2-normalised, times the components. Parallel sentences then land close.
 *       UNLIKE the per-language encoders, this one is trained WITH parallel data (aligned
 *       translations) — which is also what gives XLM-R its cross-lingual alignment (translation
 *       language modelling on parallel text), and the reason it is the "multilingual" baseline.
 *
 * Both use full-data fits (docFraction = featureFraction = 1; only the random start depends on the
 * seed). Japanese is segmented with kuromoji (see tokenize.ts).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { cachedEmbeddings } from "../../data/cache";
import { loadDebianParallel } from "../../data/text/debianDescriptions";
import { loadGettextPairs } from "../../data/text/gettext";
import { FileFormatError, InvalidParameterError, ShapeMismatchError } from "../../errors";
import { Matrix } from "../../linalg/matrix";
import { Random } from "../../linalg/random";
import { isQuickMode } from "../../config";
import { encoderCacheDir } from "./imageEncoders";
import { fitLsa, lsaIndex, lsaTransform, resolveLsaOptions, type LsaFitInfo, type LsaModel, type LsaOptions, type ResolvedLsaOptions } from "./lsa";
import { bundleChecksum, bundleFail, readBundle, shortHash, takeArray, writeBundle, type EncoderBundle } from "./persist";
import { CJK_MODES, type CjkMode } from "./tokenize";
import {
  fitTextEncoder, loadTextEncoder, saveTextEncoder, tokenizeTexts, TEXT_ENCODER_VERSION, LsaTextEncoder, type TrainedTextEncoder,
} from "./textEncoders";

export const MULTILINGUAL_VERSION = 1;
export type ParallelCorpusName = "gettext" | "debian";
export const PARALLEL_CORPORA: readonly ParallelCorpusName[] = ["gettext", "debian"];
/** The four languages of both corpora. */
export const MULTILINGUAL_LANGUAGES: readonly string[] = ["en", "es", "fr", "ja"];
/** Latent size of every encoder here (as in the brief: 128). */
export const MULTILINGUAL_DIM = 128;
/** Quick mode: fit on at most this many parallel training items. */
export const QUICK_PARALLEL_TRAIN_SIZE = 5000;
/** LSA settings of the per-language and multilingual encoders (full-data fits). */
export const MULTILINGUAL_LSA_DEFAULTS = { dim: MULTILINGUAL_DIM, seed: 0, docFraction: 1, featureFraction: 1 } as const;

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
  const languages = [...(options.languages ?? MULTILINGUAL_LANGUAGES)];
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

// ---------------------------------------------------------------------------------------------
// Per-language encoders

export interface LanguageEncoderOptions extends Partial<LsaOptions> {
  cjk?: CjkMode;
}

/**
 * The per-language encoder of `language`: LSA fitted on `corpus.texts[language]` ONLY (own
 * vocabulary), id "lsa-<lang>-<dim>-s<seed>", trainedOn = the corpus name.
 */
export async function fitLanguageEncoder(corpus: ParallelCorpus, language: string, options: LanguageEncoderOptions = {}): Promise<LsaTextEncoder> {
  const texts = corpus.texts[language];
  if (!texts) throw new InvalidParameterError("language", `the corpus has no ${JSON.stringify(language)} side (languages: ${corpus.languages.join(", ")})`);
  const o = { ...MULTILINGUAL_LSA_DEFAULTS, ...options };
  const enc = await fitTextEncoder(
    { kind: "lsa", ...o, id: `lsa-${language}-${o.dim}-s${o.seed}`, description: `per-language LSA (${language} side of ${corpus.name} only)` },
    { texts, name: corpus.name },
  );
  return enc as LsaTextEncoder;
}

// ---------------------------------------------------------------------------------------------
// The multilingual encoder

export interface MultilingualSpec extends ResolvedLsaOptions {
  kind: "multilingual-lsa";
  id: string;
  languages: string[];
  cjk: CjkMode;
}

/** Cross-lingual LSA (see the module comment). `embed(texts, language)`; `forLanguage(l)` gives a one-language view. */
export class MultilingualLsaEncoder {
  readonly spec: MultilingualSpec;
  /** Vocabulary terms are language-tagged: "en:file", "ja:ファイル". */
  readonly model: LsaModel;
  readonly info: LsaFitInfo;
  readonly trainedOn: string;
  readonly digest: string;
  private readonly index: Map<string, number>;
  private empty = 0;

  constructor(spec: MultilingualSpec, model: LsaModel, info: LsaFitInfo, trainedOn: string) {
    this.spec = spec;
    this.model = model;
    this.info = info;
    this.trainedOn = trainedOn;
    this.index = lsaIndex(model);
    this.digest = bundleChecksum(multilingualBundle(this, false)).slice(0, 12);
  }

  /** e.g. "xlsa-128-s0.gettext". */
  get id(): string {
    return `${this.spec.id}.${this.trainedOn}`;
  }
  get dim(): number {
    return this.model.dim;
  }
  get cacheVersion(): string {
    return `${MULTILINGUAL_VERSION}-${this.digest}`;
  }
  get lastEmptyCount(): number {
    return this.empty;
  }

  /** Vocabulary size per language. */
  vocabularySizes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const t of this.model.vocabulary) {
      const l = t.slice(0, t.indexOf(":"));
      out[l] = (out[l] ?? 0) + 1;
    }
    return out;
  }

  /** Embeds single-language texts of `language` (folded into the shared space). */
  async embed(texts: readonly string[], language: string): Promise<Matrix> {
    if (!this.spec.languages.includes(language)) {
      throw new InvalidParameterError("language", `the encoder was trained on ${this.spec.languages.join(", ")}, not ${JSON.stringify(language)}`);
    }
    const docs = (await tokenizeTexts(texts, this.spec.cjk)).map((d) => d.map((t) => `${language}:${t}`));
    const out = lsaTransform(this.model, this.index, docs);
    let empty = 0;
    for (let i = 0; i < out.rows; i++) if (out.row(i).every((v) => v === 0)) empty++;
    this.empty = empty;
    return out;
  }

  /** A TrainedTextEncoder view that embeds texts of one language (id "<id>.<lang>"). */
  forLanguage(language: string): TrainedTextEncoder {
    if (!this.spec.languages.includes(language)) {
      throw new InvalidParameterError("language", `the encoder was trained on ${this.spec.languages.join(", ")}, not ${JSON.stringify(language)}`);
    }
    const self = this;
    return {
      id: `${this.id}.${language}`,
      spec: { kind: "lsa", id: `${this.spec.id}.${language}`, ...resolveLsaOptions(this.spec), cjk: this.spec.cjk, trainSize: 0, description: `cross-lingual LSA, ${language} texts` },
      dim: this.dim, trainedOn: this.trainedOn, digest: this.digest, cacheVersion: this.cacheVersion,
      get lastEmptyCount() {
        return self.lastEmptyCount;
      },
      embed: (texts: readonly string[]) => this.embed(texts, language),
      toString: () => `${this.id}.${language}: ${language} view of ${this.toString()}`,
      dispose: () => {},
    };
  }

  toString(): string {
    const sizes = Object.entries(this.vocabularySizes()).map(([l, n]) => `${l} ${n}`).join(", ");
    return `${this.id}: cross-lingual LSA over ${this.spec.languages.join("+")} (${sizes} terms) → ${this.dim}, trained WITH parallel data (${this.info.documents} aligned items)`;
  }
}

/**
 * Fits the multilingual (cross-lingual LSA) encoder on a parallel corpus: one training document per
 * aligned item, concatenating its language-tagged tokens in every language of `languages`.
 */
export async function fitMultilingualEncoder(
  corpus: ParallelCorpus, options: LanguageEncoderOptions & { languages?: readonly string[] } = {},
): Promise<MultilingualLsaEncoder> {
  const languages = [...(options.languages ?? corpus.languages)];
  for (const l of languages) if (!corpus.texts[l]) throw new InvalidParameterError("languages", `the corpus has no ${JSON.stringify(l)} side`);
  const cjk = options.cjk ?? "kuromoji";
  if (!CJK_MODES.includes(cjk)) throw new InvalidParameterError("cjk", `expected "kuromoji" or "bigram", got ${JSON.stringify(cjk)}`);
  const { languages: _l, cjk: _c, ...lsaOptions } = options;
  const o = resolveLsaOptions({ ...MULTILINGUAL_LSA_DEFAULTS, ...lsaOptions });
  const n = corpus.ids.length;
  const docs: string[][] = Array.from({ length: n }, () => []);
  for (const l of languages) {
    const tokens = await tokenizeTexts(corpus.texts[l], cjk);
    for (let i = 0; i < n; i++) for (const t of tokens[i]) docs[i].push(`${l}:${t}`);
  }
  const { model, info } = await fitLsa(docs, o);
  const spec: MultilingualSpec = { kind: "multilingual-lsa", id: `xlsa-${o.dim}-s${o.seed}`, languages, cjk, ...o };
  return new MultilingualLsaEncoder(spec, model, info, corpus.name);
}

function multilingualBundle(e: MultilingualLsaEncoder, withInfo = true): EncoderBundle {
  return {
    kind: "multilingual-lsa", id: e.spec.id, spec: e.spec,
    meta: { version: MULTILINGUAL_VERSION, trainedOn: e.trainedOn, vocabulary: e.model.vocabulary, info: withInfo ? e.info : null },
    arrays: [
      { name: "idf", shape: [e.model.vocabulary.length], data: e.model.idf },
      { name: "components", shape: [e.model.vocabulary.length, e.model.dim], data: e.model.components },
      { name: "singularValues", shape: [e.model.dim], data: e.model.singularValues },
    ],
  };
}

/** Writes the multilingual encoder to ONE JSON file, atomically. */
export function saveMultilingualEncoder(encoder: MultilingualLsaEncoder, path: string): void {
  writeBundle(path, multilingualBundle(encoder));
}

/** Reads a multilingual encoder. @throws FileFormatError naming the file if it is missing, corrupt or inconsistent. */
export function loadMultilingualEncoder(path: string): MultilingualLsaEncoder {
  const b = readBundle(path, "multilingual-lsa");
  const fail = bundleFail(path);
  const raw = b.spec as MultilingualSpec;
  let spec: MultilingualSpec;
  try {
    const o = resolveLsaOptions(raw);
    if (raw.kind !== "multilingual-lsa" || typeof raw.id !== "string") throw new Error("kind/id");
    if (!Array.isArray(raw.languages) || !raw.languages.every((l) => typeof l === "string")) throw new Error("languages");
    if (!CJK_MODES.includes(raw.cjk)) throw new Error("cjk");
    spec = { kind: "multilingual-lsa", id: raw.id, languages: [...raw.languages], cjk: raw.cjk, ...o };
  } catch (e) {
    return fail(`bad spec: ${(e as Error).message}`);
  }
  const meta = (b.meta ?? {}) as Record<string, unknown>;
  if (meta.version !== MULTILINGUAL_VERSION) fail(`written by multilingual-encoder code version ${JSON.stringify(meta.version)}, this is ${MULTILINGUAL_VERSION}`);
  const trainedOn = typeof meta.trainedOn === "string" ? meta.trainedOn : fail(`"meta.trainedOn" must be a string`);
  const vocabulary = meta.vocabulary;
  if (!Array.isArray(vocabulary) || !vocabulary.every((t) => typeof t === "string" && t.includes(":"))) return fail(`"meta.vocabulary" must be an array of language-tagged terms`);
  const V = vocabulary.length, k = spec.dim;
  const model: LsaModel = {
    vocabulary: vocabulary as string[], dim: k, sublinearTf: spec.sublinearTf,
    idf: takeArray(b, "idf", [V], fail), components: takeArray(b, "components", [V, k], fail), singularValues: takeArray(b, "singularValues", [k], fail),
  };
  const info = meta.info as LsaFitInfo | null;
  if (info === null || typeof info !== "object") fail(`"meta.info" is missing`);
  return new MultilingualLsaEncoder(spec, model, info!, trainedOn);
}

// ---------------------------------------------------------------------------------------------
// Caches

export interface CachedMultilingualOptions extends LanguageEncoderOptions {
  /** Default `isQuickMode()`: fit on at most QUICK_PARALLEL_TRAIN_SIZE items. */
  quick?: boolean;
  /** Default `<cacheRoot()>/encoders/<corpus>-parallel`. */
  dir?: string;
  /** The train split, if already loaded (must be the corpus's full train split, or its quick prefix). */
  train?: ParallelCorpus;
}

function trainSplit(corpusName: ParallelCorpusName, quick: boolean, given?: ParallelCorpus): ParallelCorpus {
  const limit = quick ? QUICK_PARALLEL_TRAIN_SIZE : undefined;
  if (given) {
    if (given.name !== corpusName || given.split !== "train") throw new InvalidParameterError("train", `expected the ${corpusName} train split`);
    if (limit !== undefined && given.ids.length > limit) return { ...given, ids: given.ids.slice(0, limit), labels: given.labels.slice(0, limit), texts: Object.fromEntries(Object.entries(given.texts).map(([l, t]) => [l, t.slice(0, limit)])) };
    return given;
  }
  return loadParallelCorpus(corpusName, { split: "train", limit });
}

function cacheFile(corpusName: ParallelCorpusName, name: string, options: CachedMultilingualOptions, quick: boolean): string {
  const { train: _t, dir: _d, quick: _q, ...rest } = options;
  return join(options.dir ?? encoderCacheDir(`${corpusName}-parallel`), `${name}-${shortHash({ rest, quick, v: [MULTILINGUAL_VERSION, TEXT_ENCODER_VERSION] }, 8)}.json`);
}

/** The multilingual encoder of a corpus, fitted once on its train split and kept on disk. */
export async function cachedMultilingualEncoder(corpusName: ParallelCorpusName, options: CachedMultilingualOptions = {}): Promise<MultilingualLsaEncoder> {
  const quick = options.quick ?? isQuickMode();
  const path = cacheFile(corpusName, "xlsa", options, quick);
  if (existsSync(path)) {
    try {
      return loadMultilingualEncoder(path);
    } catch (err) {
      if (!(err instanceof FileFormatError)) throw err;
      console.warn(`encoder cache: ${err.message}; refitting`);
    }
  }
  const { train: _t, dir: _d, quick: _q, ...fitOptions } = options;
  const enc = await fitMultilingualEncoder(trainSplit(corpusName, quick, options.train), fitOptions);
  saveMultilingualEncoder(enc, path);
  return enc;
}

/** The per-language encoder of `language` on a corpus, fitted once on its train split and kept on disk. */
export async function cachedLanguageEncoder(corpusName: ParallelCorpusName, language: string, options: CachedMultilingualOptions = {}): Promise<LsaTextEncoder> {
  const quick = options.quick ?? isQuickMode();
  const path = cacheFile(corpusName, `lsa-${language}`, options, quick);
  if (existsSync(path)) {
    try {
      const e = await loadTextEncoder(path);
      if (e instanceof LsaTextEncoder) return e;
    } catch (err) {
      if (!(err instanceof FileFormatError)) throw err;
      console.warn(`encoder cache: ${err.message}; refitting`);
    }
  }
  const { train: _t, dir: _d, quick: _q, languages: _l, ...fitOptions } = options as CachedMultilingualOptions & { languages?: unknown };
  const enc = await fitLanguageEncoder(trainSplit(corpusName, quick, options.train), language, fitOptions);
  saveTextEncoder(enc, path);
  return enc;
}

/** Embeddings of one language side of a parallel corpus split through the embedding cache. */
export async function embedParallelSide(
  encoder: TrainedTextEncoder, corpus: ParallelCorpus, language: string, options: { subsetName?: string } = {},
): Promise<Matrix> {
  const texts = corpus.texts[language];
  if (!texts) throw new InvalidParameterError("language", `the corpus has no ${JSON.stringify(language)} side`);
  return cachedEmbeddings(
    { dataset: `${corpus.name}-parallel-${language}`, split: corpus.split, subset: options.subsetName ?? "all", encoder: encoder.id, version: encoder.cacheVersion, seed: encoder.spec.seed },
    { count: texts.length, chunkSize: 4096, label: `embed ${encoder.id}`, embed: (s, e) => encoder.embed(texts.slice(s, e)) },
  );
}

// ---------------------------------------------------------------------------------------------
// Evaluation

export interface PairCosines {
  /** Mean cosine of (a_i, b_i): translations of each other. */
  parallel: number;
  /** Mean cosine of (a_i, b_π(i)) for a seeded derangement π. */
  random: number;
  /** parallel − random. */
  margin: number;
  /** Fraction of a_i whose nearest b (cosine, among the pairs used) is b_i. */
  top1: number;
  /** Pairs used (rows where both embeddings are non-zero). */
  pairs: number;
}

/**
 * Parallel-pair vs random-pair cosines between two embeddings of the same items in ONE space
 * (e.g. the multilingual encoder's en and es embeddings of parallel texts). Rows that are zero in
 * either matrix (texts with no known term) are skipped.
 */
export function pairCosines(a: Matrix, b: Matrix, seed = 0): PairCosines {
  if (a.rows !== b.rows || a.cols !== b.cols) throw new ShapeMismatchError("b", `expected ${a.rows}×${a.cols} like a, got ${b.rows}×${b.cols}`);
  const keep: number[] = [];
  const unit = (m: Matrix, i: number): Float64Array | undefined => {
    const r = m.row(i);
    let s = 0;
    for (const v of r) s += v * v;
    if (!(s > 0)) return undefined;
    const inv = 1 / Math.sqrt(s);
    return r.map((v) => v * inv);
  };
  const ua: Float64Array[] = [], ub: Float64Array[] = [];
  for (let i = 0; i < a.rows; i++) {
    const x = unit(a, i), y = unit(b, i);
    if (x && y) {
      keep.push(i);
      ua.push(x);
      ub.push(y);
    }
  }
  const n = keep.length;
  if (n < 2) throw new InvalidParameterError("a", `need at least two items embedded to non-zero vectors in both matrices, got ${n}`);
  const dot = (x: Float64Array, y: Float64Array) => {
    let s = 0;
    for (let j = 0; j < x.length; j++) s += x[j] * y[j];
    return s;
  };
  // A derangement: a random permutation, then fix points swapped with their neighbour.
  const perm = new Random(seed).permutation(n);
  for (let i = 0; i < n; i++) {
    if (perm[i] === i) {
      const j = (i + 1) % n;
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
  }
  let par = 0, rnd = 0, hits = 0;
  for (let i = 0; i < n; i++) {
    const own = dot(ua[i], ub[i]);
    par += own;
    rnd += dot(ua[i], ub[perm[i]]);
    let better = 0;
    for (let j = 0; j < n && better === 0; j++) if (j !== i && dot(ua[i], ub[j]) > own) better++;
    if (better === 0) hits++;
  }
  return { parallel: par / n, random: rnd / n, margin: (par - rnd) / n, top1: hits / n, pairs: n };
}
