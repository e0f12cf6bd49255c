/**
 * `latent-bridge translate`, `fit` and `apply`. In that order for each: check the command line and
 * the outputs, open the input (its header), read the anchors and fit (or load the model), then
 * stream the input through the translator into the output, written atomically — so that nothing is
 * written unless everything before succeeded, and a failure half-way leaves nothing either.
 */
import { resolve } from "node:path";
import { LatentBridgeError } from "../errors";
import { writeFileAtomic } from "../io/atomicWrite";
import { loadTranslator, saveTranslator, serializeModel } from "../translate/persist";
import type { TransformFileResult } from "../translate/transformFile";
import type { Translator } from "../translate/translator";
import { CliError, EXIT_FAILURE, EXIT_OK, fromLibraryError, usageError } from "./cliErrors";
import { asFlag, checkOutput, cleanStaleTemporaries, openFlagRows, streamTranslation, type CliIo, type Files } from "./files";
import { fitFromFlags, parseFitFlags, requireFlags } from "./fitting";
import { parseChoice, type Values } from "./options";
import { humanReport, toJson, translatorFields, type TranslateReport } from "./report";

export type { CliIo } from "./files";

function parseDtype(values: Values): "float32" | "float64" | undefined {
  return values.dtype === undefined ? undefined : parseChoice("--dtype", values.dtype, ["float32", "float64"] as const);
}

/** --precision: the product's arithmetic (irp only; transformFile refuses float32 for the other methods). */
function parsePrecision(values: Values): "float32" | "float64" {
  return values.precision === undefined ? "float64" : parseChoice("--precision", values.precision, ["float64", "float32"] as const);
}

/** Saves the model (atomically). */
function saveModel(translator: Translator, path: string, version: string): void {
  asFlag("--save", () => saveTranslator(translator, path, { writtenBy: `latent-bridge ${version}` }));
}

function warn(io: CliIo, warnings: string[]): void {
  for (const w of warnings) io.stderr.write(`warning: ${w}\n`);
}

export async function translate(values: Values, io: CliIo, json: boolean, version = "unknown"): Promise<number> {
  const t0 = performance.now();
  requireFlags(values, ["method", "source-anchors", "target-anchors", "input", "output"], "translate");
  const flags = parseFitFlags(values);
  const dtype = parseDtype(values);
  const precision = parsePrecision(values);
  if (precision === "float32" && flags.method !== "irp") throw usageError("--precision", `float32 is implemented for --method irp only, not ${flags.method}`);
  const files: Files = { "--source-anchors": values["source-anchors"]!, "--target-anchors": values["target-anchors"]!, "--input": values.input! };
  const outputPath = checkOutput("--output", values.output!, files);
  const modelPath = values.save === undefined ? undefined : checkOutput("--save", values.save, files, true);
  flags.warnings.push(...cleanStaleTemporaries(outputPath));
  if (modelPath !== undefined) flags.warnings.push(...cleanStaleTemporaries(modelPath));
  warn(io, flags.warnings);

  const input = openFlagRows("--input", files);
  try {
    const translator = fitFromFlags(flags, files, io);
    // The model is written once the translation is: a run that fails while streaming leaves neither.
    const model = modelPath === undefined ? undefined : asFlag("--save", () => serializeModel(translator, { writtenBy: `latent-bridge ${version}` }));
    const streamed = await streamTranslation(translator, input, outputPath, dtype, io, files, precision);
    if (modelPath !== undefined) asFlag("--save", () => writeFileAtomic(modelPath, model!));
    const report: TranslateReport = {
      command: "translate",
      ...translatorFields(translator),
      ...streamedFields(streamed, outputPath),
      inputs: { sourceAnchors: resolve(files["--source-anchors"]), targetAnchors: resolve(files["--target-anchors"]), input: resolve(files["--input"]) },
      ...(modelPath !== undefined ? { model: modelPath } : {}),
      transformSeconds: streamed.transformSeconds,
      totalSeconds: (performance.now() - t0) / 1000,
      warnings: flags.warnings,
    };
    io.stdout.write(json ? toJson(report) + "\n" : humanReport(report));
    return EXIT_OK;
  } finally {
    input.close();
  }
}

export async function fit(values: Values, io: CliIo, json: boolean, version = "unknown"): Promise<number> {
  const t0 = performance.now();
  requireFlags(values, ["method", "source-anchors", "target-anchors", "save"], "fit");
  const flags = parseFitFlags(values);
  const files: Files = { "--source-anchors": values["source-anchors"]!, "--target-anchors": values["target-anchors"]! };
  const modelPath = checkOutput("--save", values.save!, files, true);
  flags.warnings.push(...cleanStaleTemporaries(modelPath));
  warn(io, flags.warnings);
  const translator = fitFromFlags(flags, files, io);
  saveModel(translator, modelPath, version);
  const report: TranslateReport = {
    command: "fit",
    ...translatorFields(translator),
    inputs: { sourceAnchors: resolve(files["--source-anchors"]), targetAnchors: resolve(files["--target-anchors"]) },
    model: modelPath,
    totalSeconds: (performance.now() - t0) / 1000,
    warnings: flags.warnings,
  };
  io.stdout.write(json ? toJson(report) + "\n" : humanReport(report));
  return EXIT_OK;
}

export async function apply(values: Values, io: CliIo, json: boolean): Promise<number> {
  const t0 = performance.now();
  requireFlags(values, ["model", "input", "output"], "apply");
  const dtype = parseDtype(values);
  const precision = parsePrecision(values);
  const files: Files = { "--model": values.model!, "--input": values.input! };
  const outputPath = checkOutput("--output", values.output!, files);
  const warnings = cleanStaleTemporaries(outputPath);
  warn(io, warnings);
  const input = openFlagRows("--input", files);
  try {
    const translator = asFlag("--model", () => loadTranslator(files["--model"]));
    if (input.cols !== translator.diagnostics.sourceDim) {
      throw new CliError(
        EXIT_FAILURE, "ShapeMismatchError", "--input",
        `--input (${files["--input"]}): expected ${translator.diagnostics.sourceDim} columns (the source dimension of the model ${files["--model"]}), got ${input.rows}×${input.cols}`,
      );
    }
    const streamed = await streamTranslation(translator, input, outputPath, dtype, io, files, precision);
    const report: TranslateReport = {
      command: "apply",
      ...translatorFields(translator),
      ...streamedFields(streamed, outputPath),
      inputs: { input: resolve(files["--input"]) },
      model: resolve(files["--model"]),
      transformSeconds: streamed.transformSeconds,
      totalSeconds: (performance.now() - t0) / 1000,
      warnings,
    };
    io.stdout.write(json ? toJson(report) + "\n" : humanReport(report));
    return EXIT_OK;
  } catch (e) {
    if (e instanceof LatentBridgeError) throw fromLibraryError(e, files);
    throw e;
  } finally {
    input.close();
  }
}

/** What `translate` and `apply` report of the rows they streamed: how many, where to, the dtypes, the arithmetic, in how many blocks. */
function streamedFields(streamed: TransformFileResult, output: string): Pick<TranslateReport, "rows" | "output" | "outputShape" | "dtype" | "inputDtype" | "precision" | "blocks"> {
  return {
    rows: streamed.rows, output, outputShape: [streamed.rows, streamed.targetDim],
    dtype: streamed.dtype, inputDtype: streamed.inputDtype, precision: streamed.precision, blocks: streamed.blocks,
  };
}
