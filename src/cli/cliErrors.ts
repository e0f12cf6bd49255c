/** The CLI's exit codes and its one error type, with the mapping from library errors to flags. */
import { constants } from "node:os";
import { InterruptedError, LatentBridgeError } from "../errors";

export const EXIT_OK = 0;
/** The command line was fine but the translation failed (bad file, shape mismatch, NaN, I/O error…). */
export const EXIT_FAILURE = 1;
/** The command line itself is wrong (unknown flag/command/method, missing or malformed value). */
export const EXIT_USAGE = 2;

/** 128 + the signal's number, as a shell reports a process stopped by it (SIGINT 130, SIGTERM 143). */
export function exitCodeOfSignal(signal: string): number {
  const n = (constants.signals as Record<string, number>)[signal];
  return 128 + (n ?? 1);
}

/** A failure the CLI expected and reports without a stack trace. */
export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    readonly type: string,
    readonly argument: string | null,
    message: string,
  ) {
    super(message);
  }
}

export function usageError(argument: string | null, message: string): CliError {
  return new CliError(EXIT_USAGE, "UsageError", argument, argument ? `${argument}: ${message}` : message);
}

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
  precision: "--precision",
  variant: "--procrustes-variant",
  ridge: "--ridge",
  whiten: "--whiten",
  orthogonalize: "--orthogonalize",
};

/**
 * A library error about a parameter given on the command line (checked before any file is read) as
 * the usage error it is: exit 2, naming the flag.
 */
export function parameterUsageError(err: LatentBridgeError): CliError {
  return usageError(FLAG_OF_ARGUMENT[err.argument] ?? err.argument, bareMessage(err));
}

/** Strips the "argument: " prefix LatentBridgeError puts on its message. */
function bareMessage(err: LatentBridgeError): string {
  const prefix = `${err.argument}: `;
  return err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
}

/** Runs `fn`; a library error it throws becomes the CliError `map` makes of it (any other error propagates unchanged). */
export function mapLibraryErrors<T>(fn: () => T, map: (e: LatentBridgeError) => CliError): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof LatentBridgeError) throw map(e);
    throw e;
  }
}

/** A library error, re-addressed to the CLI flag at fault (anchorsX → --source-anchors, …). */
export function fromLibraryError(err: LatentBridgeError, files: Record<string, string>): CliError {
  if (err instanceof InterruptedError) {
    return new CliError(exitCodeOfSignal(err.signal), err.name, "--output", `--output: ${err.message}`);
  }
  const flag = FLAG_OF_ARGUMENT[err.argument];
  const text = bareMessage(err)
    .replace(/\banchorsX\b/g, "--source-anchors")
    .replace(/\banchorsY\b/g, "--target-anchors");
  if (flag === undefined) return new CliError(EXIT_FAILURE, err.name, err.argument, err.message);
  const file = files[flag];
  return new CliError(EXIT_FAILURE, err.name, flag, `${flag}${file !== undefined ? ` (${file})` : ""}: ${text}`);
}

/** Turns a node:util parseArgs error into a usage error naming the flag. */
export function fromParseArgsError(e: unknown): CliError {
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
