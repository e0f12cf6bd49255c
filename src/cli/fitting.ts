/**
 * What `translate` and `fit` share: the method and its flags, checked without reading a file; the
 * anchors read and the translator fitted, with every library error re-addressed to its flag.
 */
import { PRUNE_SIDES } from "../validate";
import { createTranslator, type TranslatorOptions } from "../translate/createTranslator";
import { PROCRUSTES_VARIANTS, type ProcrustesDiagnostics } from "../translate/procrustes";
import { TRANSLATION_METHODS, type TranslationMethod, type Translator } from "../translate/translator";
import { CliError, EXIT_USAGE, fromLibraryError, mapLibraryErrors, parameterUsageError } from "./cliErrors";
import { readFlagMatrix, type CliIo, type Files } from "./files";
import { parseChoice, parseDelta, parseOmega, parseRcond, parseRidge, parseSeed, type Values } from "./options";

export interface FitFlags {
  method: TranslationMethod;
  options: TranslatorOptions;
  warnings: string[];
}

/** The required flags of a command that are missing, as one usage error. */
export function requireFlags(values: Values, required: readonly (keyof Values)[], command: string): void {
  const missing = required.filter((k) => values[k] === undefined || values[k] === "");
  if (missing.length > 0) {
    const flags = missing.map((k) => `--${String(k)}`);
    throw new CliError(
      EXIT_USAGE, "UsageError", flags[0],
      `missing required option${flags.length > 1 ? "s" : ""} ${flags.join(", ")}; run latent-bridge ${command} --help`,
    );
  }
}

/** --method and its options; flags that do not apply to the method are warnings. */
export function parseFitFlags(values: Values): FitFlags {
  const method = parseChoice("--method", values.method!, TRANSLATION_METHODS);
  const options: TranslatorOptions = {};
  if (values.omega !== undefined) options.omega = parseOmega(values.omega);
  if (values.delta !== undefined) options.delta = parseDelta(values.delta);
  if (values.seed !== undefined) options.seed = parseSeed(values.seed);
  if (values.prune !== undefined) options.prune = parseChoice("--prune", values.prune, PRUNE_SIDES);
  if (values.ridge !== undefined) options.ridge = parseRidge(values.ridge);
  if (values.whiten) options.whiten = true;
  if (values.orthogonalize) options.orthogonalize = true;
  if (values["procrustes-variant"] !== undefined) {
    options.variant = parseChoice("--procrustes-variant", values["procrustes-variant"], PROCRUSTES_VARIANTS);
  }
  if (values.rcond !== undefined) options.rcond = parseRcond(values.rcond);

  // The estimator's constructor checks the parameters and their combinations (e.g. --ridge with
  // --whiten): a bad one is a usage error before any file is read.
  mapLibraryErrors(() => createTranslator(method, options), parameterUsageError);
  const warnings: string[] = [];
  const irpOnly = (["omega", "delta", "seed", "prune", "ridge", "whiten", "orthogonalize"] as const).filter((k) => values[k] !== undefined);
  if (method !== "irp" && irpOnly.length > 0) {
    warnings.push(`${irpOnly.map((k) => `--${k}`).join(", ")} only appl${irpOnly.length > 1 ? "y" : "ies"} to --method irp; ignored by ${method}`);
  }
  if (values["procrustes-variant"] !== undefined && method !== "procrustes") {
    warnings.push(`--procrustes-variant only applies to --method procrustes; ignored by ${method}`);
  }
  if (values.rcond !== undefined && (method === "procrustes" || method === "absolute")) {
    warnings.push(`--rcond does not apply to --method ${method}; ignored`);
  }
  return { method, options, warnings };
}

/** Reads the anchors and fits; a non-unique Procrustes map with variant full adds a warning (printed at once). */
export function fitFromFlags(flags: FitFlags, files: Files, io: CliIo): Translator {
  const anchorsX = readFlagMatrix("--source-anchors", files);
  const anchorsY = readFlagMatrix("--target-anchors", files);
  const translator = mapLibraryErrors(() => createTranslator(flags.method, flags.options).fit(anchorsX, anchorsY), (e) => fromLibraryError(e, files));
  const d = translator.diagnostics as ProcrustesDiagnostics;
  if (flags.method === "procrustes" && !d.unique && flags.options.variant === "full") {
    const w = `the Procrustes solution is not unique (cross-covariance rank ${d.rank} < min(${d.sourceDim}, ${d.targetDim})): --procrustes-variant full sends what lies outside the anchors' span to an arbitrary direction; auto drops it`;
    flags.warnings.push(w);
    io.stderr.write(`warning: ${w}\n`);
  }
  return translator;
}
