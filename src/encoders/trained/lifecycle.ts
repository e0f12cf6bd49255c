/**
 * The lifecycle every trained encoder family shares — spec → fit → persist → cache → embed —
 * written once. A family supplies four things, as an `EncoderFamily` object:
 *
 *   resolve(spec)             its spec type: defaults filled in, every field validated (and
 *                             `quick(spec)`, the spec quick mode fits instead)
 *   fit(spec, data)           training, deterministic for a spec and data
 *   toBundle / fromBundle     its (de)serialiser to the trained-encoder file format (persist.ts)
 *   the encoder's `embed`     (a method of the encoder it returns)
 *
 * and gets, from here:
 *
 *   effectiveSpec(family, spec, quick)   the spec that is fitted (quick mode shrinks it)
 *   saveEncoder / loadEncoder            one file per encoder; loading checks the code version and
 *                                        resolves the stored spec (a bad file is a FileFormatError)
 *   specCachePath(family, spec, dir)     `<dir>/<id>-<hash of spec and code version>.json`
 *   cachedEncoder(family, request)       the cached encoder fitted for this spec (data/loadOrFit.ts:
 *                                        a corrupt file or one fitted for another spec or corpus is
 *                                        reported and refitted; the write is atomic; a second
 *                                        request reads what the first one fitted)
 *   cachedEncoderEmbeddings(encoder, …)  embeddings through the resumable embedding cache, keyed by
 *                                        the encoder's id, version (code version + weight digest) and seed
 */
import { join } from "node:path";
import { cachedEmbeddings } from "../../data/cache";
import { loadOrFit, sameSpec } from "../../data/loadOrFit";
import type { Fail } from "../../data/modelFile";
import type { ProgressMode } from "../../engine/progress";
import type { Matrix } from "../../linalg/matrix";
import { bundleFail, readBundle, shortHash, writeBundle, type EncoderBundle, type EncoderKind } from "./persist";

/** Options every family's `fit` takes. */
export interface FitOptions {
  /** false silences the progress bar; a mode forces one. */
  progress?: boolean | ProgressMode;
  /** Fitted with the quick-mode spec (informational: recorded by families that keep it). */
  quick?: boolean;
  /**
   * Families with long training (ViTs, text transformers) checkpoint it to this file every two
   * minutes and continue from it after an interruption, to the same weights (heads/trainingCheckpoint.ts).
   * `cachedEncoder` sets it to `<cache file>.partial`.
   */
  checkpointPath?: string;
}

/** What the lifecycle needs of a fitted encoder. */
export interface FittedEncoder<R extends ResolvedSpec> {
  readonly spec: R;
  /** The encoder's name in the embedding cache (the spec id, plus the corpus for text encoders). */
  readonly id: string;
  /** Embedding-cache version: code version + digest of the weights. */
  readonly cacheVersion: string;
  /** The data set it was fitted on, when that is part of its identity (text corpora). */
  readonly trainedOn?: string;
  /** Frees tfjs tensors (re-created on the next use). */
  dispose(): void;
}

/** What every resolved spec has. */
export interface ResolvedSpec {
  id: string;
  seed: number;
}

/** A family of trained encoders: spec S (resolved R), encoder E, training data D. */
export interface EncoderFamily<S, R extends ResolvedSpec, E extends FittedEncoder<R>, D> {
  /** Its "kind" in files. */
  readonly kind: EncoderKind;
  /** Its name in messages, e.g. "image encoder". */
  readonly title: string;
  /** Code version: bump when training, features or the model change; files of another version are refitted. */
  readonly version: number;
  /** Defaults filled in and every field validated. @throws InvalidParameterError naming the field. */
  resolve(spec: S, prefix?: string): R;
  /** The spec quick mode fits instead (smaller training set, fewer epochs). */
  quick(spec: R): R;
  fit(spec: R, data: D, options: FitOptions): Promise<E>;
  toBundle(encoder: E): EncoderBundle;
  /** The encoder of a bundle whose kind, version and spec are checked already; `fail` for the rest. */
  fromBundle(bundle: EncoderBundle, spec: R, fail: Fail): E | Promise<E>;
}

// Any family, for functions that take one without caring about its types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an existential type: any spec, state, encoder and resolved spec
type AnyFamily = EncoderFamily<any, any, any, any>;

/** The spec that is fitted: `resolve(spec)`, shrunk by `quick` in quick mode. */
export function effectiveSpec<S, R>(family: { resolve(spec: S): R; quick(spec: R): R }, spec: S, quick: boolean): R {
  const s = family.resolve(spec);
  return quick ? family.quick(s) : s;
}

/** Writes an encoder to ONE JSON file (persist.ts), atomically. */
export function saveEncoder<E>(family: { toBundle(encoder: E): EncoderBundle }, encoder: E, path: string): void {
  writeBundle(path, family.toBundle(encoder));
}

/**
 * Reads an encoder written by `saveEncoder` with any of `families` (chosen by the file's kind); it
 * embeds identically to the one saved.
 * @throws FileFormatError naming the file if it is missing, corrupt, of another family or code
 *   version, or inconsistent with its spec.
 */
export async function loadEncoder<E>(families: AnyFamily | readonly AnyFamily[], path: string): Promise<E> {
  const list: readonly AnyFamily[] = Array.isArray(families) ? families : [families as AnyFamily];
  const b = readBundle(path, list.length === 1 ? list[0].kind : undefined);
  const fail = bundleFail(path);
  const family = list.find((f) => f.kind === b.kind);
  if (family === undefined) return fail(`holds a "${b.kind}" encoder, not ${list.map((f) => `"${f.kind}"`).join(" or ")}`);
  const meta = (b.meta ?? {}) as { version?: unknown };
  if (meta.version !== family.version) fail(`written by ${family.title} code version ${JSON.stringify(meta.version)}, this is ${family.version}`);
  let spec: ResolvedSpec;
  try {
    spec = family.resolve(b.spec);
  } catch (e) {
    return fail(`bad spec: ${(e as Error).message}`);
  }
  return (await family.fromBundle(b, spec, fail)) as E;
}

/** `<dir>/<spec id>-<8 hex digits of the spec and the code version>.json`: quick and full specs never share a file. */
export function specCachePath(family: { version: number }, spec: ResolvedSpec, dir: string): string {
  return join(dir, `${spec.id}-${shortHash({ s: spec, v: family.version }, 8)}.json`);
}

export interface CachedEncoderRequest<R, D> {
  /** The spec to fit (as `effectiveSpec` gives it): a cached encoder of another spec is refitted. */
  spec: R;
  /** The cache file (`specCachePath`, or a family's own naming). */
  path: string;
  /** The training data, loaded only when the encoder has to be fitted. */
  data: () => D;
  /** When given, a cached encoder must have been fitted on this data set. */
  trainedOn?: string;
  fit?: FitOptions;
}

/** The encoder of `request.spec`: read from `request.path` if valid and fitted for it, else fitted and saved there. */
export async function cachedEncoder<S, R extends ResolvedSpec, E extends FittedEncoder<R>, D>(
  family: EncoderFamily<S, R, E, D>, request: CachedEncoderRequest<R, D>,
): Promise<E> {
  return loadOrFit<E>({
    path: request.path,
    what: family.title,
    load: (path) => loadEncoder<E>(family, path),
    mismatch: (e) => {
      if (!sameSpec(e.spec, request.spec)) return `holds another spec (${JSON.stringify(e.spec)}, asked for ${JSON.stringify(request.spec)})`;
      if (request.trainedOn !== undefined && e.trainedOn !== request.trainedOn) return `was fitted on ${JSON.stringify(e.trainedOn)}, not ${JSON.stringify(request.trainedOn)}`;
      return undefined;
    },
    fit: () => family.fit(request.spec, request.data(), { checkpointPath: `${request.path}.partial`, ...request.fit }),
    save: (e, path) => saveEncoder(family, e, path),
    dispose: (e) => e.dispose(),
  });
}

/** Items to embed through the embedding cache: their data set, split and subset name, and how to embed a range. */
export interface EmbeddingItems {
  dataset: string;
  split: string;
  /** Cache name of the subset ("all", "n2000-s0", "limit5000"…). */
  subset: string;
  count: number;
  /** Items per cached chunk. */
  chunkSize: number;
  /** Embeds items [start, end). */
  embed: (start: number, end: number) => Promise<Matrix> | Matrix;
}

/** Embeddings of `items` by `encoder` through the embedding cache (encoder = its id, version = its cacheVersion, seed = its spec's seed). */
export async function cachedEncoderEmbeddings(encoder: FittedEncoder<ResolvedSpec>, items: EmbeddingItems): Promise<Matrix> {
  return cachedEmbeddings(
    { dataset: items.dataset, split: items.split, subset: items.subset, encoder: encoder.id, version: encoder.cacheVersion, seed: encoder.spec.seed },
    { count: items.count, chunkSize: items.chunkSize, label: `embed ${encoder.id}`, embed: items.embed },
  );
}
