/**
 * The `latent-bridge` command line.
 *
 *   latent-bridge translate --method irp --source-anchors A.npy --target-anchors B.npy \
 *     --input X.npy --output Y.npy [--omega 16] [--delta 0.8] [--seed 0] [--prune target] [--json]
 *
 * `main(argv, io)` is the whole program as a function returning the exit code (0 success, 1 the
 * translation failed, 2 the command line is wrong), so tests run it in-process. The executable shim
 * is bin/latent-bridge.mjs; `tsx src/cli/main.ts …` also works (see the bottom of this file).
 */
import { readFileSync, realpathSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { LatentBridgeError } from "../errors";
import { PRUNE_SIDES, type PruneSide } from "../validate";
import type { Matrix } from "../linalg/matrix";
import { readNpyMatrix, writeNpyMatrix } from "../io/npy";
import { createTranslator, type TranslatorOptions } from "../translate/createTranslator";
import { IRP_DEFAULTS, type IrpDiagnostics } from "../translate/irp";
import { TRANSLATION_METHODS, type TranslationMethod, type TranslatorDiagnostics } from "../translate/translator";

/** Where the program writes. Anything with a `write(string)` works (tests pass string collectors). */
export interface CliIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

export const EXIT_OK = 0;
/** The command line was fine but the translation failed (bad file, shape mismatch, NaN, I/O error…). */
export const EXIT_FAILURE = 1;
/** The command line itself is wrong (unknown flag/command/method, missing or malformed value). */
export const EXIT_USAGE = 2;

const DEFAULT_DTYPE = "float64" as const;
const FLOAT32_MAX = 3.4028234663852886e38;

const OPTIONS = {
  method: { type: "string" },
  "source-anchors": { type: "string" },
  "target-anchors": { type: "string" },
  input: { type: "string" },
  output: { type: "string" },
  omega: { type: "string" },
  delta: { type: "string" },
  seed: { type: "string" },
  prune: { type: "string" },
  rcond: { type: "string" },
  dtype: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
} satisfies ParseArgsConfig["options"];

/** Library argument names → the CLI flag a user would change. */
const FLAG_OF_ARGUMENT: Record<string, string> = {
  anchorsX: "--source-anchors",
  anchorsY: "--target-anchors",
  x: "--input",
  method: "--method",
  omega: "--omega",
  delta: "--delta",
  seed: "--seed",
  prune: "--prune",
  rcond: "--rcond",
  dtype: "--dtype",
};

// ---------------------------------------------------------------------------------------------
// Help and version
// ---------------------------------------------------------------------------------------------

const TRANSLATE_USAGE = `Usage:
  latent-bridge translate --method <method> --source-anchors <A.npy> --target-anchors <B.npy>
                          --input <X.npy> --output <Y.npy> [options]`;

const TRANSLATE_HELP = `${TRANSLATE_USAGE}

Fit a translator on parallel anchors (row i of A and row i of B are the same item embedded in the
source and the target space), translate the source embeddings X and write them to Y. Inputs are 2-D
.npy arrays (rows × dims) of float32, float64, int32 or int64.

Required:
  --method <name>           translation method:
                              irp         Inverse Relative Projection (relative projection on the
                                          source anchors, decoded with the pseudo-inverse of the
                                          target anchors, averaged over ω pruned anchor subspaces)
                              procrustes  orthogonal Procrustes on centred, rescaled, zero-padded spaces
                              lstsq       least squares X·W ≈ Y (linear, through the origin)
                              affine      least squares with a bias term [X 1]·W ≈ Y
                              absolute    no translation (baseline; needs equal dimensions)
  --source-anchors <file>   anchors in the source space, k × d_source .npy
  --target-anchors <file>   the same k anchors in the target space, k × d_target .npy
  --input <file>            source embeddings to translate, n × d_source .npy
  --output <file>           where to write the n × d_target translation (.npy, written atomically:
                            a failed run never leaves a partial or new file; parent directories are
                            created; an existing file is replaced)

IRP options (ignored, with a warning, by the other methods):
  --omega <N>               ω, number of pruned anchor subspaces averaged; integer ≥ 1 (default ${IRP_DEFAULTS.omega})
  --delta <D>               δ, farthest-point-sampling stop threshold on the 1−|cos| distance,
                            a number in [0, 1); 0 keeps every anchor (default ${IRP_DEFAULTS.delta})
  --seed <S>                integer seed of the random first anchor of each subspace (default ${IRP_DEFAULTS.seed});
                            for a negative seed write --seed=-1
  --prune <source|target>   whose anchors farthest-point sampling prunes (default ${IRP_DEFAULTS.prune}); the same
                            items are kept in both spaces either way

Other options:
  --rcond <R>               relative singular-value cut-off of the pseudo-inverse, a finite number
                            ≥ 0, for irp, lstsq and affine (default max(rows, cols)·machine epsilon,
                            as numpy)
  --dtype <float32|float64> dtype of the output .npy (default float64)
  --json                    print exactly one JSON object on stdout (diagnostics, or {"error": …}
                            on failure); Infinity/NaN are written as the strings "Infinity",
                            "-Infinity", "NaN"
  -h, --help                show this help

Diagnostics (stdout): method, anchors, source/target dims, rows translated; for irp also ω, δ, seed,
prune, mean anchors kept, mean condition number and distinct subspaces (per-subspace details with
--json); fit, transform and total seconds; the output path.

Exit status: 0 success, 1 the translation failed (unreadable or corrupt file, shape mismatch,
NaN/Infinity, zero vectors, I/O error), 2 usage error (unknown command/flag/method, missing or bad
value).

Example:
  latent-bridge translate --method irp --source-anchors anchors_src.npy \\
    --target-anchors anchors_tgt.npy --input queries_src.npy --output queries_tgt.npy \\
    --omega 16 --delta 0.8 --seed 0`;

function globalHelp(version: string): string {
  return `latent-bridge ${version} — latent space translation via Inverse Relative Projection (IRP)

Usage:
  latent-bridge translate [options]    translate embeddings from a source to a target space
  latent-bridge --help                 show this help (also: latent-bridge help [translate])
  latent-bridge translate --help       show the help of translate
  latent-bridge --version              print the version

Command translate
-----------------
${TRANSLATE_HELP}
`;
}

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** A failure the CLI expected and reports without a stack trace. */
class CliError extends Error {
  constructor(
    readonly exitCode: number,
    readonly type: string,
    readonly argument: string | null,
    message: string,
  ) {
    super(message);
  }
}

function usageError(argument: string | null, message: string): CliError {
  return new CliError(EXIT_USAGE, "UsageError", argument, argument ? `${argument}: ${message}` : message);
}

/** Strips the "argument: " prefix LatentBridgeError puts on its message. */
function bareMessage(err: LatentBridgeError): string {
  const prefix = `${err.argument}: `;
  return err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
}

/** A library error, re-addressed to the CLI flag at fault (anchorsX → --source-anchors, …). */
function fromLibraryError(err: LatentBridgeError, files: Record<string, string>): CliError {
  const flag = FLAG_OF_ARGUMENT[err.argument];
  const text = bareMessage(err)
    .replace(/\banchorsX\b/g, "--source-anchors")
    .replace(/\banchorsY\b/g, "--target-anchors");
  if (flag === undefined) return new CliError(EXIT_FAILURE, err.name, err.argument, err.message);
  const file = files[flag];
  return new CliError(EXIT_FAILURE, err.name, flag, `${flag}${file !== undefined ? ` (${file})` : ""}: ${text}`);
}

function fsErrorMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    case "ENOTDIR":
      return "a parent of the path is not a directory";
    case "ENOSPC":
      return "no space left on device";
    case "EROFS":
      return "read-only file system";
    default:
      return err?.message ?? String(e);
  }
}

// ---------------------------------------------------------------------------------------------
// Value parsing
// ---------------------------------------------------------------------------------------------

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseNumber(flag: string, raw: string, expected: string): number {
  const s = raw.trim();
  const value = DECIMAL.test(s) ? Number(s) : NaN;
  if (!Number.isFinite(value)) throw usageError(flag, `expected ${expected}, got ${JSON.stringify(raw)}`);
  return value;
}

function parseOmega(raw: string): number {
  const v = parseNumber("--omega", raw, "an integer ≥ 1");
  if (!Number.isInteger(v) || v < 1) throw usageError("--omega", `expected an integer ≥ 1, got ${raw}`);
  return v;
}

function parseDelta(raw: string): number {
  const v = parseNumber("--delta", raw, "a number in [0, 1)");
  if (v < 0 || v >= 1) throw usageError("--delta", `expected a number in [0, 1), got ${raw}`);
  return v;
}

function parseSeed(raw: string): number {
  const v = parseNumber("--seed", raw, "an integer");
  if (!Number.isSafeInteger(v)) throw usageError("--seed", `expected an integer, got ${raw}`);
  return v;
}

function parseRcond(raw: string): number {
  const v = parseNumber("--rcond", raw, "a finite number ≥ 0");
  if (v < 0) throw usageError("--rcond", `expected a finite number ≥ 0, got ${raw}`);
  return v;
}

function parseChoice<T extends string>(flag: string, raw: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(raw)) return raw as T;
  throw usageError(flag, `expected one of ${choices.join(", ")}, got ${JSON.stringify(raw)}`);
}

/** Turns a node:util parseArgs error into a usage error naming the flag. */
function fromParseArgsError(e: unknown): CliError {
  const err = e as { code?: string; message?: string };
  const message = err.message ?? String(e);
  const quoted = /'(-[^' ]*)/.exec(message)?.[1] ?? null;
  switch (err.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return usageError(quoted, "unknown option; run latent-bridge --help for the list of options");
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      if (quoted && /argument missing/.test(message)) return usageError(quoted, "missing value");
      if (quoted && /ambiguous/.test(message)) {
        return usageError(quoted, `missing value (to pass a value starting with '-', write ${quoted}=<value>)`);
      }
      if (quoted && /does not take an argument/.test(message)) return usageError(quoted, "takes no value");
      return usageError(quoted, message);
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return usageError(null, message);
    default:
      throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Output formatting
// ---------------------------------------------------------------------------------------------

/** JSON.stringify that keeps Infinity/NaN as strings instead of silently turning them into null. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v));
}

function fmtNumber(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return v.toExponential(digits - 1);
  return String(Number(v.toPrecision(digits)));
}

function fmtSeconds(s: number): string {
  return `${s.toFixed(s < 10 ? 4 : 2)} s`;
}

interface TranslateReport {
  command: "translate";
  method: TranslationMethod;
  anchors: number;
  sourceDim: number;
  targetDim: number;
  rows: number;
  output: string;
  outputShape: [number, number];
  dtype: "float32" | "float64";
  inputs: { sourceAnchors: string; targetAnchors: string; input: string };
  fitSeconds: number;
  transformSeconds: number;
  totalSeconds: number;
  warnings: string[];
  /** irp only. */
  omega?: number;
  delta?: number;
  seed?: number;
  prune?: PruneSide;
  meanAnchorsKept?: number;
  meanConditionNumber?: number;
  distinctSubspaces?: number;
  subspaces?: IrpDiagnostics["subspaces"];
  /** lstsq/affine. */
  rank?: number;
  conditionNumber?: number;
  rcond?: number | null;
  /** The translator's own diagnostics object, verbatim. */
  diagnostics: TranslatorDiagnostics;
}

function humanReport(r: TranslateReport): string {
  const rows: [string, string][] = [
    ["method", r.method],
    ["anchors", String(r.anchors)],
    ["source dim", String(r.sourceDim)],
    ["target dim", String(r.targetDim)],
    ["rows translated", String(r.rows)],
  ];
  if (r.method === "irp") {
    rows.push(
      ["ω (omega)", String(r.omega)],
      ["δ (delta)", String(r.delta)],
      ["seed", String(r.seed)],
      ["prune", String(r.prune)],
      ["mean anchors kept", `${fmtNumber(r.meanAnchorsKept!)} of ${r.anchors}`],
      ["mean condition number", fmtNumber(r.meanConditionNumber!)],
      ["distinct subspaces", `${r.distinctSubspaces} (of ω = ${r.omega} draws)`],
    );
  }
  if (r.rank !== undefined) rows.push(["rank", String(r.rank)]);
  if (r.conditionNumber !== undefined) rows.push(["condition number", fmtNumber(r.conditionNumber)]);
  rows.push(
    ["fit", fmtSeconds(r.fitSeconds)],
    ["transform", fmtSeconds(r.transformSeconds)],
    ["total", fmtSeconds(r.totalSeconds)],
    ["output", `${r.output} (${r.outputShape[0]}×${r.outputShape[1]} ${r.dtype})`],
  );
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// The translate command
// ---------------------------------------------------------------------------------------------

type Values = ReturnType<typeof parse>["values"];

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true, tokens: true });
}

function translate(values: Values, io: CliIo, json: boolean): number {
  const t0 = performance.now();

  // 1. Everything that can be checked without reading a file.
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
  if (values.rcond !== undefined) options.rcond = parseRcond(values.rcond);
  const dtype = values.dtype === undefined
    ? DEFAULT_DTYPE
    : parseChoice("--dtype", values.dtype, ["float32", "float64"] as const);

  const warnings: string[] = [];
  const irpOnly = (["omega", "delta", "seed", "prune"] as const).filter((k) => values[k] !== undefined);
  if (method !== "irp" && irpOnly.length > 0) {
    warnings.push(`${irpOnly.map((k) => `--${k}`).join(", ")} only appl${irpOnly.length > 1 ? "y" : "ies"} to --method irp; ignored by ${method}`);
  }
  if (values.rcond !== undefined && (method === "procrustes" || method === "absolute")) {
    warnings.push(`--rcond does not apply to --method ${method}; ignored`);
  }
  for (const w of warnings) io.stderr.write(`warning: ${w}\n`);

  const files: Record<string, string> = {
    "--source-anchors": values["source-anchors"]!,
    "--target-anchors": values["target-anchors"]!,
    "--input": values.input!,
  };
  const outputPath = resolve(values.output!);

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

  // 3. Check the result, then write it atomically.
  const limit = dtype === "float32" ? FLOAT32_MAX : Infinity;
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
    writeNpyMatrix(outputPath, y, dtype);
  } catch (e) {
    if (e instanceof LatentBridgeError) throw fromLibraryError(e, files);
    const code = (e as NodeJS.ErrnoException)?.code;
    if (typeof code === "string") {
      throw new CliError(EXIT_FAILURE, "FileSystemError", "--output", `--output: cannot write ${outputPath}: ${fsErrorMessage(e)}`);
    }
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
    diagnostics,
  };
  if (method === "irp") {
    const d = diagnostics as IrpDiagnostics;
    Object.assign(report, {
      omega: d.omega, delta: d.delta, seed: d.seed, prune: d.prune,
      meanAnchorsKept: d.meanAnchorsKept, meanConditionNumber: d.meanConditionNumber,
      distinctSubspaces: d.distinctSubspaces, subspaces: d.subspaces,
    });
  }
  if (typeof diagnostics.rank === "number") report.rank = diagnostics.rank;
  if (typeof diagnostics.conditionNumber === "number") report.conditionNumber = diagnostics.conditionNumber;
  if (method === "irp" || method === "lstsq" || method === "affine") report.rcond = options.rcond ?? null;
  report.totalSeconds = (performance.now() - t0) / 1000;

  io.stdout.write(json ? toJson(report) + "\n" : humanReport(report));
  return EXIT_OK;
}

// ---------------------------------------------------------------------------------------------
// Entry
// ---------------------------------------------------------------------------------------------

/** `--json` anywhere before a `--` terminator: errors are then also reported as JSON on stdout. */
function wantsJson(argv: string[]): boolean {
  for (const a of argv) {
    if (a === "--") return false;
    if (a === "--json") return true;
  }
  return false;
}

/** Runs the CLI with `argv` (arguments after the program name) and returns the exit code. */
export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const json = wantsJson(argv);
  try {
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse(argv);
    } catch (e) {
      throw fromParseArgsError(e);
    }
    const { values, positionals, tokens } = parsed;

    const seen = new Set<string>();
    for (const t of tokens) {
      if (t.kind !== "option") continue;
      if (seen.has(t.name) && t.name !== "help") throw usageError(`--${t.name}`, "given more than once");
      seen.add(t.name);
    }

    const [command, ...rest] = positionals;
    if (values.version) {
      io.stdout.write(`${readVersion()}\n`);
      return EXIT_OK;
    }
    if (command === "help") {
      if (rest.length === 0) io.stdout.write(globalHelp(readVersion()));
      else if (rest[0] === "translate" && rest.length === 1) io.stdout.write(TRANSLATE_HELP + "\n");
      else throw usageError(null, `no help for ${JSON.stringify(rest.join(" "))}; commands: translate`);
      return EXIT_OK;
    }
    if (values.help) {
      io.stdout.write(command === "translate" ? TRANSLATE_HELP + "\n" : globalHelp(readVersion()));
      return EXIT_OK;
    }
    if (command === undefined) {
      throw usageError(null, "missing command; usage: latent-bridge translate [options] (run latent-bridge --help)");
    }
    if (command !== "translate") {
      throw usageError(null, `unknown command ${JSON.stringify(command)}; the only command is translate (run latent-bridge --help)`);
    }
    if (rest.length > 0) {
      throw usageError(null, `unexpected argument ${JSON.stringify(rest[0])}; every translate input is given by a flag (run latent-bridge translate --help)`);
    }
    return translate(values, io, values.json === true);
  } catch (e) {
    let err: CliError;
    if (e instanceof CliError) err = e;
    else if (e instanceof LatentBridgeError) err = fromLibraryError(e, {});
    else {
      // A bug, not bad input: keep the stack so it can be reported.
      const ex = e instanceof Error ? e : new Error(String(e));
      io.stderr.write(`error: unexpected ${ex.name}: ${ex.message}\n${ex.stack ?? ""}\n`);
      if (json) io.stdout.write(toJson({ error: { type: ex.name, argument: null, message: ex.message, exitCode: EXIT_FAILURE } }) + "\n");
      return EXIT_FAILURE;
    }
    io.stderr.write(`error: ${err.message}\n`);
    if (json) {
      io.stdout.write(toJson({ error: { type: err.type, argument: err.argument, message: err.message, exitCode: err.exitCode } }) + "\n");
    }
    return err.exitCode;
  }
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

// `tsx src/cli/main.ts …` (npm run cli -- …). bin/latent-bridge.mjs imports main() and calls it itself.
if (isEntryPoint()) {
  process.exitCode = await main(process.argv.slice(2));
}
