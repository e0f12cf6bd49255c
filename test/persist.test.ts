/**
 * Fit once, apply many (src/translate/persist.ts): a saved translator loads as an instance of its
 * class whose transform gives the saved one's bits; numpy opens the model and the README's lines
 * apply an IRP model by hand; a model of another version or layout, or an input of the wrong width,
 * is a typed error.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { FileFormatError, NotFittedError, ShapeMismatchError } from "../src/errors";
import { writeNpyMatrix } from "../src/io/npy";
import { writeNpz, type NpzEntry } from "../src/io/npz";
import { Matrix } from "../src/linalg/matrix";
import { AbsoluteTranslator } from "../src/translate/absolute";
import { createTranslator } from "../src/translate/createTranslator";
import { InverseRelativeProjection } from "../src/translate/irp";
import { LeastSquaresTranslator } from "../src/translate/leastSquares";
import { MODEL_FORMAT_VERSION, loadTranslator, modelEntries, readModel, saveTranslator } from "../src/translate/persist";
import { ProcrustesTranslator } from "../src/translate/procrustes";
import { randomMatrix, rotatedCopy } from "./helpers";

const PY = "/usr/bin/python3";
const hasNumpy = existsSync(PY) && spawnSync(PY, ["-c", "import numpy"], { stdio: "ignore" }).status === 0;
const README = fileURLToPath(new URL("../README.md", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "latent-bridge-model-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const tmp = (name: string) => join(dir, `${n++}-${name}`);
const bits = (m: Matrix) => new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength);

const x = randomMatrix(260, 12, 1);
const y = new Matrix(260, 9, rotatedCopy(x, 12, 2).y.data.filter((_, i) => i % 12 < 9));
const ax = new Matrix(200, 12, x.data.slice(0, 200 * 12)), ay = new Matrix(200, 9, y.data.slice(0, 200 * 9));
const queries = new Matrix(60, 12, x.data.slice(200 * 12));
const square = randomMatrix(200, 12, 3);

const CASES: Array<[string, Record<string, unknown>, Matrix, new (...a: never[]) => object]> = [
  ["irp", { omega: 8, delta: 0.4, seed: 3, prune: "source" }, ay, InverseRelativeProjection],
  ["irp", { delta: 0, rcond: 1e-8 }, ay, InverseRelativeProjection],
  ["irp", { omega: 4, delta: 0.3, ridge: 0.5 }, ay, InverseRelativeProjection],
  ["irp", { omega: 4, delta: 0.3, whiten: true }, ay, InverseRelativeProjection],
  ["irp", { omega: 4, delta: 0.3, orthogonalize: true }, ay, InverseRelativeProjection],
  ["procrustes", {}, ay, ProcrustesTranslator],
  ["procrustes", { variant: "full" }, ay, ProcrustesTranslator],
  ["procrustes", { variant: "anchor-span" }, ay, ProcrustesTranslator],
  ["lstsq", {}, ay, LeastSquaresTranslator],
  ["affine", { rcond: 1e-12 }, ay, LeastSquaresTranslator],
  ["absolute", {}, square, AbsoluteTranslator],
];

describe("saveTranslator → loadTranslator", () => {
  for (const [method, options, target, cls] of CASES) {
    it(`${method} ${JSON.stringify(options)}: the same class, options, diagnostics and transform bits`, () => {
      const t = createTranslator(method, options).fit(ax, target);
      const path = tmp(`${method}.npz`);
      saveTranslator(t, path);
      const loaded = loadTranslator(path);
      expect(loaded).toBeInstanceOf(cls);
      expect(loaded.method).toBe(method);
      expect(JSON.stringify(loaded.diagnostics)).toBe(JSON.stringify(t.diagnostics));
      expect(bits(loaded.transform(queries))).toEqual(bits(t.transform(queries)));
      for (const [k, v] of Object.entries(options)) expect((loaded as unknown as Record<string, unknown>)[k], k).toEqual(v);
      // Saving the loaded translator gives the same file.
      const again = tmp(`${method}-again.npz`);
      saveTranslator(loaded, again);
      expect(readFileSync(again)).toEqual(readFileSync(path));
    });
  }

  it("a loaded whitened or ridge IRP evaluates eq. 5 term by term as the fitted one did (transformLiteral)", () => {
    for (const options of [{ omega: 4, delta: 0.3, whiten: true }, { omega: 4, delta: 0.3, ridge: 0.5 }]) {
      const t = new InverseRelativeProjection(options).fit(ax, ay);
      const path = tmp("irp-variant.npz");
      saveTranslator(t, path);
      const l = loadTranslator(path) as InverseRelativeProjection;
      expect(bits(l.transformLiteral(queries)), JSON.stringify(options)).toEqual(bits(t.transformLiteral(queries)));
    }
  });

  it("a loaded IRP keeps everything fit computed: relative(), transformLiteral(), subspaces, the map", () => {
    const t = new InverseRelativeProjection({ omega: 16, delta: 0.5 }).fit(ax, ay);
    const path = tmp("irp.npz");
    saveTranslator(t, path);
    const l = loadTranslator(path) as InverseRelativeProjection;
    expect(bits(l.relative(queries))).toEqual(bits(t.relative(queries)));
    expect(bits(l.transformLiteral(queries))).toEqual(bits(t.transformLiteral(queries)));
    expect(bits(l.map)).toEqual(bits(t.map));
    expect(l.subspaces.map((s) => [Array.from(s.indices), s.multiplicity])).toEqual(t.subspaces.map((s) => [Array.from(s.indices), s.multiplicity]));
    // Condition numbers can be infinite (rank-deficient subsets): they survive the JSON.
    expect(l.diagnostics.subspaces.map((s) => s.conditionNumberFull)).toEqual(t.diagnostics.subspaces.map((s) => s.conditionNumberFull));
  });

  it("refits from scratch like a new estimator with the saved options", () => {
    const t = new InverseRelativeProjection({ omega: 4, delta: 0.3 }).fit(ax, ay);
    const path = tmp("refit.npz");
    saveTranslator(t, path);
    const l = loadTranslator(path);
    l.fit(square, ay);
    expect(bits(l.transform(queries))).toEqual(bits(new InverseRelativeProjection({ omega: 4, delta: 0.3 }).fit(square, ay).transform(queries)));
  });

  it("an input of the wrong width is the usual ShapeMismatchError; an unfitted translator cannot be saved", () => {
    const path = tmp("w.npz");
    saveTranslator(createTranslator("lstsq").fit(ax, ay), path);
    expect(() => loadTranslator(path).transform(randomMatrix(3, 11, 1))).toThrow(ShapeMismatchError);
    expect(() => saveTranslator(new InverseRelativeProjection(), tmp("unfitted.npz"))).toThrow(NotFittedError);
  });

  it("the model's arrays: what the module comment lists, float64 (indices int32)", () => {
    const path = tmp("layout.npz");
    saveTranslator(new InverseRelativeProjection({ omega: 4, delta: 0.3 }).fit(ax, ay), path);
    const { arrays } = readModel(path);
    expect(Object.fromEntries(Object.entries(arrays).map(([k, a]) => [k, `${a.dtype} ${a.shape.join("×")}`]))).toMatchObject({
      source_mean: "float64 12", source_mean_norm: "float64 ", source_magnitude: "float64 ", target_mean: "float64 9",
      target_mean_norm: "float64 ", target_magnitude: "float64 ", map: "float64 12×9", unit_source_anchors: "float64 200×12",
      draws: "int32 4",
    });
    expect(arrays.decoders.shape[1]).toBe(9);
  });
});

describe("models that do not fit are FileFormatErrors naming the file", () => {
  const t = new InverseRelativeProjection({ omega: 4, delta: 0.3 }).fit(ax, ay);
  const entries = () => modelEntries(t);
  const metaOf = (e: Record<string, NpzEntry>) => JSON.parse(new TextDecoder().decode(e.meta.data as Uint8Array));
  const withMeta = (e: Record<string, NpzEntry>, meta: unknown) => {
    const json = new TextEncoder().encode(JSON.stringify(meta));
    return { ...e, meta: { shape: [json.length], data: json } };
  };
  const write = (e: Record<string, NpzEntry>) => {
    const p = tmp("bad.npz");
    writeNpz(p, e);
    return p;
  };
  const fails = (p: string, message: RegExp) => {
    let caught: unknown;
    try {
      loadTranslator(p);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(FileFormatError);
    expect((caught as FileFormatError).argument).toBe(p);
    expect((caught as Error).message).toMatch(message);
  };

  it("another format version (newer: upgrade; older: refit)", () => {
    fails(write(withMeta(entries(), { ...metaOf(entries()), formatVersion: MODEL_FORMAT_VERSION + 1 })), /format version 2, and this latent-bridge reads version 1; it was written by a newer latent-bridge/);
    fails(write(withMeta(entries(), { ...metaOf(entries()), formatVersion: 0 })), /format version 0.*refit the translator/);
    fails(write(withMeta(entries(), { ...metaOf(entries()), format: "something-else" })), /format "something-else"/);
  });

  it("another method's layout (an IRP model whose meta says procrustes, lstsq arrays under an irp meta)", () => {
    fails(write(withMeta(entries(), { ...metaOf(entries()), method: "procrustes" })), /a procrustes model holds the arrays left, right, source_magnitude.*; this one holds decoders, draws, map.*\(another method's layout\?\)/);
    const lstsq = modelEntries(createTranslator("lstsq").fit(ax, ay));
    fails(write(withMeta(lstsq, { ...metaOf(lstsq), method: "irp" })), /an? irp model holds the arrays/);
  });

  it("arrays of the wrong shape, arrays missing or unlisted, no meta, meta not JSON", () => {
    const e = entries();
    fails(write({ ...e, map: { shape: [9, 12], data: new Float64Array(108) } }), /array "map" is float64 of shape \(9, 12\), its meta says float64 \(12, 9\)/);
    const { map: _map, ...noMap } = e;
    fails(write(noMap), /lists an array "map" that the archive does not hold/);
    fails(write({ ...e, extra: { shape: [1], data: new Float64Array(1) } }), /holds an array "extra" that its meta does not list/);
    const { meta: _meta, ...noMeta } = e;
    fails(write(noMeta), /no "meta" entry/);
    const garbage = new TextEncoder().encode("{not json");
    fails(write({ ...e, meta: { shape: [garbage.length], data: garbage } }), /"meta" entry is not UTF-8 JSON/);
    fails(write({ ...e, meta: { shape: [2], data: new Float64Array(2) } }), /expected a 1-D uint8 array/);
  });

  it("a truncated model file", () => {
    const p = tmp("cut.npz");
    saveTranslator(t, p);
    writeFileSync(p, readFileSync(p).subarray(0, 500));
    fails(p, /not a valid \.npz archive/);
  });

  it("readModel returns the meta a user sees in numpy", () => {
    const p = tmp("meta.npz");
    saveTranslator(t, p, { writtenBy: "latent-bridge test" });
    const { meta } = readModel(p);
    expect(meta).toMatchObject({ format: "latent-bridge/translator", formatVersion: 1, method: "irp", sourceDim: 12, targetDim: 9, anchors: 200, writtenBy: "latent-bridge test" });
    expect(meta.options).toEqual({ omega: 4, delta: 0.3, seed: 0, prune: "target", ridge: 0, whiten: false, orthogonalize: false });
    expect(meta.arrays.map).toEqual({ shape: [12, 9], dtype: "float64" });
  });
});

describe.skipIf(!hasNumpy)("numpy", () => {
  it("opens every model with np.load (no pickle) and the README's lines apply an IRP model by hand (to 1e-12)", () => {
    const t = new InverseRelativeProjection({ omega: 16, delta: 0.5 }).fit(ax, ay);
    const model = tmp("model.npz"), input = tmp("queries.npy");
    saveTranslator(t, model);
    writeNpyMatrix(input, queries);
    // The README's snippet, verbatim (between the markers), run on these files.
    const readme = readFileSync(README, "utf8");
    const snippet = /<!-- numpy-apply-irp -->\s*```python\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet, "README.md has the numpy snippet between <!-- numpy-apply-irp --> and a python block").toBeDefined();
    const script = snippet!.replaceAll('"model.npz"', JSON.stringify(model)).replaceAll('"queries.npy"', JSON.stringify(input)) +
      "\nimport sys\nnp.save(sys.argv[1], y)\nprint(meta['method'], meta['formatVersion'])\n";
    const out = tmp("y_numpy.npy");
    const r = spawnSync(PY, ["-c", script, out], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("irp 1");
    const ours = t.transform(queries);
    const numpyY = spawnSync(PY, ["-c", "import numpy as np,sys; print(' '.join(repr(float(v)) for v in np.load(sys.argv[1]).ravel()))", out], { encoding: "utf8" }).stdout.trim().split(" ").map(Number);
    let worst = 0;
    for (let i = 0; i < numpyY.length; i++) worst = Math.max(worst, Math.abs(numpyY[i] - ours.data[i]) / (1 + Math.abs(ours.data[i])));
    expect(numpyY.length).toBe(ours.data.length);
    expect(worst).toBeLessThan(1e-12);
    for (const [method, options, target] of CASES) {
      const p = tmp(`${method}-np.npz`);
      saveTranslator(createTranslator(method, options).fit(ax, target), p);
      const check = spawnSync(PY, ["-c", "import numpy as np, json, sys; m = np.load(sys.argv[1], allow_pickle=False); print(json.loads(m['meta'].tobytes())['method'], len(m.files))", p], { encoding: "utf8" });
      expect(check.stderr, method).toBe("");
      expect(check.stdout.split(" ")[0], method).toBe(method);
    }
  });
});
