import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { open } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
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
 * Creates `dir` and its parents. A path component that exists but is a file makes mkdir fail with
 * EEXIST or ENOTDIR, which says nothing useful: the error names that component instead.
 */
function makeParents(dir: string, path: string): void {
  try {
    mkdirSync(dir, { recursive: true });
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
 */
export async function writeFileAtomicInterruptible(
  path: string, content: Uint8Array | string, options: InterruptibleWriteOptions = {},
): Promise<void> {
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
  const chunk = Math.max(1, options.chunkBytes ?? 8 * 1024 * 1024);
  const dir = dirname(path);
  makeParents(dir, path);
  const tmp = tempPathFor(path);
  let caught: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    caught ??= signal;
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  const stopIfSignalled = () => {
    if (caught !== undefined) throw new InterruptedError(path, caught, "interrupted before the file was complete; nothing was written");
  };
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(tmp, "wx");
    let written = 0;
    while (written < bytes.length) {
      stopIfSignalled();
      const { bytesWritten } = await handle.write(bytes, written, Math.min(chunk, bytes.length - written));
      written += bytesWritten;
      options.onProgress?.(written, bytes.length);
    }
    stopIfSignalled();
    await handle.sync();
    await handle.close();
    handle = undefined;
    stopIfSignalled();
    renameSync(tmp, path);
  } catch (e) {
    if (handle !== undefined) await handle.close().catch(() => undefined);
    unlinkQuietly(tmp);
    throw writeError(path, e);
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onSignal);
  }
  syncDirectory(dir);
}

/** Whether process `pid` exists on this machine (EPERM: it does, under another user). */
function processExists(pid: number): boolean {
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
