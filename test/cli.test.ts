import { spawn, spawnSync } from "node:child_process";
import { existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main";
import { readNpy, readNpyMatrix, writeNpyMatrix } from "../src/io/npy";
import { Matrix, columnMeans, padCols } from "../src/linalg/matrix";
import { bottomRows, meanCenteredCosine, randomMatrix, rotatedCopy, topRows } from "./helpers";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SHIM = join(ROOT, "bin", "latent-bridge.mjs");
const ALL_FLAGS = [
  "--method", "--source-anchors", "--target-anchors", "--input", "--output", "--omega", "--delta", "--seed",
  "--prune", "--procrustes-variant", "--rcond", "--dtype", "--json", "--help", "--version",
];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

/** A synthetic pair of spaces written as .npy: 150 anchors and 50 held-out rows. */
interface Pair {
  dir: string;
  sourceAnchors: string;
  targetAnchors: string;
  input: string;
  truth: Matrix;
  targetMean: Float64Array;
}

const ANCHORS = 150;
const HELD_OUT = 50;

function makePair(root: string, name: string, dx: number, dy: number, seed: number, rotate = true): Pair {
  const dir = join(root, name);
  const x = randomMatrix(ANCHORS + HELD_OUT, dx, seed);
  // dy === dx: y = x·Q with Q orthogonal (svd(…).U); dy > dx: y = [x 0]·Q; rotate = false: y = [x 0].
  const y = rotate ? rotatedCopy(x, dy, seed + 100).y : padCols(x, dy);
  const pair: Pair = {
    dir,
    sourceAnchors: join(dir, "anchors_src.npy"),
    targetAnchors: join(dir, "anchors_tgt.npy"),
    input: join(dir, "x.npy"),
    truth: bottomRows(y, HELD_OUT),
    targetMean: columnMeans(topRows(y, ANCHORS)),
  };
  writeNpyMatrix(pair.sourceAnchors, topRows(x, ANCHORS));
  writeNpyMatrix(pair.targetAnchors, topRows(y, ANCHORS));
  writeNpyMatrix(pair.input, bottomRows(x, HELD_OUT));
  return pair;
}

function translateArgs(p: Pair, method: string, output: string, extra: string[] = []): string[] {
  return [
    "translate", "--method", method, "--source-anchors", p.sourceAnchors, "--target-anchors", p.targetAnchors,
    "--input", p.input, "--output", output, ...extra,
  ];
}

let root: string;
let same: Pair; // 8-d → 8-d
let wider: Pair; // 6-d → 10-d
let padded: Pair; // 6-d → 10-d, target = [source 0] exactly (rank-deficient target anchors)
let outCount = 0;
const freshOutput = () => join(root, "out", `y${outCount++}.npy`);

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "latent-bridge-cli-"));
  same = makePair(root, "same", 8, 8, 1);
  wider = makePair(root, "wider", 6, 10, 2);
  padded = makePair(root, "padded", 6, 10, 3, false);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("latent-bridge translate: success", () => {
  // IRP runs use δ = 0.5: with the default δ = 0.8, farthest-point sampling keeps only ~5 of the
  // 150 anchors of these isotropic 8-d/6-d clouds (fewer than the dimension), which caps the
  // cosine at ~0.975/0.988; δ = 0.5 keeps ~13/~7 and recovers the map (cosine ≈ 1).
  it.each([
    ["irp", "same"],
    ["procrustes", "same"],
    ["irp", "wider"],
    ["procrustes", "wider"],
  ])("%s translates the %s pair with mean centred cosine > 0.99", async (method, which) => {
    const p = which === "same" ? same : wider;
    const out = freshOutput();
    const r = await run(translateArgs(p, method, out, method === "irp" ? ["--delta", "0.5"] : []));
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const y = readNpyMatrix(out);
    expect(y.shape).toEqual([HELD_OUT, p.truth.cols]);
    expect(meanCenteredCosine(y, p.truth, p.targetMean, p.targetMean)).toBeGreaterThan(0.99);
    // Human-readable diagnostics.
    expect(r.stdout).toMatch(new RegExp(`^method\\s+${method}$`, "m"));
    expect(r.stdout).toMatch(/^anchors\s+150$/m);
    expect(r.stdout).toMatch(/^rows translated\s+50$/m);
    expect(r.stdout).toMatch(/^total\s+\d/m);
    expect(r.stdout).toContain(out);
    if (method === "irp") {
      expect(r.stdout).toMatch(/ω \(omega\)\s+16/);
      expect(r.stdout).toMatch(/δ \(delta\)\s+0\.5/);
      expect(r.stdout).toMatch(/mean anchors kept/);
      expect(r.stdout).toMatch(/mean condition number/);
      expect(r.stdout).toMatch(/distinct subspaces/);
    }
  });

  it("irp with default parameters reports ω 16, δ 0.8, seed 0, prune target", async () => {
    const out = freshOutput();
    const r = await run(translateArgs(same, "irp", out));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ω \(omega\)\s+16$/m);
    expect(r.stdout).toMatch(/^δ \(delta\)\s+0\.8$/m);
    expect(r.stdout).toMatch(/^seed\s+0$/m);
    expect(r.stdout).toMatch(/^prune\s+target$/m);
    expect(r.stdout).toMatch(/^mean anchors kept\s+[\d.]+ of 150$/m);
    expect(r.stdout).toMatch(/^distinct subspaces\s+\d+ \(of ω = 16 draws\)$/m);
    expect(meanCenteredCosine(readNpyMatrix(out), same.truth, same.targetMean, same.targetMean)).toBeGreaterThan(0.95);
  });

  it("--json prints exactly one JSON object with the diagnostics (irp)", async () => {
    const out = freshOutput();
    const r = await run(translateArgs(wider, "irp", out, ["--json", "--omega", "4", "--delta", "0.5", "--seed", "7", "--prune", "source"]));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      command: "translate", method: "irp", anchors: 150, sourceDim: 6, targetDim: 10, rows: 50,
      omega: 4, delta: 0.5, seed: 7, prune: "source", output: out, outputShape: [50, 10], dtype: "float64",
    });
    for (const k of ["meanAnchorsKept", "meanConditionNumber", "distinctSubspaces", "fitSeconds", "transformSeconds", "totalSeconds"]) {
      expect(typeof j[k], k).toBe("number");
    }
    expect(j.subspaces).toHaveLength(j.distinctSubspaces);
    for (const s of j.subspaces) {
      for (const k of ["anchorsKept", "multiplicity", "rank", "conditionNumber", "conditionNumberFull"]) {
        expect(typeof s[k], k).toBe("number");
      }
    }
    expect(j.subspaces.reduce((a: number, s: { multiplicity: number }) => a + s.multiplicity, 0)).toBe(4);
    expect(existsSync(out)).toBe(true);
  });

  it("--json writes Infinity as a string (exactly rank-deficient target anchors)", async () => {
    const out = freshOutput();
    const r = await run(translateArgs(padded, "irp", out, ["--json", "--omega", "4", "--delta", "0.5"]));
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/"conditionNumberFull":null/);
    const j = JSON.parse(r.stdout);
    expect(j.subspaces.length).toBeGreaterThan(0);
    for (const s of j.subspaces) {
      expect(s.rank).toBe(6);
      expect(s.conditionNumberFull).toBe("Infinity");
      expect(typeof s.conditionNumber).toBe("number");
    }
    expect(j.diagnostics.subspaces[0].conditionNumberFull).toBe("Infinity");
    expect(meanCenteredCosine(readNpyMatrix(out), padded.truth, padded.targetMean, padded.targetMean)).toBeGreaterThan(0.99);
  });

  it("--json for procrustes, --dtype float32 and lstsq/affine diagnostics", async () => {
    const out = freshOutput();
    const r = await run(translateArgs(same, "procrustes", out, ["--json", "--dtype", "float32"]));
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ method: "procrustes", sourceDim: 8, targetDim: 8, rows: 50, dtype: "float32" });
    expect(j.subspaces).toBeUndefined();
    expect(readNpy(out).dtype).toBe("float32");

    for (const method of ["lstsq", "affine", "absolute"]) {
      const o = freshOutput();
      const rr = await run(translateArgs(same, method, o, ["--json"]));
      expect(rr.code, rr.stderr).toBe(0);
      expect(JSON.parse(rr.stdout).method).toBe(method);
      expect(readNpyMatrix(o).shape).toEqual([HELD_OUT, 8]);
    }
  });

  it("warns (stderr) about IRP flags given to another method but still succeeds", async () => {
    const r = await run(translateArgs(same, "procrustes", freshOutput(), ["--omega", "4"]));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: --omega .*irp/);
  });
});

describe("latent-bridge translate: failures", () => {
  it("absolute with different dims: exit 1, mentions the dimension, no output file", async () => {
    const out = freshOutput();
    const r = await run(translateArgs(wider, "absolute", out));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: --target-anchors.*dimension/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).toBe("");
    expect(existsSync(out)).toBe(false);
  });

  it("reports errors as one JSON object with --json", async () => {
    const out = freshOutput();
    const r = await run(translateArgs(wider, "absolute", out, ["--json"]));
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.error).toMatchObject({ type: "ShapeMismatchError", argument: "--target-anchors" });
    expect(j.error.message).toMatch(/dimension/);
    expect(existsSync(out)).toBe(false);

    const u = await run(translateArgs(same, "nope", freshOutput(), ["--json"]));
    expect(u.code).toBe(2);
    expect(JSON.parse(u.stdout).error).toMatchObject({ type: "UsageError", argument: "--method" });
  });

  it("unknown method: exit 2 naming --method", async () => {
    const out = freshOutput();
    const r = await run(translateArgs(same, "rotate", out));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --method: .*rotate/);
    expect(r.stderr).toContain("irp");
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    [["--delta", "1.5"], "--delta", "error: --delta: expected a number in [0, 1), got 1.5"],
    [["--delta", "abc"], "--delta", "--delta"],
    [["--omega", "0"], "--omega", "--omega"],
    [["--omega", "2.5"], "--omega", "--omega"],
    [["--omega", "many"], "--omega", "--omega"],
    [["--seed", "x1"], "--seed", "--seed"],
    [["--seed", "0.5"], "--seed", "--seed"],
    [["--prune", "both"], "--prune", "--prune"],
    [["--rcond", "-1"], "--rcond", "--rcond"],
    [["--dtype", "int8"], "--dtype", "--dtype"],
  ])("bad value %j: exit 2 naming the flag", async (extra, flag, text) => {
    const out = freshOutput();
    const r = await run(translateArgs(same, "irp", out, extra));
    expect(r.code).toBe(2);
    expect(r.stderr.startsWith(`error: ${flag}`)).toBe(true);
    expect(r.stderr).toContain(text);
    expect(existsSync(out)).toBe(false);
  });

  it("corrupt (truncated) .npy input: exit 1 naming the flag and the file, no output", async () => {
    const dir = mkdtempSync(join(root, "corrupt-"));
    const bad = join(dir, "x_truncated.npy");
    writeNpyMatrix(bad, randomMatrix(50, 8, 9));
    truncateSync(bad, statSync(bad).size - 100);
    const out = join(dir, "y.npy");
    const r = await run(["translate", "--method", "irp", "--source-anchors", same.sourceAnchors,
      "--target-anchors", same.targetAnchors, "--input", bad, "--output", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: --input: /);
    expect(r.stderr).toContain(bad);
    expect(r.stderr).toMatch(/truncated/);
    expect(readdirSync(dir)).toEqual(["x_truncated.npy"]); // no output, no temp file
  });

  it("missing input file, NaN input, wrong input dimension: exit 1 naming the flag", async () => {
    const dir = mkdtempSync(join(root, "bad-"));
    const out = join(dir, "y.npy");
    const missing = await run(translateArgs({ ...same, input: join(dir, "nope.npy") }, "irp", out));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: --input: .*nope\.npy: .*no such file/);

    const nan = randomMatrix(5, 8, 3);
    nan.data[7] = NaN;
    const nanPath = join(dir, "nan.npy");
    writeNpyMatrix(nanPath, nan);
    const r1 = await run(translateArgs({ ...same, input: nanPath }, "irp", out));
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/^error: --input \(.*nan\.npy\): .*NaN at row 0, column 7/);

    const narrow = join(dir, "narrow.npy");
    writeNpyMatrix(narrow, randomMatrix(5, 7, 4));
    const r2 = await run(translateArgs({ ...same, input: narrow }, "procrustes", out));
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/^error: --input .*expected 8 columns/);

    const fewer = join(dir, "fewer_anchors.npy");
    writeNpyMatrix(fewer, randomMatrix(100, 8, 5));
    const r3 = await run(translateArgs({ ...same, targetAnchors: fewer }, "irp", out));
    expect(r3.code).toBe(1);
    expect(r3.stderr).toMatch(/^error: --target-anchors .*--source-anchors has 150 rows, --target-anchors has 100/);
    expect(existsSync(out)).toBe(false);
  });

  it("missing --input: exit 2 naming it", async () => {
    const out = freshOutput();
    const args = translateArgs(same, "irp", out);
    args.splice(args.indexOf("--input"), 2);
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: missing required option --input\b/);
    expect(existsSync(out)).toBe(false);
  });

  it("unknown flag, missing value, repeated flag, unknown command, no command, stray argument: exit 2", async () => {
    const unknown = await run([...translateArgs(same, "irp", freshOutput()), "--omgea", "3"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: --omgea: unknown option/);

    const noValue = await run([...translateArgs(same, "irp", freshOutput()), "--delta"]);
    expect(noValue.code).toBe(2);
    expect(noValue.stderr).toMatch(/^error: --delta: missing value/);

    const twice = await run([...translateArgs(same, "irp", freshOutput()), "--method", "procrustes"]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/^error: --method: given more than once/);

    const cmd = await run(["transalte", "--help"]);
    expect(cmd.code).toBe(0); // --help wins
    const cmd2 = await run(["transalte"]);
    expect(cmd2.code).toBe(2);
    expect(cmd2.stderr).toMatch(/unknown command "transalte"/);

    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/missing command/);

    const stray = await run([...translateArgs(same, "irp", freshOutput()), "extra.npy"]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/unexpected argument "extra\.npy"/);
  });
});

describe("latent-bridge --help / --version", () => {
  it("--help and translate --help document every flag, the defaults and an example", async () => {
    for (const argv of [["--help"], ["translate", "--help"], ["help"], ["-h"]]) {
      const r = await run(argv);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe("");
      for (const flag of ALL_FLAGS.filter((f) => f !== "--version" || argv[0] !== "translate")) {
        expect(r.stdout, `${argv.join(" ")} mentions ${flag}`).toContain(flag);
      }
      for (const m of ["irp", "procrustes", "lstsq", "affine", "absolute"]) expect(r.stdout).toContain(m);
      expect(r.stdout).toMatch(/--omega[^\n]*default 16/);
      expect(r.stdout).toMatch(/default 0\.8/);
      expect(r.stdout).toMatch(/--seed[^\n]*default 0/);
      expect(r.stdout).toMatch(/--prune[^\n]*default target/);
      expect(r.stdout).toMatch(/--dtype[^\n]*default: float32 when the input is float32,\s+float64 otherwise/);
      expect(r.stdout).toMatch(/Example:\n\s+latent-bridge translate --method irp/);
    }
  });

  it("--version prints the package version", async () => {
    const r = await run(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
  });
});

describe("bin/latent-bridge.mjs (end to end)", () => {
  it("runs translate --json through the real shim", () => {
    const out = join(root, "e2e", "y.npy");
    const child = spawnSync(process.execPath, [SHIM, ...translateArgs(same, "irp", out, ["--json", "--delta", "0.5"])], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
    const j = JSON.parse(child.stdout);
    expect(j).toMatchObject({ method: "irp", rows: HELD_OUT, output: out });
    const y = readNpyMatrix(out);
    expect(y.shape).toEqual([HELD_OUT, 8]);
    expect(meanCenteredCosine(y, same.truth, same.targetMean, same.targetMean)).toBeGreaterThan(0.99);
  });
});

describe("latent-bridge translate: issue 13 regressions", () => {
  const scaledCopy = (path: string, to: string, s: number) => {
    const m = readNpyMatrix(path);
    writeNpyMatrix(to, new Matrix(m.rows, m.cols, m.data.map((v) => v * s)));
    return to;
  };

  it("item 1: identical (zero-spread) anchors end at once in exit 1 naming the file, even with --json (procrustes used to spin forever)", async () => {
    const dir = mkdtempSync(join(root, "flat-"));
    const flat = join(dir, "flat.npy");
    writeNpyMatrix(flat, Matrix.from(Array.from({ length: 150 }, () => [1, 2, 3, 4, 5, 6, 7, 8])));
    for (const method of ["procrustes", "irp", "lstsq", "affine"]) {
      const out = join(dir, `${method}.npy`);
      const t0 = performance.now();
      const r = await run(translateArgs({ ...same, sourceAnchors: flat }, method, out, ["--json"]));
      expect(performance.now() - t0).toBeLessThan(5000);
      expect(r.code, method).toBe(1);
      const j = JSON.parse(r.stdout);
      expect(j.error).toMatchObject({ type: "DegenerateAnchorsError", argument: "--source-anchors", exitCode: 1 });
      expect(j.error.message).toMatch(/--source-anchors \(.*flat\.npy\): all 150 anchors are equal up to rounding/);
      expect(existsSync(out)).toBe(false);
    }
  });

  it("item 2: --omega 1e9 is a usage error naming --omega and its bound (it crashed V8 with exit 133)", async () => {
    const r = await run(translateArgs(same, "irp", freshOutput(), ["--omega", "1e9", "--json"]));
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ type: "UsageError", argument: "--omega" });
    expect(r.stderr).toMatch(/^error: --omega: expected an integer in \[1, 1000000\] \(the documented bound on ω\), got 1e9/);
  });

  it("item 3: target anchors ×1e200 give a finite, correct translation; an overflowing one is exit 1, never ±inf with exit 0", async () => {
    const dir = mkdtempSync(join(root, "huge-"));
    const bigTarget = scaledCopy(same.targetAnchors, join(dir, "tgt_1e200.npy"), 1e200);
    const out = join(dir, "y.npy");
    const r = await run(translateArgs({ ...same, targetAnchors: bigTarget }, "procrustes", out));
    expect(r.code, r.stderr).toBe(0);
    const y = readNpyMatrix(out);
    for (const v of y.data) expect(Number.isFinite(v)).toBe(true);
    const unscaled = new Matrix(y.rows, y.cols, y.data.map((v) => v * 1e-200));
    expect(meanCenteredCosine(unscaled, same.truth, same.targetMean, same.targetMean)).toBeGreaterThan(0.99);

    const hugeTarget = scaledCopy(same.targetAnchors, join(dir, "tgt_1e300.npy"), 1e300);
    const bigInput = scaledCopy(same.input, join(dir, "x_1e10.npy"), 1e10);
    const out2 = join(dir, "y2.npy");
    for (const method of ["procrustes", "lstsq", "affine"]) {
      const r2 = await run(translateArgs({ ...same, targetAnchors: hugeTarget, input: bigInput }, method, out2, ["--json"]));
      expect(r2.code, method).toBe(1);
      expect(JSON.parse(r2.stdout).error).toMatchObject({ type: "NonFiniteError", argument: "--input" });
      expect(r2.stderr).toMatch(/overflows float64/);
      expect(existsSync(out2)).toBe(false);
    }
    const r3 = await run(translateArgs({ ...same, targetAnchors: scaledCopy(same.targetAnchors, join(dir, "tgt_1e40.npy"), 1e40) }, "procrustes", out2, ["--dtype", "float32"]));
    expect(r3.code).toBe(1);
    expect(r3.stderr).toMatch(/beyond the float32 range/);
    expect(readdirSync(dir).filter((f) => f.startsWith(".lb-tmp"))).toEqual([]);
  });

  it("item 5: --output naming an input (same path, another spelling, a symlink, a hard link) is exit 2 and the input is untouched", async () => {
    const dir = mkdtempSync(join(root, "same-file-"));
    const input = join(dir, "x.npy");
    writeNpyMatrix(input, readNpyMatrix(same.input));
    const anchors = join(dir, "a.npy");
    writeNpyMatrix(anchors, readNpyMatrix(same.sourceAnchors));
    symlinkSync(input, join(dir, "link.npy"));
    linkSync(anchors, join(dir, "hard.npy"));
    mkdirSync(join(dir, "sub"));
    const before = readFileSync(input), beforeA = readFileSync(anchors);
    for (const [output, flag] of [
      [input, "--input"], [join(dir, "sub", "..", "x.npy"), "--input"], [join(dir, "link.npy"), "--input"],
      [anchors, "--source-anchors"], [join(dir, "hard.npy"), "--source-anchors"],
    ]) {
      const r = await run(translateArgs({ ...same, input, sourceAnchors: anchors }, "procrustes", output, ["--json"]));
      expect(r.code, output).toBe(2);
      expect(JSON.parse(r.stdout).error).toMatchObject({ type: "UsageError", argument: "--output" });
      expect(r.stderr).toContain(`is the same file as ${flag}`);
    }
    expect(readFileSync(input).equals(before)).toBe(true);
    expect(readFileSync(anchors).equals(beforeA)).toBe(true);
  });

  it("item 6: a temporary left by a killed run (its pid gone) is removed by the next run; a live process's is kept", async () => {
    const dir = mkdtempSync(join(root, "stale-"));
    const dead = spawnSync(process.execPath, ["-e", "process.exit(0)"]).pid!;
    const stale = join(dir, `.lb-tmp-y.npy.${dead}.0123456789ab`);
    const live = join(dir, `.lb-tmp-y.npy.${process.pid}.ba9876543210`);
    writeFileSync(stale, "half a file");
    writeFileSync(live, "being written");
    const r = await run(translateArgs(same, "procrustes", join(dir, "y.npy")));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`warning: removed ${stale}, a temporary file left by an earlier run that was killed while writing`);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });

  it("item 8: a regular file as the parent of --output, and a missing input, get clear typed errors", async () => {
    const dir = mkdtempSync(join(root, "parent-file-"));
    writeFileSync(join(dir, "plain"), "not a directory");
    const out = join(dir, "plain", "deeper", "y.npy");
    const r = await run(translateArgs(same, "procrustes", out, ["--json"]));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({ type: "FileSystemError", argument: "--output" });
    expect(r.stderr).toMatch(/^error: --output: .*y\.npy: cannot create its directory: .*plain is a file, not a directory\n$/);
    expect(r.stderr).not.toMatch(/EEXIST|mkdir/);
    const missing = await run(translateArgs({ ...same, input: join(dir, "nope.npy") }, "irp", join(dir, "y.npy"), ["--json"]));
    expect(JSON.parse(missing.stdout).error).toMatchObject({ type: "FileSystemError", argument: "--input" });
  });

  it("item 9: --seed beyond 2^32 − 1 (or negative) is a usage error instead of wrapping to another seed", async () => {
    for (const seed of ["4294967296", "-1", "9007199254740993"]) {
      const r = await run(translateArgs(same, "irp", freshOutput(), [`--seed=${seed}`]));
      expect(r.code, seed).toBe(2);
      expect(r.stderr).toMatch(/^error: --seed: expected an integer in \[0, 2\^32 − 1\] = \[0, 4294967295\]/);
    }
    const top = await run(translateArgs(same, "irp", freshOutput(), ["--seed", "4294967295", "--json"]));
    expect(top.code).toBe(0);
    expect(JSON.parse(top.stdout).seed).toBe(4294967295);
  });

  it("item 7 / --procrustes-variant: auto (default) and anchor-span agree, full differs off the anchors' span and warns", async () => {
    const dir = mkdtempSync(join(root, "variant-"));
    // 20 anchors in 40 → 50 dimensions: the Procrustes solution is not unique.
    const ax = randomMatrix(20, 40, 31), ay = randomMatrix(20, 50, 32), x = randomMatrix(5, 40, 33);
    const p = { dir, sourceAnchors: join(dir, "a.npy"), targetAnchors: join(dir, "b.npy"), input: join(dir, "x.npy"), truth: ay, targetMean: new Float64Array(50) };
    writeNpyMatrix(p.sourceAnchors, ax);
    writeNpyMatrix(p.targetAnchors, ay);
    writeNpyMatrix(p.input, x);
    const outputs: Record<string, Matrix> = {};
    for (const variant of ["auto", "anchor-span", "full"]) {
      const out = join(dir, `${variant}.npy`);
      const r = await run(translateArgs(p, "procrustes", out, ["--procrustes-variant", variant, "--json"]));
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j).toMatchObject({ variant, rank: 19, unique: false, computedBy: variant === "full" ? "cross-covariance" : "anchor-span" });
      if (variant === "full") expect(r.stderr).toMatch(/warning: the Procrustes solution is not unique \(cross-covariance rank 19 < min\(40, 50\)\)/);
      else expect(r.stderr).toBe("");
      outputs[variant] = readNpyMatrix(out);
    }
    expect(Array.from(outputs.auto.data)).toEqual(Array.from(outputs["anchor-span"].data));
    let diff = 0;
    for (let i = 0; i < outputs.auto.data.length; i++) diff = Math.max(diff, Math.abs(outputs.auto.data[i] - outputs.full.data[i]));
    expect(diff).toBeGreaterThan(1e-3);
    const human = await run(translateArgs(p, "procrustes", join(dir, "h.npy")));
    expect(human.stdout).toMatch(/^variant\s+auto \(computed through the anchors' span\)$/m);
    expect(human.stdout).toMatch(/^unique solution\s+no/m);
    const bad = await run(translateArgs(p, "procrustes", join(dir, "bad.npy"), ["--procrustes-variant", "thin"]));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: --procrustes-variant: expected one of auto, full, anchor-span, got "thin"/);
    const ignored = await run(translateArgs(p, "lstsq", join(dir, "l.npy"), ["--procrustes-variant", "full"]));
    expect(ignored.stderr).toMatch(/warning: --procrustes-variant only applies to --method procrustes; ignored by lstsq/);
  });
});

describe("latent-bridge translate: signals while writing (issue 13 item 6)", () => {
  /** Runs the real shim and sends `signal` as soon as its temporary output file appears. */
  async function interruptWhileWriting(signal: NodeJS.Signals): Promise<{ code: number | null; sawTemp: boolean; dir: string; stderr: string }> {
    const dir = mkdtempSync(join(root, `signal-${signal}-`));
    const big = join(dir, "x_big.npy");
    writeNpyMatrix(big, randomMatrix(8000, 8, 5)); // 8000 rows, then widened by the translation below
    const wideAnchorsY = join(dir, "b_wide.npy");
    writeNpyMatrix(wideAnchorsY, randomMatrix(150, 1000, 6));
    const args = ["translate", "--method", "lstsq", "--source-anchors", same.sourceAnchors, "--target-anchors", wideAnchorsY,
      "--input", big, "--output", join(dir, "out", "y.npy")]; // 8000 × 1000 float64 = 64 MB to write (8 chunks)
    const child = spawn(process.execPath, [SHIM, ...args], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    let sawTemp = false;
    const poll = setInterval(() => {
      if (sawTemp) return;
      try {
        if (readdirSync(join(dir, "out")).some((f) => f.startsWith(".lb-tmp-"))) {
          sawTemp = true;
          child.kill(signal);
        }
      } catch {
        // the output directory does not exist yet
      }
    }, 2);
    const code = await new Promise<number | null>((resolveCode) => child.on("exit", (c) => resolveCode(c)));
    clearInterval(poll);
    return { code, sawTemp, dir, stderr };
  }

  it.each([["SIGTERM", 143], ["SIGINT", 130]] as const)("%s during the write: exit %i, no output and no temporary file", async (signal, exit) => {
    const r = await interruptWhileWriting(signal);
    expect(r.sawTemp).toBe(true);
    expect(r.code, r.stderr).toBe(exit);
    expect(r.stderr).toMatch(new RegExp(`^error: --output: .*y\\.npy: interrupted before the file was complete; nothing was written \\(${signal}\\)\\n$`));
    // Nothing left behind: not the temporary file, nor the output directory the run had created.
    expect(existsSync(join(r.dir, "out"))).toBe(false);
  }, 120_000);
});
