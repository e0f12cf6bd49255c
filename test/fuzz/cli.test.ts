/**
 * Fuzz: `latent-bridge translate` in-process (`main(argv, io)`) with random command lines over a
 * pool of good and bad files (valid pairs of several shapes, identical anchors, NaN, huge values,
 * truncated, 1-D, not .npy at all, missing, a directory) and random flag values (valid, invalid,
 * out of range). Properties: the exit code is 0, 1 or 2; with --json stdout is exactly one JSON
 * object; a failed run leaves no output file and no temporary file; a successful one leaves a
 * finite .npy of the right shape; no input file is ever modified. (Signals: test/cli.test.ts.)
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main";
import { readNpyMatrix, serializeNpy, writeNpyMatrix } from "../../src/io/npy";
import { Matrix } from "../../src/linalg/matrix";
import { FUZZ_RUNS, params } from "./arbitraries";
import { randomMatrix } from "../helpers";

const RUNS = Math.max(10, Math.ceil(FUZZ_RUNS / 4));

let root: string;
let outDir: string;
const pool: Record<string, string> = {};
const hashes: Record<string, string> = {};
const sha = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "latent-bridge-cli-fuzz-"));
  outDir = join(root, "out");
  mkdirSync(outDir);
  const put = (name: string, m: Matrix) => {
    pool[name] = join(root, `${name}.npy`);
    writeNpyMatrix(pool[name], m);
  };
  put("a8", randomMatrix(40, 8, 1));
  put("b8", randomMatrix(40, 8, 2));
  put("b12", randomMatrix(40, 12, 3));
  put("a30", randomMatrix(6, 30, 4)); // fewer anchors than dimensions
  put("b40", randomMatrix(6, 40, 5));
  put("x8", randomMatrix(10, 8, 6));
  put("x30", randomMatrix(3, 30, 7));
  put("flat8", Matrix.from(Array.from({ length: 40 }, () => [1, 2, 3, 4, 5, 6, 7, 8])));
  put("zero8", new Matrix(40, 8));
  const huge = randomMatrix(40, 8, 8);
  huge.data.forEach((v, i) => (huge.data[i] = v * 1e300));
  put("huge8", huge);
  const nan = randomMatrix(10, 8, 9);
  nan.data[5] = NaN;
  put("nan8", nan);
  put("one8", randomMatrix(1, 8, 10));
  pool.vector = join(root, "vector.npy");
  writeFileSync(pool.vector, serializeNpy({ shape: [8], data: new Float64Array(8) }));
  pool.truncated = join(root, "truncated.npy");
  writeFileSync(pool.truncated, readFileSync(pool.a8).subarray(0, 300));
  pool.text = join(root, "text.npy");
  writeFileSync(pool.text, "not an npy file\n");
  pool.missing = join(root, "missing.npy");
  pool.directory = join(root, "a-directory");
  mkdirSync(pool.directory);
  pool.plainFile = join(root, "plain");
  writeFileSync(pool.plainFile, "x");
  for (const [k, p] of Object.entries(pool)) if (existsSync(p) && k !== "directory") hashes[p] = sha(p);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const INPUTS = ["a8", "b8", "b12", "a30", "b40", "x8", "x30", "flat8", "zero8", "huge8", "nan8", "one8", "vector", "truncated", "text", "missing", "directory"];
const arbInput = fc.oneof({ weight: 6, arbitrary: fc.constantFrom("a8", "b8", "b12", "x8") }, { weight: 2, arbitrary: fc.constantFrom(...INPUTS) });
/** A flag that is mostly absent, sometimes valid, now and then invalid. */
const flag = (valid: string[], invalid: string[]) => fc.oneof(
  { weight: 12, arbitrary: fc.constant(undefined) },
  { weight: 6, arbitrary: fc.constantFrom(...valid) },
  { weight: 1, arbitrary: fc.constantFrom(...invalid) },
);
const arbFlagValue = fc.record({
  method: fc.oneof({ weight: 12, arbitrary: fc.constantFrom("irp", "procrustes", "lstsq", "affine", "absolute") }, { weight: 1, arbitrary: fc.constantFrom("", "IRP", "umap") }),
  omega: flag(["1", "4", "16", "1000000", " 4"], ["0", "-3", "2.5", "1e9", "1000001", "x", "Infinity"]),
  delta: flag(["0", "0.5", "0.8", "0.99", "-0", "1e-300", ".5", "5e-1"], ["1", "NaN", "5.", "-0.1"]),
  seed: flag(["0", "7", "4294967295"], ["4294967296", "-1", "1.5", "9007199254740993", "0x10"]),
  prune: flag(["source", "target"], ["both"]),
  variant: flag(["auto", "full", "anchor-span"], ["thin"]),
  rcond: flag(["0", "1e-10", "0.5"], ["-1", "inf"]),
  dtype: flag(["float32", "float64"], ["int8"]),
  json: fc.boolean(),
  extra: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom("--omgea=3", "stray.npy", "--help", "--json", "--method=irp", "--", "-x") }),
  files: fc.oneof(
    // A consistent triple (anchors of the same items, an input of the source's width)…
    fc.constantFrom<string[]>(["a8", "b8", "x8"], ["a8", "b12", "x8"], ["b8", "a8", "x8"], ["a30", "b40", "x30"], ["b12", "a8", "b12"]),
    // …or anything from the pool.
    fc.tuple(arbInput, arbInput, arbInput).map((t): string[] => t),
  ),
  output: fc.oneof({ weight: 12, arbitrary: fc.constantFrom("fresh", "nested") }, { weight: 1, arbitrary: fc.constantFrom("sameAsInput", "underFile", "directory") }),
});

let counter = 0;

describe("fuzz: latent-bridge translate", () => {
  it("exit 0/1/2; one JSON object with --json; failures leave nothing; successes a finite .npy; inputs never modified", async () => {
    const outcomes: Record<string, number> = {};
    const reasons: Record<string, number> = {};
    await fc.assert(fc.asyncProperty(arbFlagValue, async (flags) => {
      const [source, target, input] = flags.files;
      const f = { ...flags, source, target, input };
      const out = f.output === "fresh" ? join(outDir, `y${counter++}.npy`)
        : f.output === "nested" ? join(outDir, `n${counter++}`, "deep", "y.npy")
          : f.output === "sameAsInput" ? pool[f.input]
            : f.output === "underFile" ? join(pool.plainFile, "y.npy") : pool.directory;
      const argv = ["translate", `--method=${f.method}`, "--source-anchors", pool[f.source], "--target-anchors", pool[f.target], "--input", pool[f.input], "--output", out];
      for (const [flag, v] of [["omega", f.omega], ["delta", f.delta], ["seed", f.seed], ["prune", f.prune], ["procrustes-variant", f.variant], ["rcond", f.rcond], ["dtype", f.dtype]] as const) {
        if (v !== undefined) argv.push(`--${flag}=${v}`);
      }
      if (f.json) argv.push("--json");
      if (f.extra !== undefined) argv.push(f.extra);
      const existed = existsSync(out);
      let stdout = "", stderr = "";
      const code = await main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
      outcomes[code] = (outcomes[code] ?? 0) + 1;
      if (process.env.FUZZ_VERBOSE) {
        const why = `${code} ${stderr.split("\n").filter((l) => l.startsWith("error")).map((l) => l.replace(/\(.*?\)|\/[^\s:]*|"[^"]*"/g, "…"))[0] ?? "ok"}`.slice(0, 100);
        reasons[why] = (reasons[why] ?? 0) + 1;
      }
      expect([0, 1, 2], stderr).toContain(code);
      expect(stderr).not.toMatch(/unexpected \w+Error|\n\s+at /); // no bug report, no stack trace
      const wantsJson = argv.slice(0, argv.includes("--") ? argv.indexOf("--") : argv.length).includes("--json");
      if (wantsJson && !argv.includes("--help")) {
        const lines = stdout.trim().split("\n");
        expect(lines).toHaveLength(1);
        const j = JSON.parse(lines[0]);
        if (code !== 0) expect(j.error).toMatchObject({ exitCode: code });
      }
      if (code === 0 && !argv.includes("--help")) {
        const y = readNpyMatrix(out);
        expect(y.rows).toBe(readNpyMatrix(pool[f.input]).rows);
        for (const v of y.data) expect(Number.isFinite(v)).toBe(true);
      } else if (!existed) {
        expect(existsSync(out), `${argv.join(" ")} → ${code}: ${stderr}`).toBe(false);
      }
      expect(readdirSync(outDir).filter((n) => n.startsWith(".lb-tmp-"))).toEqual([]);
      expect(readdirSync(root).filter((n) => n.startsWith(".lb-tmp-"))).toEqual([]);
      for (const [p, h] of Object.entries(hashes)) expect(sha(p), `${p} was modified by ${argv.join(" ")}`).toBe(h);
    }), params(RUNS));
    if (process.env.FUZZ_VERBOSE) {
      console.log("exit codes", outcomes);
      console.log(Object.entries(reasons).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${v}\t${k}`).join("\n"));
    }
    expect(Object.keys(outcomes).length).toBeGreaterThan(1);
  }, Math.max(60_000, RUNS * 2_000));
});
