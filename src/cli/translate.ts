/**
 * `latent-bridge translate`: check the command line, read, fit, transform, check the result, write it
 * atomically — in that order, so that nothing is written unless everything before succeeded.
 */
import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { FileSystemError, LatentBridgeError } from "../errors";
import { PRUNE_SIDES } from "../validate";
import type { Matrix } from "../linalg/matrix";
import { removeStaleTemporaries } from "../io/atomicWrite";
import { readNpyMatrix, writeNpyMatrixInterruptible } from "../io/npy";
import { createTranslator, type TranslatorOptions } from "../translate/createTranslator";
import { PROCRUSTES_VARIANTS, type ProcrustesDiagnostics } from "../translate/procrustes";
import { TRANSLATION_METHODS, type TranslatorDiagnostics } from "../translate/translator";
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, fromLibraryError } from "./cliErrors";
import { parseChoice, parseDelta, parseOmega, parseRcond, parseSeed, type Values } from "./options";
import { humanReport, methodFields, toJson, type TranslateReport } from "./report";

/** Where the program writes. Anything with a `write(string)` works (tests pass string collectors). */
export interface CliIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

const DEFAULT_DTYPE = "float64" as const;
const FLOAT32_MAX = 3.4028234663852886e38;
const INPUT_FLAGS = ["--source-anchors", "--target-anchors", "--input"] as const;

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
 * The output must not be one of the inputs: the atomic rename would replace it. Compared by device
 * and inode, so another spelling of the path, a symbolic or a hard link are caught too.
 */
function assertOutputIsNoInput(outputPath: string, files: Record<string, string>): void {
  const out = fileIdentity(outputPath);
  if (out === undefined) return;
  if (out.isDirectory) {
    throw new CliError(EXIT_FAILURE, "FileSystemError", "--output", `--output: ${outputPath} is a directory; give a file path`);
  }
  for (const flag of INPUT_FLAGS) {
    const input = fileIdentity(files[flag]);
    if (input && input.dev === out.dev && input.ino === out.ino) {
      throw new CliError(
        EXIT_USAGE, "UsageError", "--output",
        `--output: ${outputPath} is the same file as ${flag} (${files[flag]}); writing the translation there would destroy that input — choose another output path`,
      );
    }
  }
}

/** Everything about the command line that can be checked without reading a file. */
function parseTranslateOptions(values: Values) {
  const required = ["method", "source-anchors", "target-anchors", "input", "output"] as const;
  const missing = required.filter((k) => values[k] === undefined || values[k] === "");
  if (missing.length > 0) {
    const flags = missing.map((k) => `--${k}`);
    throw new CliError(
      EXIT_USAGE, "UsageError", flags[0],
      `missing required option${flags.length > 1 ? "s" : ""} ${flags.join(", ")}; run latent-bridge translate --help`,
    );
  }
  const method = parseChoice("--method", values.method!, TRANSLATION_METHODS);
  const options: TranslatorOptions = {};
  if (values.omega !== undefined) options.omega = parseOmega(values.omega);
  if (values.delta !== undefined) options.delta = parseDelta(values.delta);
  if (values.seed !== undefined) options.seed = parseSeed(values.seed);
  if (values.prune !== undefined) options.prune = parseChoice("--prune", values.prune, PRUNE_SIDES);
  if (values["procrustes-variant"] !== undefined) {
    options.variant = parseChoice("--procrustes-variant", values["procrustes-variant"], PROCRUSTES_VARIANTS);
  }
  if (values.rcond !== undefined) options.rcond = parseRcond(values.rcond);
  const dtype = values.dtype === undefined
    ? DEFAULT_DTYPE
    : parseChoice("--dtype", values.dtype, ["float32", "float64"] as const);

  const warnings: string[] = [];
  const irpOnly = (["omega", "delta", "seed", "prune"] as const).filter((k) => values[k] !== undefined);
  if (method !== "irp" && irpOnly.length > 0) {
    warnings.push(`${irpOnly.map((k) => `--${k}`).join(", ")} only appl${irpOnly.length > 1 ? "y" : "ies"} to --method irp; ignored by ${method}`);
  }
  if (values["procrustes-variant"] !== undefined && method !== "procrustes") {
    warnings.push(`--procrustes-variant only applies to --method procrustes; ignored by ${method}`);
  }
  if (values.rcond !== undefined && (method === "procrustes" || method === "absolute")) {
    warnings.push(`--rcond does not apply to --method ${method}; ignored`);
  }
  const files: Record<string, string> = {
    "--source-anchors": values["source-anchors"]!,
    "--target-anchors": values["target-anchors"]!,
    "--input": values.input!,
  };
  return { method, options, dtype, warnings, files, outputPath: resolve(values.output!) };
}

export async function translate(values: Values, io: CliIo, json: boolean): Promise<number> {
  const t0 = performance.now();

  // 1. Everything that can be checked without reading a file, and the output path.
  const { method, options, dtype, warnings, files, outputPath } = parseTranslateOptions(values);
  assertOutputIsNoInput(outputPath, files);
  // Temporaries of earlier runs killed while writing (SIGKILL cannot be caught) are removed now.
  for (const stale of removeStaleTemporaries(dirname(outputPath))) {
    warnings.push(`removed ${stale}, a temporary file left by an earlier run that was killed while writing`);
  }
  for (const w of warnings) io.stderr.write(`warning: ${w}\n`);

  // 2. Read, fit, transform — all before anything is written.
  const read = (flag: string): Matrix => {
    try {
      return readNpyMatrix(files[flag], files[flag]);
    } catch (e) {
      if (e instanceof LatentBridgeError) throw new CliError(EXIT_FAILURE, e.name, flag, `${flag}: ${e.message}`);
      throw e;
    }
  };
  const anchorsX = read("--source-anchors");
  const anchorsY = read("--target-anchors");
  const x = read("--input");

  let diagnostics: TranslatorDiagnostics;
  let y: Matrix;
  let transformSeconds: number;
  try {
    const translator = createTranslator(method, options).fit(anchorsX, anchorsY);
    diagnostics = translator.diagnostics;
    const t1 = performance.now();
    y = translator.transform(x);
    transformSeconds = (performance.now() - t1) / 1000;
  } catch (e) {
    if (e instanceof LatentBridgeError) throw fromLibraryError(e, files);
    throw e;
  }
  if (method === "procrustes" && !(diagnostics as ProcrustesDiagnostics).unique && options.variant === "full") {
    const d = diagnostics as ProcrustesDiagnostics;
    const w = `the Procrustes solution is not unique (cross-covariance rank ${d.rank} < min(${d.sourceDim}, ${d.targetDim})): --procrustes-variant full sends what lies outside the anchors' span to an arbitrary direction; auto drops it`;
    warnings.push(w);
    io.stderr.write(`warning: ${w}\n`);
  }

  // 3. Check the result, then write it atomically.
  const limit = dtype === "float32" ? FLOAT32_MAX : Number.MAX_VALUE;
  for (let i = 0; i < y.data.length; i++) {
    const v = y.data[i];
    if (!(Math.abs(v) <= limit)) {
      const where = `row ${Math.floor(i / y.cols)}, column ${i % y.cols}`;
      throw new CliError(
        EXIT_FAILURE, "NonFiniteError", "--output",
        `--output: the translation has ${Number.isFinite(v) ? `value ${v}, beyond the float32 range,` : v} at ${where}; nothing was written`,
      );
    }
  }
  try {
    await writeNpyMatrixInterruptible(outputPath, y, dtype);
  } catch (e) {
    if (e instanceof FileSystemError) throw new CliError(EXIT_FAILURE, e.name, "--output", `--output: ${e.message}`);
    if (e instanceof LatentBridgeError) throw fromLibraryError(e, files);
    throw e;
  }

  // 4. Report.
  const report: TranslateReport = {
    command: "translate",
    method,
    anchors: diagnostics.anchors,
    sourceDim: diagnostics.sourceDim,
    targetDim: diagnostics.targetDim,
    rows: y.rows,
    output: outputPath,
    outputShape: [y.rows, y.cols],
    dtype,
    inputs: { sourceAnchors: resolve(files["--source-anchors"]), targetAnchors: resolve(files["--target-anchors"]), input: resolve(files["--input"]) },
    fitSeconds: diagnostics.fitSeconds,
    transformSeconds,
    totalSeconds: 0,
    warnings,
    ...methodFields(method, diagnostics),
    diagnostics,
  };
  if (method === "irp" || method === "lstsq" || method === "affine") report.rcond = options.rcond ?? null;
  report.totalSeconds = (performance.now() - t0) / 1000;

  io.stdout.write(json ? toJson(report) + "\n" : humanReport(report));
  return EXIT_OK;
}
