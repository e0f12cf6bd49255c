/**
 * The `latent-bridge` command line.
 *
 *   latent-bridge translate --method irp --source-anchors A.npy --target-anchors B.npy \
 *     --input X.npy --output Y.npy [--omega 16] [--delta 0.8] [--seed 0] [--prune target] [--json]
 *   latent-bridge fit --method irp --source-anchors A.npy --target-anchors B.npy --save model.npz
 *   latent-bridge apply --model model.npz --input X.npy --output Y.npy
 *   latent-bridge evaluate --predicted Y.npy --target T.npy
 *   latent-bridge choose --source-anchors A.npy --target-anchors B.npy
 *
 * `main(argv, io)` is the whole program as a function returning the exit code (0 success, 1 the
 * translation failed, 2 the command line is wrong, 128 + n interrupted by signal n while writing),
 * so tests run it in-process. The executable is bin/latent-bridge.mjs, which runs this file compiled
 * (dist/cli.js); `tsx src/cli/main.ts …` also works (see the bottom of this file). The commands are in
 * translate.ts (translate, fit, apply) and evaluate.ts (evaluate, choose), what they share in
 * fitting.ts and files.ts, the flags in options.ts, the help in help.ts, the errors in cliErrors.ts,
 * the translate/fit/apply report in report.ts.
 */
import { readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { LatentBridgeError } from "../errors";
import { CliError, EXIT_FAILURE, EXIT_OK, fromLibraryError, fromParseArgsError, usageError } from "./cliErrors";
import { choose, evaluate } from "./evaluate";
import type { CliIo } from "./files";
import { COMMAND_HELP, globalHelp } from "./help";
import { COMMANDS, COMMAND_FLAGS, parse, parseChoice, type Command, type Values } from "./options";
import { KERNEL_CHOICES, kernelChoice, setKernels } from "../linalg/kernelChoice";
import { blasKernels } from "../linalg/blas";
import { toJson } from "./report";
import { apply, fit, translate } from "./translate";

export { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, exitCodeOfSignal } from "./cliErrors";
export type { CliIo } from "./files";

const RUN: Record<Command, (values: Values, io: CliIo, json: boolean, version: string) => Promise<number>> = {
  translate, fit, apply, evaluate, choose,
};

const isCommand = (c: string): c is Command => (COMMANDS as readonly string[]).includes(c);

/**
 * The version in latent-bridge's package.json: the nearest one above this module (src/cli/ in a
 * checkout, dist/ once built, node_modules/latent-bridge/dist/ when installed).
 */
function readVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (pkg.name === "latent-bridge") return typeof pkg.version === "string" ? pkg.version : "unknown";
    } catch {
      // no (readable) package.json here: look further up
    }
    const parent = dirname(dir);
    if (parent === dir) return "unknown";
    dir = parent;
  }
}

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
      else if (rest.length === 1 && isCommand(rest[0])) io.stdout.write(COMMAND_HELP[rest[0]] + "\n");
      else throw usageError(null, `no help for ${JSON.stringify(rest.join(" "))}; commands: ${COMMANDS.join(", ")}`);
      return EXIT_OK;
    }
    if (values.help) {
      io.stdout.write(command !== undefined && isCommand(command) ? COMMAND_HELP[command] + "\n" : globalHelp(readVersion()));
      return EXIT_OK;
    }
    if (command === undefined) {
      throw usageError(null, `missing command; usage: latent-bridge <${COMMANDS.join("|")}> [options] (run latent-bridge --help)`);
    }
    if (!isCommand(command)) {
      throw usageError(null, `unknown command ${JSON.stringify(command)}; the commands are ${COMMANDS.join(", ")} (run latent-bridge --help)`);
    }
    if (rest.length > 0) {
      throw usageError(null, `unexpected argument ${JSON.stringify(rest[0])}; every ${command} input is given by a flag (run latent-bridge ${command} --help)`);
    }
    for (const name of seen) {
      if (name !== "help" && name !== "version" && !(COMMAND_FLAGS[command] as readonly string[]).includes(name)) {
        throw usageError(`--${name}`, `is not an option of ${command} (its options: ${COMMAND_FLAGS[command].map((f) => `--${f}`).join(", ")}); run latent-bridge ${command} --help`);
      }
    }
    // --kernels for this run only (main may run again in the same process: the tests do).
    if (values.kernels !== undefined) setKernels(parseChoice("--kernels", values.kernels, KERNEL_CHOICES));
    try {
      if (kernelChoice() === "blas") blasKernels(); // a chosen BLAS that does not load is reported now, before any file is read
      return await RUN[command](values, io, values.json === true, readVersion());
    } finally {
      setKernels(undefined);
    }
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
