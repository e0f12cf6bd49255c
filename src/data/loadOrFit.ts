/**
 * The cache of fitted models (trained encoders, classification heads): one file per entry, read if
 * it is valid and was fitted for this request, else fitted and written. Every cached model goes
 * through `loadOrFit`, so the rules hold for all of them:
 *
 *   - a valid entry is read, never refitted (a second run, or a run resuming after an interruption,
 *     costs a file read);
 *   - a corrupt, truncated or foreign file (the format's loader throws a FileFormatError: bad
 *     checksum, bad JSON, another code version) is reported on stderr and refitted;
 *   - an entry fitted for another request (its spec differs: `mismatch` says how) is never used
 *     silently: it is reported and refitted;
 *   - the file is written atomically (`save` uses writeFileAtomic), so a killed run leaves the old
 *     entry or none, never half of one;
 *   - concurrent requests for one path in this process run one after the other, so an entry that
 *     one request is fitting is read by the next instead of being fitted twice.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { FileFormatError } from "../errors";

export interface LoadOrFitOptions<T> {
  /** The entry's file. */
  path: string;
  /** What the entry is, in messages: "image encoder", "head". */
  what: string;
  /** Reads the file; throws FileFormatError when it is unreadable, corrupt or of another version. */
  load: (path: string) => T | Promise<T>;
  /** Why a loaded entry cannot serve this request (e.g. "holds another spec …"), or undefined to use it. */
  mismatch?: (entry: T) => string | undefined;
  /** Computes the entry (only when the file is absent or unusable). */
  fit: () => Promise<T>;
  /** Writes the entry to `path`, atomically. */
  save: (entry: T, path: string) => void;
  /** Frees a loaded entry that is not used. */
  dispose?: (entry: T) => void;
}

/** The tail of the chain of tasks per (absolute) path. */
const pending = new Map<string, Promise<unknown>>();

/**
 * Runs `task` once every earlier task of this process on the same `path` has settled: cache
 * entries are read, fitted or written by one task at a time, so a second request for an entry
 * reads what the first one wrote instead of computing it again.
 */
export async function oneAtATime<T>(path: string, task: () => Promise<T>): Promise<T> {
  const key = resolve(path);
  const run = (pending.get(key) ?? Promise.resolve()).then(task, task);
  const tail = run.then(() => undefined, () => undefined);
  pending.set(key, tail);
  try {
    return await run;
  } finally {
    if (pending.get(key) === tail) pending.delete(key);
  }
}

/** The entry at `options.path` if it is valid and matches, else a freshly fitted one (then saved there). */
export async function loadOrFit<T>(options: LoadOrFitOptions<T>): Promise<T> {
  return oneAtATime(options.path, () => loadOrFitNow(options));
}

async function loadOrFitNow<T>(o: LoadOrFitOptions<T>): Promise<T> {
  if (existsSync(o.path)) {
    try {
      const entry = await o.load(o.path);
      const why = o.mismatch?.(entry);
      if (why === undefined) return entry;
      o.dispose?.(entry);
      console.warn(`${o.what} cache: ${o.path} ${why}; refitting`);
    } catch (err) {
      if (!(err instanceof FileFormatError)) throw err;
      console.warn(`${o.what} cache: ${err.message}; refitting`);
    }
  }
  const entry = await o.fit();
  o.save(entry, o.path);
  return entry;
}

/** Compares two specs as data: equal JSON once object keys are sorted (key order never matters). */
export function sameSpec(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_key, value: unknown) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
    const o = value as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  });
}
