/**
 * The embedding cache: embeddings are slow to compute (seconds per image for the pretrained
 * backbones), so each (data set, split, subset, encoder, version, seed) is computed once and kept as
 * a float32 `.npy` plus a JSON file of metadata with the array's SHA-256.
 *
 * Long computations are done in chunks, each chunk written atomically to a parts folder as it
 * finishes, so a killed run resumes where it stopped. The final array and then its metadata are
 * written atomically; an entry whose metadata is missing, unreadable or whose checksum does not
 * match is treated as absent and recomputed (never read half-written). An entry is computed once
 * however many requests want it at the same time: within a process they are served one after the
 * other (`oneAtATime`); across processes sharing the cache folder, the one that claims
 * `<entry>.npy.lock` computes (chunks included) while the others wait and then read it
 * (`computeOnce`, io/claim.ts).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Matrix } from "../linalg/matrix";
import { parseNpy, npyToMatrix, serializeNpy } from "../io/npy";
import { writeFileAtomic } from "../io/atomicWrite";
import { computeOnce, type ClaimOptions } from "../io/claim";
import { InvalidParameterError, ShapeMismatchError } from "../errors";
import { cacheDir } from "../config";
import { progress as makeProgress } from "../engine/progress";
import { oneAtATime } from "./loadOrFit";

export interface EmbeddingKey {
  dataset: string;
  split: string;
  /** Which items: e.g. "all", "n2000-s0" (a seeded subset of 2,000), "quick". */
  subset: string;
  encoder: string;
  /** Bump when the encoder's code or weights change: old entries are then ignored. */
  version: string | number;
  seed: number;
}

export interface EmbeddingMeta {
  key: EmbeddingKey;
  rows: number;
  cols: number;
  dtype: "float32";
  sha256: string;
  createdAt: string;
  seconds: number;
}

/** `$LATENT_BRIDGE_CACHE_DIR`, else `<repo>/data/cache` (git-ignored). */
export function cacheRoot(): string {
  return cacheDir();
}

const SAFE = /^[A-Za-z0-9._+-]+$/;

function checkKey(key: EmbeddingKey): void {
  for (const field of ["dataset", "split", "subset", "encoder"] as const) {
    const v = key[field];
    if (typeof v !== "string" || !SAFE.test(v)) {
      throw new InvalidParameterError(`key.${field}`, `expected a non-empty name of letters, digits, '.', '_', '+' or '-', got ${JSON.stringify(v)}`);
    }
  }
  if (!SAFE.test(String(key.version))) throw new InvalidParameterError("key.version", `expected a simple name, got ${JSON.stringify(key.version)}`);
  if (!Number.isInteger(key.seed)) throw new InvalidParameterError("key.seed", `expected an integer, got ${key.seed}`);
}

export function embeddingPaths(key: EmbeddingKey, root = cacheRoot()): { dir: string; npy: string; meta: string; parts: string } {
  checkKey(key);
  const dir = join(root, "embeddings", key.dataset, key.split, key.subset);
  const base = `${key.encoder}@${key.version}-s${key.seed}`;
  return { dir, npy: join(dir, `${base}.npy`), meta: join(dir, `${base}.json`), parts: join(dir, `${base}.parts`) };
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The cached embeddings of `key`, or undefined when absent or corrupt (a corrupt entry is removed). */
export function readCachedEmbeddings(key: EmbeddingKey, root = cacheRoot()): Matrix | undefined {
  const p = embeddingPaths(key, root);
  if (!existsSync(p.meta) || !existsSync(p.npy)) return undefined;
  try {
    const meta = JSON.parse(readFileSync(p.meta, "utf8")) as EmbeddingMeta;
    const bytes = readFileSync(p.npy);
    if (sha256(bytes) !== meta.sha256) throw new Error("checksum mismatch");
    const m = npyToMatrix(parseNpy(bytes, p.npy), p.npy);
    if (m.rows !== meta.rows || m.cols !== meta.cols) throw new Error("shape differs from its metadata");
    return m;
  } catch (e) {
    console.warn(`embedding cache: ${p.npy} is corrupt (${(e as Error).message}); it will be recomputed`);
    // force: another process may have found it corrupt and removed it at the same time
    for (const f of [p.meta, p.npy]) rmSync(f, { force: true });
    return undefined;
  }
}

function float32Npy(m: Matrix): Uint8Array {
  return serializeNpy({ shape: [m.rows, m.cols], data: Float32Array.from(m.data) });
}

export interface CachedEmbeddingOptions {
  /** Number of items (rows) to embed. */
  count: number;
  /** Embeds items [start, end); called once per chunk not yet in the cache. */
  embed: (start: number, end: number) => Promise<Matrix> | Matrix;
  /** Items per chunk (each chunk is saved as it finishes). Default 256. */
  chunkSize?: number;
  /** Label of the progress bar. Default: the encoder name. */
  label?: string;
  root?: string;
  /** How long to wait for another process computing the same entry, and the like (io/claim.ts). */
  claim?: ClaimOptions;
}

/**
 * The embeddings of `key`: read from the cache, or computed chunk by chunk (resuming from chunks a
 * previous, interrupted run finished), stored, and returned (as float32 values in a Matrix).
 */
export async function cachedEmbeddings(key: EmbeddingKey, options: CachedEmbeddingOptions): Promise<Matrix> {
  const root = options.root ?? cacheRoot();
  // One computation per entry at a time, in this process and across processes: a concurrent
  // request waits and then reads the entry.
  const entry = embeddingPaths(key, root).npy;
  return oneAtATime(entry, () => computeOnce(entry, {
    read: () => {
      const hit = readCachedEmbeddings(key, root);
      if (hit && hit.rows !== options.count) {
        throw new ShapeMismatchError("count", `the cache holds ${hit.rows} rows for ${JSON.stringify(key)}, asked for ${options.count}; use another subset name`);
      }
      return hit;
    },
    compute: () => compute(key, options, root),
  }, { what: "embedding cache", ...options.claim }));
}

/** Computes the entry chunk by chunk (resuming from the parts on disk) and writes it; the caller holds its claim. */
async function compute(key: EmbeddingKey, options: CachedEmbeddingOptions, root: string): Promise<Matrix> {
  const p = embeddingPaths(key, root);
  const chunk = options.chunkSize ?? 256;
  if (!Number.isInteger(chunk) || chunk < 1) throw new InvalidParameterError("chunkSize", `expected an integer ≥ 1, got ${chunk}`);
  const started = performance.now();
  const chunks: Matrix[] = [];
  const bar = makeProgress({ total: options.count, label: options.label ?? key.encoder });
  let cols = -1;
  for (let start = 0; start < options.count; start += chunk) {
    const end = Math.min(options.count, start + chunk);
    const partPath = join(p.parts, `${String(start).padStart(8, "0")}-${end}.npy`);
    let m: Matrix | undefined;
    if (existsSync(partPath)) {
      try {
        m = npyToMatrix(parseNpy(readFileSync(partPath), partPath), partPath);
        if (m.rows !== end - start) m = undefined;
      } catch {
        m = undefined; // a damaged part is simply recomputed
      }
    }
    if (!m) {
      m = await options.embed(start, end);
      if (m.rows !== end - start) {
        throw new ShapeMismatchError("embed", `returned ${m.rows} rows for items ${start}..${end - 1}, expected ${end - start}`);
      }
      writeFileAtomic(partPath, float32Npy(m));
    }
    if (cols >= 0 && m.cols !== cols) throw new ShapeMismatchError("embed", `returned ${m.cols} columns, earlier chunks had ${cols}`);
    cols = m.cols;
    chunks.push(m);
    bar.update(end);
  }
  bar.done();
  const all = new Matrix(options.count, Math.max(cols, 0));
  let offset = 0;
  for (const m of chunks) {
    // Round through float32 so a fresh result equals what later reads of the cache return.
    for (let i = 0; i < m.data.length; i++) all.data[offset + i] = Math.fround(m.data[i]);
    offset += m.data.length;
  }
  const bytes = float32Npy(all);
  writeFileAtomic(p.npy, bytes);
  const meta: EmbeddingMeta = {
    key, rows: all.rows, cols: all.cols, dtype: "float32", sha256: sha256(bytes),
    createdAt: new Date().toISOString(), seconds: (performance.now() - started) / 1000,
  };
  writeFileAtomic(p.meta, JSON.stringify(meta, null, 2) + "\n");
  rmSync(p.parts, { recursive: true, force: true });
  return all;
}

/** Every cached entry under the root (for `listEncoders` and housekeeping). */
export function listCachedEmbeddings(root = cacheRoot()): EmbeddingMeta[] {
  const out: EmbeddingMeta[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const f = join(dir, e.name);
      if (e.isDirectory() && !e.name.endsWith(".parts")) walk(f);
      else if (e.isFile() && e.name.endsWith(".json")) {
        try {
          out.push(JSON.parse(readFileSync(f, "utf8")) as EmbeddingMeta);
        } catch {
          // ignored: readCachedEmbeddings reports and removes corrupt entries
        }
      }
    }
  };
  walk(join(root, "embeddings"));
  return out;
}

/**
 * Folder of the cached trained encoders fitted on `dataset`: `<cacheRoot()>/encoders/<dataset>`
 * ("fashion-mnist", "wordnet", "gettext-parallel"…; one file per encoder, see data/loadOrFit.ts).
 */
export function encoderCacheDir(dataset: string, root = cacheRoot()): string {
  return join(root, "encoders", dataset);
}
