/** The flags of `latent-bridge` and the parsing of their values (every bad value is a usage error). */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { MAX_OMEGA } from "../translate/irp";
import { SEED_MAX } from "../linalg/random";
import { usageError } from "./cliErrors";

export const OPTIONS = {
  method: { type: "string" },
  model: { type: "string" },
  save: { type: "string" },
  predicted: { type: "string" },
  target: { type: "string" },
  omegas: { type: "string" },
  deltas: { type: "string" },
  holdout: { type: "string" },
  "source-anchors": { type: "string" },
  "target-anchors": { type: "string" },
  input: { type: "string" },
  output: { type: "string" },
  omega: { type: "string" },
  delta: { type: "string" },
  seed: { type: "string" },
  prune: { type: "string" },
  "procrustes-variant": { type: "string" },
  ridge: { type: "string" },
  whiten: { type: "boolean" },
  orthogonalize: { type: "boolean" },
  rcond: { type: "string" },
  dtype: { type: "string" },
  precision: { type: "string" },
  kernels: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
} satisfies ParseArgsConfig["options"];

export const COMMANDS = ["translate", "fit", "apply", "evaluate", "choose"] as const;
export type Command = (typeof COMMANDS)[number];

type Flag = keyof typeof OPTIONS;
const FIT_FLAGS: Flag[] = [
  "method", "source-anchors", "target-anchors", "omega", "delta", "seed", "prune", "ridge", "whiten", "orthogonalize", "procrustes-variant", "rcond",
];

/** The flags each command takes (besides --help and --version); any other is a usage error. */
export const COMMAND_FLAGS: Record<Command, readonly Flag[]> = {
  translate: [...FIT_FLAGS, "input", "output", "dtype", "precision", "save", "kernels", "json"],
  fit: [...FIT_FLAGS, "save", "kernels", "json"],
  apply: ["model", "input", "output", "dtype", "precision", "kernels", "json"],
  evaluate: ["predicted", "target", "json"],
  choose: ["source-anchors", "target-anchors", "omegas", "deltas", "holdout", "seed", "prune", "kernels", "json"],
};

export function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true, tokens: true });
}

export type Values = ReturnType<typeof parse>["values"];

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseNumber(flag: string, raw: string, expected: string): number {
  const s = raw.trim();
  const value = DECIMAL.test(s) ? Number(s) : NaN;
  if (!Number.isFinite(value)) throw usageError(flag, `expected ${expected}, got ${JSON.stringify(raw)}`);
  return value;
}

export function parseOmega(raw: string, flag = "--omega"): number {
  const expected = `an integer in [1, ${MAX_OMEGA}]`;
  const v = parseNumber(flag, raw, expected);
  if (!Number.isInteger(v) || v < 1) throw usageError(flag, `expected ${expected}, got ${raw}`);
  if (v > MAX_OMEGA) throw usageError(flag, `expected ${expected} (the documented bound on ω), got ${raw}`);
  return v;
}

export function parseDelta(raw: string, flag = "--delta"): number {
  const v = parseNumber(flag, raw, "a number in [0, 1)");
  if (v < 0 || v >= 1) throw usageError(flag, `expected a number in [0, 1), got ${raw}`);
  return v;
}

export function parseSeed(raw: string): number {
  const expected = `an integer in [0, 2^32 − 1] = [0, ${SEED_MAX}]`;
  const v = parseNumber("--seed", raw, expected);
  if (!Number.isInteger(v) || v < 0 || v > SEED_MAX) throw usageError("--seed", `expected ${expected}, got ${raw}`);
  return v;
}

export function parseRcond(raw: string): number {
  const v = parseNumber("--rcond", raw, "a finite number ≥ 0");
  if (v < 0) throw usageError("--rcond", `expected a finite number ≥ 0, got ${raw}`);
  return v;
}

export function parseChoice<T extends string>(flag: string, raw: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(raw)) return raw as T;
  throw usageError(flag, `expected one of ${choices.join(", ")}, got ${JSON.stringify(raw)}`);
}

/** A comma-separated list of numbers, each checked by `one` (e.g. --omegas 1,2,4,8). */
export function parseList(flag: string, raw: string, one: (item: string) => number): number[] {
  const items = raw.split(",").map((t) => t.trim());
  if (items.length === 0 || items.some((t) => t === "")) throw usageError(flag, `expected a comma-separated list of numbers, got ${JSON.stringify(raw)}`);
  const values = items.map(one);
  if (new Set(values).size !== values.length) throw usageError(flag, `lists a value twice: ${raw}`);
  return values;
}

/** The chooser's hold-out share, in (0, 1). */
export function parseHoldout(raw: string): number {
  const v = parseNumber("--holdout", raw, "a number in (0, 1)");
  if (!(v > 0 && v < 1)) throw usageError("--holdout", `expected a number in (0, 1), got ${raw}`);
  return v;
}

/** IRP's ridge λ: a finite number ≥ 0. */
export function parseRidge(raw: string): number {
  const v = parseNumber("--ridge", raw, "a finite number ≥ 0");
  if (v < 0) throw usageError("--ridge", `expected a finite number ≥ 0, got ${raw}`);
  return v;
}
