/** The flags of `latent-bridge` and the parsing of their values (every bad value is a usage error). */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { MAX_OMEGA } from "../translate/irp";
import { SEED_MAX } from "../linalg/random";
import { usageError } from "./cliErrors";

export const OPTIONS = {
  method: { type: "string" },
  "source-anchors": { type: "string" },
  "target-anchors": { type: "string" },
  input: { type: "string" },
  output: { type: "string" },
  omega: { type: "string" },
  delta: { type: "string" },
  seed: { type: "string" },
  prune: { type: "string" },
  "procrustes-variant": { type: "string" },
  rcond: { type: "string" },
  dtype: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
} satisfies ParseArgsConfig["options"];

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

export function parseOmega(raw: string): number {
  const expected = `an integer in [1, ${MAX_OMEGA}]`;
  const v = parseNumber("--omega", raw, expected);
  if (!Number.isInteger(v) || v < 1) throw usageError("--omega", `expected ${expected}, got ${raw}`);
  if (v > MAX_OMEGA) throw usageError("--omega", `expected ${expected} (the documented bound on ω), got ${raw}`);
  return v;
}

export function parseDelta(raw: string): number {
  const v = parseNumber("--delta", raw, "a number in [0, 1)");
  if (v < 0 || v >= 1) throw usageError("--delta", `expected a number in [0, 1), got ${raw}`);
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
