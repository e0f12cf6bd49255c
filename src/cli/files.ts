/**
 * The files of a command: reading inputs with errors naming their flag, checking outputs before
 * anything is read (not an input, not a directory, the right extension), and streaming a translation
 * into its output with a progress line on a terminal.
 */
import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { FileSystemError, InterruptedError, LatentBridgeError } from "../errors";
import type { Matrix } from "../linalg/matrix";
import { progress, type Progress } from "../engine/progress";
import { readMatrix, openRows, type RowSource } from "../io/arraySource";
import { removeStaleTemporaries } from "../io/atomicWrite";
import { isNpzPath, parseArraySpec } from "../io/npz";
import { transformFile, type OutputDtype, type TransformFileResult } from "../translate/transformFile";
import type { Precision } from "../linalg/product";
import type { Translator } from "../translate/translator";
import { CliError, EXIT_FAILURE, EXIT_USAGE, fromLibraryError, mapLibraryErrors } from "./cliErrors";

/** Where the program writes. Anything with a `write(string)` works (tests pass string collectors). */
export interface CliIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown; isTTY?: boolean; columns?: number };
}

/** flag → the file (or `x.npz:key`) it names. */
export type Files = Record<string, string>;

/** Runs `fn`, re-addressing a library error to `flag`: "--input: <its message>", exit 1. */
export function asFlag<T>(flag: string, fn: () => T): T {
  return mapLibraryErrors(fn, (e) => new CliError(EXIT_FAILURE, e.name, flag, `${flag}: ${e.message}`));
}

/** The whole matrix a flag names (`.npy`, `x.npz`, `x.npz:key`). */
export function readFlagMatrix(flag: string, files: Files): Matrix {
  return asFlag(flag, () => readMatrix(files[flag]));
}

/** A matrix a flag names, opened for reading by row blocks (header checked now). */
export function openFlagRows(flag: string, files: Files): RowSource {
  return asFlag(flag, () => openRows(files[flag]));
}

/** Device and inode of an existing path (bigint: inode numbers can exceed 2^53), or undefined. */
function fileIdentity(path: string): { dev: bigint; ino: bigint; isDirectory: boolean } | undefined {
  try {
    const s = statSync(path, { bigint: true });
    return { dev: s.dev, ino: s.ino, isDirectory: s.isDirectory() };
  } catch {
    return undefined;
  }
}

/**
 * An output (`--output`, `--save`) must not be one of the inputs — the atomic rename would replace
 * it — nor a directory; compared by device and inode, so other spellings and links are caught too.
 * Its extension must be `.npz` for a model (`model: true`) and not `.npz` otherwise. Returns the
 * absolute path. Checked before anything is read.
 */
export function checkOutput(flag: string, raw: string, inputs: Files, model = false): string {
  const path = resolve(raw);
  if (model && !isNpzPath(path)) {
    throw new CliError(EXIT_USAGE, "UsageError", flag, `${flag}: a model is saved as an .npz archive (numpy opens it with np.load); give a path ending in .npz, got ${raw}`);
  }
  if (!model && isNpzPath(path)) {
    throw new CliError(EXIT_USAGE, "UsageError", flag, `${flag}: translations are written as .npy; .npz output is for models only (fit --save), got ${raw}`);
  }
  const out = fileIdentity(path);
  if (out === undefined) return path;
  if (out.isDirectory) throw new CliError(EXIT_FAILURE, "FileSystemError", flag, `${flag}: ${path} is a directory; give a file path`);
  for (const [inFlag, spec] of Object.entries(inputs)) {
    const input = fileIdentity(parseArraySpec(spec).path);
    if (input && input.dev === out.dev && input.ino === out.ino) {
      throw new CliError(
        EXIT_USAGE, "UsageError", flag,
        `${flag}: ${path} is the same file as ${inFlag} (${spec}); writing there would destroy that input — choose another path`,
      );
    }
  }
  return path;
}

/** Temporaries of earlier runs killed while writing (SIGKILL cannot be caught) next to `output` are removed; returns the warnings. */
export function cleanStaleTemporaries(output: string): string[] {
  return removeStaleTemporaries(dirname(output)).map((stale) => `removed ${stale}, a temporary file left by an earlier run that was killed while writing`);
}

/** Rows from which a long input gets a progress line (on a terminal only: logs and pipes stay quiet). */
const PROGRESS_MIN_ROWS = 100_000;

/**
 * Streams `translator` over `input` into `output` (translate/transformFile.ts), with a progress line
 * on a terminal for long inputs, and maps its errors to the flags: the input's to `--input`, the
 * output's and a signal's to `--output`, bad values of the translation to `--input` / `--dtype`.
 */
export async function streamTranslation(
  translator: Translator, input: RowSource, output: string, dtype: OutputDtype | undefined, io: CliIo, files: Files,
  precision: Precision = "float64",
): Promise<TransformFileResult> {
  let bar: Progress | undefined;
  if (io.stderr.isTTY && input.rows >= PROGRESS_MIN_ROWS) {
    bar = progress({ total: input.rows, label: "translate", mode: "tty", stream: io.stderr as { write(s: string): unknown; isTTY?: boolean } });
  }
  try {
    return await transformFile(translator, input, output, { dtype, precision, onProgress: bar ? (done) => bar!.update(done) : undefined });
  } catch (e) {
    if (!(e instanceof LatentBridgeError)) throw e;
    if (e instanceof InterruptedError) throw fromLibraryError(e, files);
    if (e instanceof FileSystemError && e.argument === output) throw new CliError(EXIT_FAILURE, e.name, "--output", `--output: ${e.message}`);
    if (e.argument === "x" || e.argument === "dtype" || e.argument === "precision") throw fromLibraryError(e, files);
    throw new CliError(EXIT_FAILURE, e.name, "--input", `--input: ${e.message}`);
  } finally {
    bar?.done();
  }
}
