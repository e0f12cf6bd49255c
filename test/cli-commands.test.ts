/**
 * The commands beyond translate (issue 14): fit --save / apply --model (fit once, apply many, the
 * same bits as translate), .npz inputs, evaluate, choose, per-command flags, output checks, the
 * default output dtype and the progress line. In-process through main(argv, io).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main";
import { chooseIrpParameters } from "../src/eval/irpChoice";
import { irpGapDiagnostic } from "../src/eval/irpDiagnostic";
import { readNpy, readNpyMatrix, writeNpyMatrix } from "../src/io/npy";
import { writeNpz } from "../src/io/npz";
import { Matrix } from "../src/linalg/matrix";
import { modelEntries, readModel } from "../src/translate/persist";
import { createTranslator } from "../src/translate/createTranslator";
import type { InverseRelativeProjection } from "../src/translate/irp";
import { kernelChoice } from "../src/linalg/kernelChoice";
import { resetKernels } from "../src/linalg/wasm/kernels";
import { blasAvailable, bottomRows, randomMatrix, rotatedCopy, topRows, withKernels } from "./helpers";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], tty = false): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: tty, columns: 100 },
  });
  return { code, stdout, stderr };
}

let root: string;
let A: string, B: string, X: string, T: string, NPZ: string;
let anchorsX: Matrix, anchorsY: Matrix, truth: Matrix;
let k = 0;
const fresh = (name: string) => join(root, `${k++}-${name}`);

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "latent-bridge-cli-commands-"));
  const x = randomMatrix(400, 10, 11);
  const y = rotatedCopy(x, 14, 12, 0.5).y;
  for (let i = 0; i < y.data.length; i++) y.data[i] += 0.01 * Math.sin(7 * i);
  anchorsX = topRows(x, 250);
  anchorsY = topRows(y, 250);
  truth = bottomRows(y, 150);
  A = join(root, "a.npy");
  B = join(root, "b.npy");
  X = join(root, "x.npy");
  T = join(root, "t.npy");
  writeNpyMatrix(A, anchorsX);
  writeNpyMatrix(B, anchorsY);
  writeNpyMatrix(X, bottomRows(x, 150));
  writeNpyMatrix(T, truth);
  NPZ = join(root, "all.npz");
  writeNpz(NPZ, {
    anchors_src: { shape: [250, 10], data: anchorsX.data },
    anchors_tgt: { shape: [250, 14], data: anchorsY.data },
    queries: { shape: [150, 10], data: bottomRows(x, 150).data },
  });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const fitArgs = (method: string, save: string, extra: string[] = []) => ["fit", "--method", method, "--source-anchors", A, "--target-anchors", B, "--save", save, ...extra];

describe("fit once, apply many", () => {
  for (const [method, extra] of [["irp", ["--delta", "0.4", "--omega", "8"]], ["procrustes", []], ["affine", []]] as const) {
    it(`${method}: fit --save then apply gives translate's output byte for byte`, async () => {
      const model = fresh("model.npz");
      const fitted = await run([...fitArgs(method, model, [...extra]), "--json"]);
      expect(fitted.code, fitted.stderr).toBe(0);
      expect(JSON.parse(fitted.stdout)).toMatchObject({ command: "fit", method, anchors: 250, sourceDim: 10, targetDim: 14, model });
      expect(readModel(model).meta).toMatchObject({ method, sourceDim: 10, targetDim: 14, writtenBy: expect.stringMatching(/^latent-bridge \d/) });
      const applied = fresh("applied.npy"), translated = fresh("translated.npy");
      const a = await run(["apply", "--model", model, "--input", X, "--output", applied, "--json"]);
      expect(a.code, a.stderr).toBe(0);
      expect(JSON.parse(a.stdout)).toMatchObject({ command: "apply", method, rows: 150, outputShape: [150, 14], dtype: "float64", inputDtype: "float64" });
      const t = await run(["translate", "--method", method, "--source-anchors", A, "--target-anchors", B, "--input", X, "--output", translated, ...extra]);
      expect(t.code, t.stderr).toBe(0);
      expect(readFileSync(applied)).toEqual(readFileSync(translated));
    });
  }

  it("translate --save saves the model it translated with", async () => {
    const model = fresh("m.npz"), out = fresh("y.npy"), again = fresh("y2.npy");
    expect((await run(["translate", "--method", "irp", "--source-anchors", A, "--target-anchors", B, "--input", X, "--output", out, "--save", model, "--delta", "0.3"])).code).toBe(0);
    expect((await run(["apply", "--model", model, "--input", X, "--output", again])).code).toBe(0);
    expect(readFileSync(again)).toEqual(readFileSync(out));
  });

  it("translate --save whose translation fails (NaN in the last row) leaves neither the output nor the model", async () => {
    const bad = fresh("nan.npy");
    const x = readNpyMatrix(X);
    x.data[x.data.length - 1] = NaN;
    writeNpyMatrix(bad, x);
    const model = fresh("m.npz"), out = fresh("y.npy");
    const r = await run(["translate", "--method", "irp", "--source-anchors", A, "--target-anchors", B, "--input", bad, "--output", out, "--save", model, "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({ type: "NonFiniteError", argument: "--input" });
    expect(r.stderr).toMatch(/found NaN at row 149, column 9/);
    expect([existsSync(out), existsSync(model)]).toEqual([false, false]);
  });

  it("apply: a model of another format version, a file that is no model, a missing model, an input of the wrong width — exit 1 naming the flag, nothing written", async () => {
    const t = createTranslator("lstsq").fit(anchorsX, anchorsY);
    const entries = modelEntries(t);
    const meta = JSON.parse(new TextDecoder().decode(entries.meta.data as Uint8Array));
    const json = new TextEncoder().encode(JSON.stringify({ ...meta, formatVersion: 99 }));
    const future = fresh("future.npz");
    writeNpz(future, { ...entries, meta: { shape: [json.length], data: json } });
    const out = fresh("never.npy");
    const cases: Array<[string[], string, RegExp]> = [
      [["--model", future, "--input", X], "--model", /format version 99, and this latent-bridge reads version 1; it was written by a newer latent-bridge/],
      [["--model", NPZ, "--input", X], "--model", /not a latent-bridge translator model: no "meta" entry/],
      [["--model", fresh("missing.npz"), "--input", X], "--model", /cannot read \.npz file: no such file/],
      [["--model", (await saved("lstsq")), "--input", T], "--input", /expected 10 columns \(the source dimension of the model .*\), got 150×14/],
    ];
    for (const [args, flag, message] of cases) {
      const r = await run(["apply", ...args, "--output", out, "--json"]);
      expect(r.code, r.stderr).toBe(1);
      expect(JSON.parse(r.stdout).error, r.stderr).toMatchObject({ argument: flag, exitCode: 1 });
      expect(r.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
    expect(readdirSync(root).filter((f) => f.startsWith(".lb-tmp"))).toEqual([]);
  });
});

async function saved(method: string): Promise<string> {
  const model = fresh(`${method}.npz`);
  const r = await run(fitArgs(method, model));
  expect(r.code, r.stderr).toBe(0);
  return model;
}

describe("IRP's variants on the command line", () => {
  it("--ridge, --whiten and --orthogonalize translate as the library's options do, bit for bit, and are reported", async () => {
    const cases: Array<[string[], Record<string, unknown>, string]> = [
      [["--ridge", "0.5"], { ridge: 0.5 }, "ridge λ = 0.5"],
      [["--whiten"], { whiten: true }, "whitened"],
      [["--orthogonalize"], { orthogonalize: true }, "orthogonalized"],
    ];
    for (const [flags, options, shown] of cases) {
      const out = fresh("variant.npy");
      const r = await run(["translate", "--method", "irp", "--source-anchors", A, "--target-anchors", B, "--input", X, "--output", out, "--omega", "4", "--delta", "0.3", ...flags]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`variant\\s+${shown}`));
      const lib = createTranslator("irp", { omega: 4, delta: 0.3, ...options }).fit(anchorsX, anchorsY).transform(readNpyMatrix(X));
      expect(Array.from(readNpyMatrix(out).data), flags.join(" ")).toEqual(Array.from(lib.data));
    }
  });

  it("a bad value or combination is a usage error naming the flag, before any file is read", async () => {
    for (const [flags, message] of [[["--ridge", "-1"], /--ridge: missing value/], [["--ridge=-1"], /--ridge: expected a finite number ≥ 0/], [["--ridge", "0.5", "--whiten"], /--ridge: whitening replaces the inverse/]] as const) {
      const r = await run(["translate", "--method", "irp", "--source-anchors", join(root, "missing.npy"), "--target-anchors", B, "--input", X, "--output", fresh("never.npy"), ...flags]);
      expect(r.code, flags.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const warned = await run(["fit", "--method", "lstsq", "--source-anchors", A, "--target-anchors", B, "--save", fresh("m.npz"), "--whiten"]);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toMatch(/--whiten only applies to --method irp; ignored by lstsq/);
  });
});

describe(".npz inputs", () => {
  it("x.npz:key for anchors and input gives what the .npy files give; a stored member streams in place", async () => {
    const fromNpz = fresh("y.npy"), fromNpy = fresh("y.npy");
    const r = await run(["translate", "--method", "irp", "--source-anchors", `${NPZ}:anchors_src`, "--target-anchors", `${NPZ}:anchors_tgt`, "--input", `${NPZ}:queries`, "--output", fromNpz]);
    expect(r.code, r.stderr).toBe(0);
    expect((await run(["translate", "--method", "irp", "--source-anchors", A, "--target-anchors", B, "--input", X, "--output", fromNpy])).code).toBe(0);
    expect(readFileSync(fromNpz)).toEqual(readFileSync(fromNpy));
  });

  it("an archive of several arrays without a key, or a missing key: exit 1 listing the keys (ArchiveKeyError)", async () => {
    for (const [spec, message] of [[NPZ, /holds 3 arrays: "anchors_src", "anchors_tgt", "queries"; name one as .*all\.npz:<key>/], [`${NPZ}:query`, /no array "query" in the archive; it holds 3 arrays/]] as const) {
      const r = await run(["translate", "--method", "lstsq", "--source-anchors", A, "--target-anchors", B, "--input", spec, "--output", fresh("y.npy"), "--json"]);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout).error).toMatchObject({ type: "ArchiveKeyError", argument: "--input" });
      expect(r.stderr).toMatch(message);
    }
  });

  it("a truncated archive: exit 1, FileFormatError naming --source-anchors", async () => {
    const cut = fresh("cut.npz");
    writeFileSync(cut, readFileSync(NPZ).subarray(0, 1000));
    const r = await run(["fit", "--method", "lstsq", "--source-anchors", `${cut}:anchors_src`, "--target-anchors", B, "--save", fresh("m.npz"), "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({ type: "FileFormatError", argument: "--source-anchors" });
  });
});

describe("outputs and flags", () => {
  it("usage errors (exit 2) before anything is read: .npz translation, .npy model, an output that is an input (also inside an archive), a flag of another command", async () => {
    const cases: Array<[string[], string, RegExp]> = [
      [["apply", "--model", "m.npz", "--input", X, "--output", fresh("y.npz")], "--output", /translations are written as \.npy; \.npz output is for models only/],
      [fitArgs("irp", fresh("model.npy")), "--save", /a model is saved as an \.npz archive/],
      [["translate", "--method", "irp", "--source-anchors", A, "--target-anchors", B, "--input", X, "--output", fresh("y.npy"), "--model", "m.npz"], "--model", /is not an option of translate/],
      [["evaluate", "--predicted", X, "--target", T, "--method", "irp"], "--method", /is not an option of evaluate \(its options: --predicted, --target, --json\)/],
    ];
    const sameAsArchive = ["fit", "--method", "irp", "--source-anchors", `${NPZ}:anchors_src`, "--target-anchors", B, "--save", NPZ];
    cases.push([sameAsArchive, "--save", /is the same file as --source-anchors .*all\.npz:anchors_src.*would destroy that input/]);
    for (const [argv, flag, message] of cases) {
      const r = await run([...argv, "--json"]);
      expect(r.code, `${argv.join(" ")}: ${r.stderr}`).toBe(2);
      expect(JSON.parse(r.stdout).error).toMatchObject({ argument: flag, exitCode: 2 });
      expect(r.stderr).toMatch(message);
    }
  });

  it("float32 input gives float32 output unless --dtype float64", async () => {
    const x32 = fresh("x32.npy");
    writeNpyMatrix(x32, readNpyMatrix(X), "float32");
    const out = fresh("y.npy");
    const model = await saved("irp");
    expect((await run(["apply", "--model", model, "--input", x32, "--output", out])).code).toBe(0);
    expect(readNpy(out).dtype).toBe("float32");
    expect((await run(["apply", "--model", model, "--input", x32, "--output", out, "--dtype", "float64"])).code).toBe(0);
    expect(readNpy(out).dtype).toBe("float64");
  });

  /** x (rows × dx, seeded) and a rotated, shifted copy y (dy): the first 300 rows as anchor files, the rest of x as input. */
  const rotatedPairFiles = (tag: string, rows: number, dx: number, dy: number, seed: number) => {
    const x = randomMatrix(rows, dx, seed);
    const y = rotatedCopy(x, dy, seed + 1, 0.5).y;
    const files = { a: fresh(`a${tag}.npy`), b: fresh(`b${tag}.npy`), x: fresh(`x${tag}.npy`) };
    writeNpyMatrix(files.a, topRows(x, 300));
    writeNpyMatrix(files.b, topRows(y, 300));
    writeNpyMatrix(files.x, bottomRows(x, rows - 300));
    return { x, y, files };
  };

  it("--precision float32 (translate, apply): the library's float32 transform bit for bit; float64 by default; irp only; a bad value is a usage error", async () => {
    const { x, y, files } = rotatedPairFiles("64", 900, 64, 64, 31);
    const irp = createTranslator("irp", { delta: 0.3 }).fit(topRows(x, 300), topRows(y, 300)) as InverseRelativeProjection;
    const want32 = irp.transform(bottomRows(x, 600), { precision: "float32" }), want64 = irp.transform(bottomRows(x, 600));
    expect(want32.data).not.toEqual(want64.data);
    const base = ["translate", "--method", "irp", "--delta", "0.3", "--source-anchors", files.a, "--target-anchors", files.b, "--input", files.x];
    const out = fresh("y.npy"), model = fresh("m.npz");
    expect((await run([...base, "--output", out, "--precision", "float32", "--save", model])).code).toBe(0);
    expect(readNpyMatrix(out).data).toEqual(want32.data);
    expect((await run(["apply", "--model", model, "--input", files.x, "--output", out, "--precision", "float32"])).code).toBe(0);
    expect(readNpyMatrix(out).data).toEqual(want32.data);
    expect((await run([...base, "--output", out])).code).toBe(0);
    expect(readNpyMatrix(out).data).toEqual(want64.data);
    for (const argv of [[...base, "--output", out, "--precision", "half"], ["translate", "--method", "procrustes", "--source-anchors", files.a, "--target-anchors", files.b, "--input", files.x, "--output", out, "--precision", "float32"]]) {
      const r = await run([...argv, "--json"]);
      expect(r.code, r.stderr).toBe(2);
      expect(JSON.parse(r.stdout).error).toMatchObject({ argument: "--precision", exitCode: 2 });
    }
  });

  it("--kernels (translate, fit, apply, choose): blas gives the library's BLAS result, for this run only; a bad value or a missing library is an error, no output", async () => {
    const { x, y, files } = rotatedPairFiles("k", 700, 48, 56, 41);
    const base = ["translate", "--method", "irp", "--delta", "0.3", "--omega", "4", "--source-anchors", files.a, "--target-anchors", files.b, "--input", files.x];
    const fitApply = () => createTranslator("irp", { delta: 0.3, omega: 4 }).fit(topRows(x, 300), topRows(y, 300)).transform(bottomRows(x, 400));
    const out = fresh("ky.npy");
    expect((await run([...base, "--output", out, "--kernels", "wasm"])).code).toBe(0);
    expect(readNpyMatrix(out).data).toEqual(fitApply().data);
    if (blasAvailable()) {
      const r = await run([...base, "--output", out, "--kernels", "blas", "--json"]);
      expect(r.code, r.stderr).toBe(0);
      expect(readNpyMatrix(out).data).toEqual(withKernels("blas", fitApply).data);
      expect(readNpyMatrix(out).data).not.toEqual(fitApply().data); // another summation order: the BLAS ran
      expect(kernelChoice()).toBe("wasm"); // and the choice ended with the run
    }
    const bad = await run([...base, "--output", fresh("k-bad.npy"), "--kernels", "cuda", "--json"]);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).error).toMatchObject({ argument: "--kernels", exitCode: 2 });
    expect((await run(["evaluate", "--predicted", out, "--target", out, "--kernels", "wasm"])).code).toBe(2);
    process.env.LATENT_BRIDGE_BLAS_LIBRARY = "/nonexistent/libnothing.so";
    resetKernels(); // a process loads the BLAS once; this one did above
    try {
      const missing = fresh("k-missing.npy");
      const r = await run([...base, "--output", missing, "--kernels", "blas"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(blasAvailable() ? /LATENT_BRIDGE_BLAS_LIBRARY=\/nonexistent\/libnothing\.so/ : /koffi/);
      expect(existsSync(missing)).toBe(false);
    } finally {
      delete process.env.LATENT_BRIDGE_BLAS_LIBRARY;
      resetKernels();
    }
  });

  it("a progress line on a terminal for long inputs only (never in logs or pipes)", async () => {
    const big = fresh("big.npy");
    writeNpyMatrix(big, randomMatrix(100_000, 10, 3));
    const model = await saved("lstsq");
    const previous = process.env.LATENT_BRIDGE_PROGRESS;
    process.env.LATENT_BRIDGE_PROGRESS = "auto"; // vitest.config.ts silences bars
    try {
      const tty = await run(["apply", "--model", model, "--input", big, "--output", fresh("y.npy")], true);
      expect(tty.code, tty.stderr).toBe(0);
      expect(tty.stderr).toMatch(/translate 100,?000\/100,?000 100%/);
      const pipe = await run(["apply", "--model", model, "--input", big, "--output", fresh("y.npy")], false);
      expect(pipe.stderr).toBe("");
      const short = await run(["apply", "--model", model, "--input", X, "--output", fresh("y.npy")], true);
      expect(short.stderr).toBe("");
    } finally {
      process.env.LATENT_BRIDGE_PROGRESS = previous;
    }
  });

  it("every command has its help: latent-bridge <command> --help, help <command>, and the global help lists them all", async () => {
    const global = await run(["--help"]);
    for (const c of ["translate", "fit", "apply", "evaluate", "choose"]) {
      expect(global.stdout).toContain(`latent-bridge ${c} [options]`);
      const a = await run([c, "--help"]), b = await run(["help", c]);
      expect(a.code).toBe(0);
      expect(a.stdout).toBe(b.stdout);
      expect(a.stdout).toMatch(new RegExp(`^Usage:\\n  latent-bridge ${c} `));
    }
    expect((await run(["help", "frobnicate"])).code).toBe(2);
    expect((await run(["frobnicate"])).stderr).toMatch(/the commands are translate, fit, apply, evaluate, choose/);
  });
});

describe("evaluate", () => {
  it("known answers: the targets themselves score 1 everywhere and MSE 0; a reversed order scores what the ranks say", async () => {
    const same = await run(["evaluate", "--predicted", T, "--target", T, "--json"]);
    expect(same.code, same.stderr).toBe(0);
    expect(JSON.parse(same.stdout)).toMatchObject({ command: "evaluate", rows: 150, dim: 14, meanCosine: 1, mse: 0, top1: 1, top5: 1, mrr: 1 });
    // 3 one-hot rows predicted as the next row's target (a cyclic shift): every own target ranks 2nd of 3 (cosine 0 vs 1 for the wrong one).
    const p = fresh("p.npy"), t = fresh("t.npy");
    writeNpyMatrix(t, Matrix.from([[1, 0, 0], [0, 1, 0], [0, 0, 1]]));
    writeNpyMatrix(p, Matrix.from([[0, 1, 0], [0, 0, 1], [1, 0, 0]]));
    const shifted = JSON.parse((await run(["evaluate", "--predicted", p, "--target", t, "--json"])).stdout);
    expect(shifted).toMatchObject({ meanCosine: 0, top1: 0, top5: 1 });
    expect(shifted.mse).toBeCloseTo(2 / 3, 15);
    expect(shifted.mrr).toBeCloseTo(1 / 2, 15); // ties (0 = 0) count in the query's favour: rank 2
    const human = await run(["evaluate", "--predicted", p, "--target", t]);
    expect(human.stdout).toMatch(/^mean reciprocal rank\s+0\.5000$/m);
    expect(human.stdout).toMatch(/^top-3 retrieval\s+1$/m); // k = min(5, rows)
  });

  it("shapes that differ: exit 1 naming --target", async () => {
    const r = await run(["evaluate", "--predicted", X, "--target", T, "--json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({ type: "ShapeMismatchError", argument: "--target" });
  });
});

describe("choose", () => {
  it("picks what chooseIrpParameters picks, and prints the grid it looked at", async () => {
    const r = await run(["choose", "--source-anchors", A, "--target-anchors", B, "--omegas", "1,4", "--deltas", "0,0.3,0.6", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const lib = chooseIrpParameters({ anchorsX, anchorsY, omegas: [1, 4], deltas: [0, 0.3, 0.6], progress: false });
    expect(j).toMatchObject({ command: "choose", omega: lib.omega, delta: lib.delta, score: lib.score, anchors: 250, fittedOn: 200, heldOut: 50, omegas: [1, 4], deltas: [0, 0.3, 0.6] });
    expect(j.table).toHaveLength(6);
    expect(j.table).toEqual(lib.table);
    const human = await run(["choose", "--source-anchors", A, "--target-anchors", B, "--omegas", "1,4", "--deltas", "0,0.3,0.6"]);
    expect(human.stdout).toMatch(new RegExp(`^chosen: ω = ${lib.omega}, δ = ${lib.delta} `));
    expect(human.stdout.match(/\*/g)).toHaveLength(2); // the header's "* the choice" and the chosen cell
    expect(human.stdout).toMatch(/δ \\ ω\s+1\s+4\n\s+0\s/);
  });

  it("reports the anchor-only diagnostic of IRP's gap to Procrustes (irpGapDiagnostic at the chosen ω, δ)", async () => {
    const r = await run(["choose", "--source-anchors", A, "--target-anchors", B, "--omegas", "1,4", "--deltas", "0,0.3,0.6", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const choice = chooseIrpParameters({ anchorsX, anchorsY, omegas: [1, 4], deltas: [0, 0.3, 0.6], progress: false });
    const lib = irpGapDiagnostic({ anchorsX, anchorsY, omegas: [1, 4], deltas: [0, 0.3, 0.6], choice });
    expect(j.irpGap).toEqual(JSON.parse(JSON.stringify(lib)));
    expect(j.irpGap.recommended).toBe(lib.heldOutGap >= 0 ? "irp" : "procrustes");
    const human = await run(["choose", "--source-anchors", A, "--target-anchors", B, "--omegas", "1,4", "--deltas", "0,0.3,0.6"]);
    expect(human.stdout).toContain(`recommended: ${lib.recommended}`);
    expect(human.stdout).toMatch(/IRP − Procrustes on held-out anchors \(centred cosine, 5-fold\): [+-]\d/);
  });

  it("bad grids and hold-out shares are usage errors naming the flag", async () => {
    for (const [flag, value, message] of [["--omegas", "1,0", /--omegas: expected an integer in \[1, 1000000\], got 0/], ["--deltas", "0.5,1", /--deltas: expected a number in \[0, 1\), got 1/], ["--deltas", "0.2,0.2", /lists a value twice/], ["--holdout", "1", /--holdout: expected a number in \(0, 1\)/]] as const) {
      const r = await run(["choose", "--source-anchors", A, "--target-anchors", B, flag, value]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });
});
