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
 * seed). Japanese is segmented with kuromoji (see tokenize.ts). Both go through the shared lifecycle
 * (lifecycle.ts): the per-language encoders are LSA text encoders (`LSA_TEXT_ENCODERS`), the
 * multilingual one is its own family (`MULTILINGUAL_ENCODERS`). The parallel corpora are registered
 * in data/text/corpora.ts.
 */
import { join } from "node:path";
import { encoderCacheDir } from "../../data/cache";
import { loadParallelCorpus, PARALLEL_LANGUAGES, type ParallelCorpus, type ParallelCorpusName } from "../../data/text/corpora";
import type { Fail } from "../../data/modelFile";
import { InvalidParameterError } from "../../errors";
import { Matrix } from "../../linalg/matrix";
import { isQuickMode } from "../../config";
import { assertSafeName } from "../../validate";
import { cachedEncoder, cachedEncoderEmbeddings, loadEncoder, saveEncoder, type EncoderFamily, type FitOptions } from "./lifecycle";
import { lsaIndex, lsaTransform, resolveLsaOptions, type LsaFitInfo, type LsaModel, type LsaOptions, type ResolvedLsaOptions } from "./lsa";
import { fitLsaShowingProgress, lsaModelArrays, lsaModelFromBundle, LsaTextEncoder } from "./lsaTextEncoder";
import { bundleChecksum, shortHash, type EncoderBundle } from "./persist";
import { LSA_TEXT_ENCODERS } from "./textEncoders";
import { countZeroRows, tokenizeTexts } from "./textFeatures";
import { resolveTextSpec, TEXT_ENCODER_VERSION, type ResolvedLsaEncoderSpec, type TrainedTextEncoder } from "./textSpec";
import { CJK_MODES, type CjkMode } from "./tokenize";

export {
  loadParallelCorpus, PARALLEL_CORPORA, type LoadParallelCorpusOptions, type ParallelCorpus, type ParallelCorpusName,
} from "../../data/text/corpora";

export const MULTILINGUAL_VERSION = 1;
/** The languages of the multilingual encoder: those of the parallel corpora (en, es, fr, ja). */
export const MULTILINGUAL_LANGUAGES: readonly string[] = PARALLEL_LANGUAGES;
/** Latent size of every encoder here (as in the brief: 128). */
export const MULTILINGUAL_DIM = 128;
/** Quick mode: fit on at most this many parallel training items. */
export const QUICK_PARALLEL_TRAIN_SIZE = 5000;
/** LSA settings of the per-language and multilingual encoders (full-data fits). */
export const MULTILINGUAL_LSA_DEFAULTS = { dim: MULTILINGUAL_DIM, seed: 0, docFraction: 1, featureFraction: 1 } as const;

// ---------------------------------------------------------------------------------------------
// Per-language encoders

export interface LanguageEncoderOptions extends Partial<LsaOptions> {
  cjk?: CjkMode;
}

/** The spec of the per-language encoder of `language` on `corpusName`: LSA with MULTILINGUAL_LSA_DEFAULTS, id "lsa-<lang>-<dim>-s<seed>". */
export function languageEncoderSpec(corpusName: string, language: string, options: LanguageEncoderOptions = {}): ResolvedLsaEncoderSpec {
  const o = { ...MULTILINGUAL_LSA_DEFAULTS, ...options };
  return resolveTextSpec({ kind: "lsa", ...o, id: `lsa-${language}-${o.dim}-s${o.seed}`, description: `per-language LSA (${language} side of ${corpusName} only)` }) as ResolvedLsaEncoderSpec;
}

/**
 * The per-language encoder of `language`: LSA fitted on `corpus.texts[language]` ONLY (own
 * vocabulary), id "lsa-<lang>-<dim>-s<seed>", trainedOn = the corpus name.
 */
export async function fitLanguageEncoder(corpus: ParallelCorpus, language: string, options: LanguageEncoderOptions = {}): Promise<LsaTextEncoder> {
  const texts = corpus.texts[language];
  if (!texts) throw new InvalidParameterError("language", `the corpus has no ${JSON.stringify(language)} side (languages: ${corpus.languages.join(", ")})`);
  return LSA_TEXT_ENCODERS.fit(languageEncoderSpec(corpus.name, language, options), { texts, name: corpus.name }, {});
}

// ---------------------------------------------------------------------------------------------
// The multilingual encoder

export interface MultilingualSpec extends ResolvedLsaOptions {
  kind: "multilingual-lsa";
  id: string;
  languages: string[];
  cjk: CjkMode;
}

/** What `resolveMultilingualSpec` takes: LSA options (MULTILINGUAL_LSA_DEFAULTS filled in), the languages, and optionally kind and id. */
export type MultilingualSpecInput = LanguageEncoderOptions & { languages: readonly string[]; kind?: "multilingual-lsa"; id?: string };

/** Fills defaults (id "xlsa-<dim>-s<seed>") and validates. @throws InvalidParameterError naming the field. */
export function resolveMultilingualSpec(spec: MultilingualSpecInput, prefix = "spec"): MultilingualSpec {
  if (spec === null || typeof spec !== "object") throw new InvalidParameterError(prefix, "expected a multilingual encoder spec object");
  if (spec.kind !== undefined && spec.kind !== "multilingual-lsa") throw new InvalidParameterError(`${prefix}.kind`, `expected "multilingual-lsa", got ${JSON.stringify(spec.kind)}`);
  const { kind: _k, id: _i, languages, cjk: c, ...lsaOptions } = spec;
  if (!Array.isArray(languages) || languages.length < 1 || !languages.every((l) => typeof l === "string")) {
    throw new InvalidParameterError(`${prefix}.languages`, `expected an array of language codes, got ${JSON.stringify(languages)}`);
  }
  const cjk = c ?? "kuromoji";
  if (!CJK_MODES.includes(cjk)) throw new InvalidParameterError(`${prefix}.cjk`, `expected "kuromoji" or "bigram", got ${JSON.stringify(cjk)}`);
  const o = resolveLsaOptions({ ...MULTILINGUAL_LSA_DEFAULTS, ...lsaOptions }, prefix);
  const id = assertSafeName(spec.id ?? `xlsa-${o.dim}-s${o.seed}`, `${prefix}.id`);
  return { kind: "multilingual-lsa", id, languages: [...languages], cjk, ...o };
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
    this.empty = countZeroRows(out);
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

  /** Nothing to free (no tensors); part of the encoder interface. */
  dispose(): void {}

  toString(): string {
    const sizes = Object.entries(this.vocabularySizes()).map(([l, n]) => `${l} ${n}`).join(", ");
    return `${this.id}: cross-lingual LSA over ${this.spec.languages.join("+")} (${sizes} terms) → ${this.dim}, trained WITH parallel data (${this.info.documents} aligned items)`;
  }
}

/**
 * Fits the multilingual (cross-lingual LSA) encoder of a resolved spec on a parallel corpus: one
 * training document per aligned item, concatenating its language-tagged tokens in every language
 * of `spec.languages`.
 */
async function fitMultilingual(spec: MultilingualSpec, corpus: ParallelCorpus, options: FitOptions = {}): Promise<MultilingualLsaEncoder> {
  for (const l of spec.languages) if (!corpus.texts[l]) throw new InvalidParameterError("languages", `the corpus has no ${JSON.stringify(l)} side`);
  const n = corpus.ids.length;
  const tokenize = async () => {
    const docs: string[][] = Array.from({ length: n }, () => []);
    for (const l of spec.languages) {
      const tokens = await tokenizeTexts(corpus.texts[l], spec.cjk);
      for (let i = 0; i < n; i++) for (const t of tokens[i]) docs[i].push(`${l}:${t}`);
    }
    return docs;
  };
  const { model, info } = await fitLsaShowingProgress(`fit ${spec.id}.${corpus.name}`, tokenize, spec, options.progress);
  return new MultilingualLsaEncoder(spec, model, info, corpus.name);
}

/** Fits the multilingual encoder on a parallel corpus (languages: `options.languages`, default the corpus's). */
export async function fitMultilingualEncoder(
  corpus: ParallelCorpus, options: LanguageEncoderOptions & { languages?: readonly string[] } = {},
): Promise<MultilingualLsaEncoder> {
  return fitMultilingual(resolveMultilingualSpec({ ...options, languages: options.languages ?? corpus.languages }, "options"), corpus);
}

/** The encoder as a trained-encoder file bundle; without `info` (timings) it is what the digest covers. */
function multilingualBundle(e: MultilingualLsaEncoder, withInfo = true): EncoderBundle {
  return {
    kind: "multilingual-lsa", id: e.spec.id, spec: e.spec,
    meta: { version: MULTILINGUAL_VERSION, trainedOn: e.trainedOn, vocabulary: e.model.vocabulary, info: withInfo ? e.info : null },
    arrays: lsaModelArrays(e.model),
  };
}

/** The encoder of a bundle written from `multilingualBundle` (its spec resolved); `fail` on anything inconsistent. */
function multilingualFromBundle(b: EncoderBundle, spec: MultilingualSpec, fail: Fail): MultilingualLsaEncoder {
  const meta = (b.meta ?? {}) as Record<string, unknown>;
  const trainedOn = typeof meta.trainedOn === "string" ? meta.trainedOn : fail(`"meta.trainedOn" must be a string`);
  const vocabulary = meta.vocabulary;
  if (!Array.isArray(vocabulary) || !vocabulary.every((t) => typeof t === "string" && t.includes(":"))) return fail(`"meta.vocabulary" must be an array of language-tagged terms`);
  const model = lsaModelFromBundle(b, vocabulary as string[], spec.dim, spec.sublinearTf, fail);
  const info = meta.info as LsaFitInfo | null;
  if (info === null || typeof info !== "object") fail(`"meta.info" is missing`);
  return new MultilingualLsaEncoder(spec, model, info!, trainedOn);
}

/** The multilingual encoder in the lifecycle: files of kind "multilingual-lsa", fitted on a parallel corpus. */
export const MULTILINGUAL_ENCODERS: EncoderFamily<MultilingualSpecInput, MultilingualSpec, MultilingualLsaEncoder, ParallelCorpus> = {
  kind: "multilingual-lsa",
  title: "multilingual encoder",
  version: MULTILINGUAL_VERSION,
  resolve: resolveMultilingualSpec,
  // Quick mode fits on fewer items (QUICK_PARALLEL_TRAIN_SIZE), not with another spec.
  quick: (s) => s,
  fit: fitMultilingual,
  toBundle: (e) => multilingualBundle(e),
  fromBundle: multilingualFromBundle,
};

/** Writes the multilingual encoder to ONE JSON file, atomically. */
export function saveMultilingualEncoder(encoder: MultilingualLsaEncoder, path: string): void {
  saveEncoder(MULTILINGUAL_ENCODERS, encoder, path);
}

/** Reads a multilingual encoder. @throws FileFormatError naming the file if it is missing, corrupt or inconsistent. */
export async function loadMultilingualEncoder(path: string): Promise<MultilingualLsaEncoder> {
  return loadEncoder<MultilingualLsaEncoder>(MULTILINGUAL_ENCODERS, path);
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
  /** Languages of the multilingual encoder (default: those of `train`, else en, es, fr, ja). */
  languages?: readonly string[];
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

/**
 * `<dir>/<name>-<8 hex digits of the options, the mode and the code versions>.json`: the file is
 * named by what was asked for (the spec is checked when the file is read).
 */
function cacheFile(corpusName: ParallelCorpusName, name: string, options: CachedMultilingualOptions, quick: boolean): string {
  const { train: _t, dir: _d, quick: _q, ...rest } = options;
  return join(options.dir ?? encoderCacheDir(`${corpusName}-parallel`), `${name}-${shortHash({ rest, quick, v: [MULTILINGUAL_VERSION, TEXT_ENCODER_VERSION] }, 8)}.json`);
}

/** The multilingual encoder of a corpus, fitted once on its train split and kept on disk. */
export async function cachedMultilingualEncoder(corpusName: ParallelCorpusName, options: CachedMultilingualOptions = {}): Promise<MultilingualLsaEncoder> {
  const quick = options.quick ?? isQuickMode();
  const { train: _t, dir: _d, quick: _q, ...fitOptions } = options;
  const languages = options.languages ?? options.train?.languages ?? MULTILINGUAL_LANGUAGES;
  return cachedEncoder(MULTILINGUAL_ENCODERS, {
    spec: resolveMultilingualSpec({ ...fitOptions, languages }, "options"),
    path: cacheFile(corpusName, "xlsa", options, quick),
    trainedOn: corpusName,
    data: () => trainSplit(corpusName, quick, options.train),
  });
}

/** The per-language encoder of `language` on a corpus, fitted once on its train split and kept on disk. */
export async function cachedLanguageEncoder(corpusName: ParallelCorpusName, language: string, options: CachedMultilingualOptions = {}): Promise<LsaTextEncoder> {
  const quick = options.quick ?? isQuickMode();
  const { train: _t, dir: _d, quick: _q, languages: _l, ...fitOptions } = options;
  return cachedEncoder(LSA_TEXT_ENCODERS, {
    spec: languageEncoderSpec(corpusName, language, fitOptions),
    path: cacheFile(corpusName, `lsa-${language}`, options, quick),
    trainedOn: corpusName,
    data: () => {
      const corpus = trainSplit(corpusName, quick, options.train);
      const texts = corpus.texts[language];
      if (!texts) throw new InvalidParameterError("language", `the corpus has no ${JSON.stringify(language)} side (languages: ${corpus.languages.join(", ")})`);
      return { texts, name: corpus.name };
    },
  });
}

/** Embeddings of one language side of a parallel corpus split through the embedding cache. */
export async function embedParallelSide(
  encoder: TrainedTextEncoder, corpus: ParallelCorpus, language: string, options: { subsetName?: string } = {},
): Promise<Matrix> {
  const texts = corpus.texts[language];
  if (!texts) throw new InvalidParameterError("language", `the corpus has no ${JSON.stringify(language)} side`);
  return cachedEncoderEmbeddings(encoder, {
    dataset: `${corpus.name}-parallel-${language}`, split: corpus.split, subset: options.subsetName ?? "all",
    count: texts.length, chunkSize: 4096, embed: (s, e) => encoder.embed(texts.slice(s, e)),
  });
}
