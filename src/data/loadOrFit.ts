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
 *   - an entry is fitted at most once, however many requests want it at the same time: within a
 *     process they run one after the other (`oneAtATime`), and across processes sharing the cache
 *     the one that claims `<path>.lock` fits while the others wait and then read what it wrote
 *     (`computeOnce`, io/claim.ts; a lock left by a killed process is taken over).
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { FileFormatError } from "../errors";
import { computeOnce, type ClaimOptions } from "../io/claim";

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
  /** How long to wait for another process fitting the same entry, and the like (io/claim.ts). */
  claim?: ClaimOptions;
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
  // Why the file on disk cannot be used, said only if this process then fits the entry (a process
  // that waits for another one's fit reads the new file instead).
  let unusable: string | undefined;
  // The file found unusable, by inode, size and time: read once, not again after claiming it.
  let rejected: string | undefined;
  const read = async (): Promise<T | undefined> => {
    const file = fileSignature(o.path);
    if (file === undefined) {
      unusable = undefined;
      return undefined;
    }
    if (file === rejected) return undefined;
    unusable = undefined;
    rejected = file;
    try {
      const entry = await o.load(o.path);
      const why = o.mismatch?.(entry);
      if (why === undefined) return entry;
      o.dispose?.(entry);
      unusable = `${o.path} ${why}`;
    } catch (err) {
      if (!(err instanceof FileFormatError)) throw err;
      unusable = err.message;
    }
    return undefined;
  };
  return computeOnce(o.path, {
    read,
    compute: async () => {
      if (unusable !== undefined) console.warn(`${o.what} cache: ${unusable}; refitting`);
      const entry = await o.fit();
      o.save(entry, o.path);
      return entry;
    },
  }, { what: `${o.what} cache`, ...o.claim });
}

/** Inode, size and modification time of `path`, or undefined when there is no such file. */
function fileSignature(path: string): string | undefined {
  try {
    const st = statSync(path);
    return `${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    return undefined;
  }
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
