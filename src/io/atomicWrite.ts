import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";

/** Prefix of temporary files: hidden, so a half-written file never looks like a result. */
export const TEMP_PREFIX = ".lb-tmp-";

/**
 * Writes bytes (or UTF-8 text) to `path` atomically: into a temporary file in the same directory,
 * fsync'd, then renamed over `path`. Readers see the old file or the whole new one, never a part;
 * on any error the temporary file is removed. Parent directories are created.
 */
export function writeFileAtomic(path: string, content: Uint8Array | string): void {
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `${TEMP_PREFIX}${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}`);
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
    try {
      unlinkSync(tmp);
    } catch {
      // ignore: the temp file may never have been created
    }
    throw e;
  }
  // Best effort: persist the rename itself (not possible on every platform / filesystem).
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
