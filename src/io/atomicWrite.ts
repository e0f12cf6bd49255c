import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmdirSync, statSync, unlinkSync, writeSync } from "node:fs";
import { open } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { basename, dirname, join, resolve } from "node:path";
import { FileSystemError, InterruptedError } from "../errors";

/** Prefix of temporary files: hidden, so a half-written file never looks like a result. */
export const TEMP_PREFIX = ".lb-tmp-";

/** `.lb-tmp-<name>.<pid>.<12 hex>`: the pid of the writer is what tells a stale temporary from a live one. */
const TEMP_NAME = /^\.lb-tmp-.*\.(\d+)\.[0-9a-f]{12}$/;

/** Why an errno error happened, in words (the code stays on the FileSystemError). */
export function fileSystemReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    case "ENOTDIR":
      return "a parent of the path is not a directory";
    case "ENOENT":
      return "no such file or directory";
    case "ENOSPC":
      return "no space left on device";
    case "EDQUOT":
      return "disk quota exceeded";
    case "EROFS":
      return "read-only file system";
    default:
      return err?.message ?? String(e);
  }
}

function writeError(path: string, e: unknown): unknown {
  if (e instanceof FileSystemError || e instanceof InterruptedError) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code !== "string") return e;
  const wrapped = new FileSystemError(path, `cannot write: ${fileSystemReason(e)}`, code);
  wrapped.cause = e;
  return wrapped;
}

/**
 * Creates `dir` and its parents; returns the first directory it created (undefined if none). A path
 * component that exists but is a file makes mkdir fail with EEXIST or ENOTDIR, which says nothing
 * useful: the error names that component instead.
 */
function makeParents(dir: string, path: string): string | undefined {
  try {
    return mkdirSync(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    if (code === "EEXIST" || code === "ENOTDIR") {
      for (let p = dir; ; p = dirname(p)) {
        let isFile = false;
        try {
          isFile = !statSync(p).isDirectory();
        } catch {
          // does not exist (or unreadable): look further up
        }
        if (isFile) {
          const err = new FileSystemError(path, `cannot create its directory: ${p} is a file, not a directory`, "ENOTDIR");
          err.cause = e;
          throw err;
        }
        if (dirname(p) === p) break;
      }
    }
    throw writeError(path, e);
  }
}

function tempPathFor(path: string): string {
  return join(dirname(path), `${TEMP_PREFIX}${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}`);
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // the temporary file may never have been created
  }
}

/** Removes the directories `makeParents` created, from `dir` up to `first`, where they are empty (an abort leaves nothing behind). */
function removeCreatedDirectories(dir: string, first: string): void {
  const stop = resolve(first);
  for (let p = resolve(dir); ; p = dirname(p)) {
    try {
      rmdirSync(p);
    } catch {
      return; // not empty (another writer's file), or already gone
    }
    if (p === stop || dirname(p) === p) return;
  }
}

/** Best effort: persist the rename itself (not possible on every platform / filesystem). */
function syncDirectory(dir: string): void {
  try {
    const dfd = openSync(dir, "r");
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // ignore
  }
}

/**
 * Writes bytes (or UTF-8 text) to `path` atomically: into a temporary file in the same directory,
 * fsync'd, then renamed over `path`. Readers see the old file or the whole new one, never a part;
 * on any error the temporary file is removed. Parent directories are created. File-system failures
 * are FileSystemErrors naming `path` (with the system's code).
 *
 * Synchronous, so a signal cannot interrupt it half-way except by killing the process (SIGKILL, or
 * SIGINT/SIGTERM with no handler): then the hidden temporary stays behind, and
 * `removeStaleTemporaries` removes it later. `writeFileAtomicInterruptible` handles the signals.
 */
export function writeFileAtomic(path: string, content: Uint8Array | string): void {
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
  const dir = dirname(path);
  makeParents(dir, path);
  const tmp = tempPathFor(path);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "wx");
    let written = 0;
    while (written < bytes.length) {
      written += writeSync(fd, bytes, written, bytes.length - written);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // ignore: already failing
      }
    }
    unlinkQuietly(tmp);
    throw writeError(path, e);
  }
  syncDirectory(dir);
}

/** The signals a terminal or a job runner sends to stop a process (SIGKILL cannot be caught). */
const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export interface InterruptibleWriteOptions {
  /** Bytes per write call; between two calls a signal is noticed. Default 8 MiB. */
  chunkBytes?: number;
  /** Called after each chunk with the bytes written so far and the total. */
  onProgress?: (written: number, total: number) => void;
}

/**
 * `writeFileAtomic`, asynchronously and in chunks, with SIGINT, SIGTERM and SIGHUP caught while the
 * temporary file exists: a signal stops the write at the next chunk, the temporary file is removed,
 * nothing is renamed, and the promise rejects with an InterruptedError carrying the signal (the CLI
 * then exits with 128 + its number). Outside this window the signals keep their default action.
 * (`openAtomicWriter` below, for content that is produced while it is written.)
 */
export async function writeFileAtomicInterruptible(
  path: string, content: Uint8Array | string, options: InterruptibleWriteOptions = {},
): Promise<void> {
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
  const chunk = Math.max(1, options.chunkBytes ?? 8 * 1024 * 1024);
  const writer = await openAtomicWriter(path);
  try {
    for (let written = 0; written < bytes.length;) {
      const n = Math.min(chunk, bytes.length - written);
      await writer.write(bytes.subarray(written, written + n));
      written += n;
      options.onProgress?.(written, bytes.length);
    }
    await writer.commit();
  } catch (e) {
    await writer.abort();
    throw e;
  }
}

/**
 * A file being written atomically and interruptibly, piece by piece (`openAtomicWriter`): the pieces
 * go to a hidden temporary file beside `path`; `commit` fsyncs and renames it over `path`, `abort`
 * removes it. Until one of them, SIGINT, SIGTERM and SIGHUP are caught: the next `write` or `commit`
 * then rejects with an InterruptedError (the caller aborts). File-system failures are
 * FileSystemErrors naming `path`.
 */
export interface AtomicWriter {
  readonly path: string;
  /** The hidden temporary file the pieces go to. */
  readonly tempPath: string;
  /** Bytes written so far. */
  readonly written: number;
  write(bytes: Uint8Array): Promise<void>;
  /** Makes the file whole: fsync, rename over `path`, fsync the directory. */
  commit(): Promise<void>;
  /** Removes the temporary file (idempotent; never throws). */
  abort(): Promise<void>;
}

/**
 * Opens `path` for an atomic, interruptible write whose content is produced while it is written
 * (a translation streamed block by block). Parent directories are created. Always end with `commit`
 * or `abort`: until then the signal handlers stay installed.
 */
export async function openAtomicWriter(path: string): Promise<AtomicWriter> {
  const dir = dirname(path);
  const created = makeParents(dir, path);
  const tmp = tempPathFor(path);
  let caught: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    caught ??= signal;
  };
  const stopIfSignalled = () => {
    if (caught !== undefined) throw new InterruptedError(path, caught, "interrupted before the file was complete; nothing was written");
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  let finished = false;
  const release = () => {
    if (!finished) for (const s of STOP_SIGNALS) process.off(s, onSignal);
    finished = true;
  };
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(tmp, "wx");
  } catch (e) {
    release();
    throw writeError(path, e);
  }
  let written = 0;
  return {
    path,
    tempPath: tmp,
    get written() {
      return written;
    },
    async write(bytes: Uint8Array) {
      if (finished || handle === undefined) throw new Error(`${path}: write after commit or abort`);
      stopIfSignalled();
      try {
        for (let done = 0; done < bytes.length;) {
          const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
          done += bytesWritten;
        }
      } catch (e) {
        throw writeError(path, e);
      }
      written += bytes.length;
    },
    async commit() {
      if (finished || handle === undefined) throw new Error(`${path}: commit after commit or abort`);
      try {
        stopIfSignalled();
        await handle.sync();
        await handle.close();
        handle = undefined;
        stopIfSignalled();
        renameSync(tmp, path);
      } catch (e) {
        throw writeError(path, e);
      }
      release();
      syncDirectory(dir);
    },
    async abort() {
      if (handle !== undefined) await handle.close().catch(() => undefined);
      handle = undefined;
      unlinkQuietly(tmp);
      if (!finished && created !== undefined) removeCreatedDirectories(dir, created);
      release();
    },
  };
}

/** Whether process `pid` exists on this machine (EPERM: it does, under another user). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes this tool's temporaries in `dir` whose writer is gone (a process killed while writing):
 * hidden `.lb-tmp-<name>.<pid>.<hex>` files whose pid no longer exists on this machine. Files of a
 * live process (this one included) and every other file are left alone. Returns the removed paths;
 * a missing or unreadable directory removes nothing.
 */
export function removeStaleTemporaries(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processExists(pid)) continue;
    const path = join(dir, name);
    try {
      if (!statSync(path).isFile()) continue;
      unlinkSync(path);
      removed.push(path);
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
  return removed;
}
