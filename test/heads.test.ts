import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getTf, type Tf } from "../src/engine/tf";
import { FileFormatError, InvalidParameterError, NonFiniteError, ShapeMismatchError } from "../src/errors";
import { trainHead, type ClassificationHead, type HeadSpec } from "../src/heads/classifier";
import { cachedHead, loadHead, saveHead } from "../src/heads/persist";
import { Matrix } from "../src/linalg/matrix";
import { Random } from "../src/linalg/random";

// Three Gaussian blobs in 20-d: centres ~ N(1, 1) per coordinate, unit noise. The centres are about
// √40 ≈ 6.3 noise standard deviations apart, so the Bayes accuracy is ≈ 99.9 %.
const D = 20, K = 3, N = 600, N_TRAIN = 400;
function blobs(seed: number): { x: Matrix; y: Int32Array } {
  const rng = new Random(seed);
  const centres = Array.from({ length: K }, () => Array.from({ length: D }, () => 1 + rng.normal()));
  const x = new Matrix(N, D);
  const y = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    const c = rng.int(K);
    y[i] = c;
    for (let j = 0; j < D; j++) x.data[i * D + j] = centres[c][j] + rng.normal();
  }
  return { x, y };
}
const all = blobs(7);
const train = { x: new Matrix(N_TRAIN, D, all.x.data.slice(0, N_TRAIN * D)), y: all.y.slice(0, N_TRAIN) };
const test = { x: new Matrix(N - N_TRAIN, D, all.x.data.slice(N_TRAIN * D)), y: all.y.slice(N_TRAIN) };

const scaled = (m: Matrix, a: number) => new Matrix(m.rows, m.cols, m.data.map((v) => v * a));
const changed = (a: Int32Array, b: Int32Array) => a.reduce((s, v, i) => s + (v !== b[i] ? 1 : 0), 0);
const quiet = { progress: false } as const;
const base = { epochs: 25, batchSize: 32 } as const;

let tf: Tf;
let dir: string;
let relu: ClassificationHead;
beforeAll(async () => {
  ({ tf } = await getTf());
  dir = mkdtempSync(join(tmpdir(), "heads-test-"));
  relu = await trainHead(train.x, train.y, { kind: "mlp", seed: 1, ...base }, { ...quiet, validation: { x: test.x, labels: test.y } });
});
afterAll(() => {
  relu?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("trainHead on separable blobs", () => {
  it("a linear head reaches ≥ 95 % test accuracy", async () => {
    const head = await trainHead(train.x, train.y, { kind: "linear", seed: 0, ...base, learningRate: 1e-2 }, quiet);
    expect(head.inputDim).toBe(D);
    expect(head.numClasses).toBe(K);
    expect(head.layers).toHaveLength(1);
    expect(head.accuracy(test.x, test.y)).toBeGreaterThanOrEqual(0.95);
    head.dispose();
  });

  it("a 256-256 ReLU MLP (the defaults) reaches ≥ 95 % test accuracy and records its history", () => {
    expect(relu.spec).toMatchObject({ kind: "mlp", hidden: [256, 256], activation: "relu", useBias: true, standardize: false });
    expect(relu.layers.map((l) => [l.inputDim, l.outputDim])).toEqual([[D, 256], [256, 256], [256, K]]);
    expect(relu.parameterCount).toBe(D * 256 + 256 + 256 * 256 + 256 + 256 * K + K);
    expect(relu.accuracy(test.x, test.y)).toBeGreaterThanOrEqual(0.95);
    const h = relu.history;
    expect(h.loss).toHaveLength(base.epochs);
    expect(h.trainAccuracy).toHaveLength(base.epochs);
    expect(h.validationAccuracy).toHaveLength(base.epochs);
    expect(h.loss.at(-1)!).toBeLessThan(h.loss[0] / 5);
    expect(h.trainAccuracy.at(-1)!).toBeGreaterThanOrEqual(0.95);
    expect(h.validationAccuracy!.at(-1)).toBe(relu.accuracy(test.x, test.y));
    expect(relu.training.samples).toBe(N_TRAIN);
    expect(relu.toString()).toContain("mlp 20→256→256→3");
  });

  it("a cosine MLP (paper Fig. 4) reaches ≥ 90 % test accuracy", async () => {
    const head = await trainHead(train.x, train.y, { kind: "mlp", activation: "cos", seed: 0, ...base }, quiet);
    expect(head.accuracy(test.x, test.y)).toBeGreaterThanOrEqual(0.9);
    head.dispose();
  });

  it("predict is the argmax of predictLogits; forward on a float32 tensor gives the same logits", () => {
    const logits = relu.predictLogits(test.x);
    expect([logits.rows, logits.cols]).toEqual([test.x.rows, K]);
    const pred = relu.predict(test.x);
    for (let i = 0; i < pred.length; i++) {
      const row = Array.from(logits.row(i));
      expect(pred[i]).toBe(row.indexOf(Math.max(...row)));
    }
    const t = tf.tensor2d(Float32Array.from(test.x.data), [test.x.rows, D]);
    const out = relu.forward(t);
    expect(Float64Array.from(out.dataSync())).toEqual(logits.data);
    t.dispose();
    out.dispose();
    const wrong = tf.zeros([2, D + 1]) as ReturnType<typeof tf.tensor2d>;
    expect(() => relu.forward(wrong)).toThrow(ShapeMismatchError);
    wrong.dispose();
  });

  it("frees every tensor it creates (training with weight decay and standardisation, prediction, dispose)", async () => {
    const before = tf.memory().numTensors;
    const head = await trainHead(train.x, train.y,
      { kind: "mlp", hidden: [32], seed: 3, epochs: 5, batchSize: 64, weightDecay: 1e-2, standardize: true }, quiet);
    let first: Matrix | undefined;
    tf.tidy(() => { first = head.predictLogits(test.x); }); // a first use inside a tidy must not free the cached weights
    expect(head.predictLogits(test.x).data).toEqual(first!.data);
    expect(head.accuracy(test.x, test.y)).toBeGreaterThan(0.5);
    head.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("reproducibility", () => {
  it("the same seed gives bit-identical weights and logits; another seed different weights", async () => {
    const spec: HeadSpec = { kind: "mlp", hidden: [64, 64], seed: 11, epochs: 8, batchSize: 50 };
    const a = await trainHead(train.x, train.y, spec, quiet);
    const b = await trainHead(train.x, train.y, spec, quiet);
    const c = await trainHead(train.x, train.y, { ...spec, seed: 12 }, quiet);
    for (let i = 0; i < a.layers.length; i++) {
      expect(b.layers[i].weight).toEqual(a.layers[i].weight);
      expect(b.layers[i].bias).toEqual(a.layers[i].bias);
    }
    expect(b.predictLogits(test.x).data).toEqual(a.predictLogits(test.x).data);
    expect(b.history.loss).toEqual(a.history.loss);
    let differing = 0;
    for (let k = 0; k < a.layers[0].weight.length; k++) if (a.layers[0].weight[k] !== c.layers[0].weight[k]) differing++;
    expect(differing).toBeGreaterThan(0.9 * a.layers[0].weight.length);
    expect(c.predictLogits(test.x).data).not.toEqual(a.predictLogits(test.x).data);
    for (const h of [a, b, c]) h.dispose();
  });
});

describe("scale invariance (rescale injection, paper §3.4, §4.2)", () => {
  const alphas = [1e-3, 0.5, 7, 1e4];

  it("a bias-free ReLU MLP is positively homogeneous: predictions unchanged for every α, logits scale by α", async () => {
    const head = await trainHead(train.x, train.y, { kind: "mlp", useBias: false, seed: 2, ...base }, quiet);
    expect(head.layers.every((l) => l.bias === null)).toBe(true);
    expect(head.accuracy(test.x, test.y)).toBeGreaterThanOrEqual(0.95);
    const pred = head.predict(test.x);
    const logits = head.predictLogits(test.x);
    for (const a of alphas) {
      const xs = scaled(test.x, a);
      expect(changed(head.predict(xs), pred), `α = ${a}`).toBe(0);
      const la = head.predictLogits(xs);
      for (let k = 0; k < la.data.length; k++) {
        expect(Math.abs(la.data[k] / a - logits.data[k])).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(logits.data[k])));
      }
    }
    head.dispose();
  });

  it("with biases and a tanh or cos activation, some α changes many predictions", async () => {
    const pred = relu.predict(test.x);
    // The ReLU head with biases is the control at the non-extreme scales.
    expect(changed(relu.predict(scaled(test.x, 0.5)), pred)).toBe(0);
    expect(changed(relu.predict(scaled(test.x, 7)), pred)).toBe(0);
    for (const activation of ["tanh", "cos"] as const) {
      const head = await trainHead(train.x, train.y, { kind: "mlp", activation, seed: 4, ...base }, quiet);
      expect(head.accuracy(test.x, test.y)).toBeGreaterThanOrEqual(0.9);
      const p = head.predict(test.x);
      const changes = alphas.map((a) => changed(head.predict(scaled(test.x, a)), p));
      // tanh: at α = 1e-3 the biases dominate; cos: periodic, so α = 7 or 1e4 scrambles the features.
      expect(Math.max(...changes), `${activation}: changes ${changes.join(", ")}`).toBeGreaterThan(0.25 * test.x.rows);
      head.dispose();
    }
  });
});

describe("saveHead / loadHead / cachedHead", () => {
  it("a saved head loads back with identical logits, spec and history", async () => {
    const path = join(dir, "sub", "relu.json");
    saveHead(relu, path);
    const text = readFileSync(path, "utf8");
    expect(() => JSON.parse(text)).not.toThrow();
    const loaded = await loadHead(path);
    expect(loaded.spec).toEqual(relu.spec);
    expect(loaded.inputDim).toBe(D);
    expect(loaded.numClasses).toBe(K);
    expect(loaded.history).toEqual(relu.history);
    expect(loaded.predictLogits(test.x).data).toEqual(relu.predictLogits(test.x).data);
    loaded.dispose();
  });

  it("a standardised head round-trips too", async () => {
    const head = await trainHead(train.x, train.y, { kind: "linear", seed: 5, ...base, standardize: true, learningRate: 1e-2 }, quiet);
    expect(head.standardization).not.toBeNull();
    expect(head.accuracy(test.x, test.y)).toBeGreaterThanOrEqual(0.95);
    const path = join(dir, "std.json");
    saveHead(head, path);
    const loaded = await loadHead(path);
    expect(loaded.standardization!.mean).toEqual(head.standardization!.mean);
    expect(loaded.predictLogits(test.x).data).toEqual(head.predictLogits(test.x).data);
    head.dispose();
    loaded.dispose();
  });

  it("truncated, corrupted, inconsistent or missing files are FileFormatErrors naming the file", async () => {
    const good = join(dir, "good.json");
    saveHead(relu, good);
    const text = readFileSync(good, "utf8");
    const expectBad = async (name: string, content: string | null, pattern: RegExp) => {
      const p = join(dir, name);
      if (content !== null) writeFileSync(p, content);
      const err = await loadHead(p).then(() => undefined, (e: unknown) => e);
      expect(err, name).toBeInstanceOf(FileFormatError);
      expect((err as FileFormatError).argument).toBe(p);
      expect((err as Error).message).toMatch(pattern);
    };
    await expectBad("truncated.json", text.slice(0, Math.floor(text.length / 2)), /truncated|JSON/);
    await expectBad("empty.json", "", /JSON/);
    const doc = JSON.parse(text);
    await expectBad("dims.json", JSON.stringify({ ...doc, inputDim: D + 1 }), /layers\[0\]/);
    const w = doc.layers[1].weight as string;
    const flipped = { ...doc, layers: doc.layers.map((l: object, i: number) => (i === 1 ? { ...l, weight: (w[0] === "A" ? "B" : "A") + w.slice(1) } : l)) };
    await expectBad("flipped.json", JSON.stringify(flipped), /checksum/);
    const short = { ...doc, layers: doc.layers.map((l: object, i: number) => (i === 2 ? { ...l, bias: "AAAA" } : l)) };
    await expectBad("short.json", JSON.stringify(short), /layers\[2\]\.bias/);
    await expectBad("activation.json", JSON.stringify({ ...doc, spec: { ...doc.spec, activation: "gelu" } }), /activation/);
    await expectBad("missing.json", null, /no such file/);
  });

  it("cachedHead trains and saves once, then loads; a mismatching or corrupt file is retrained", async () => {
    const path = join(dir, "cache", "head.json");
    const spec: HeadSpec = { kind: "linear", seed: 9, epochs: 5, batchSize: 64, learningRate: 1e-2 };
    let calls = 0;
    const trainIt = (s: HeadSpec) => async () => {
      calls++;
      return trainHead(train.x, train.y, s, quiet);
    };
    const first = await cachedHead(path, trainIt(spec), { spec, inputDim: D });
    expect(calls).toBe(1);
    const second = await cachedHead(path, trainIt(spec), { spec, inputDim: D });
    expect(calls).toBe(1);
    expect(second.predictLogits(test.x).data).toEqual(first.predictLogits(test.x).data);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const other = { ...spec, seed: 10 };
      await cachedHead(path, trainIt(other), { spec: other });
      expect(calls).toBe(2);
      writeFileSync(path, readFileSync(path, "utf8").slice(0, 100));
      await cachedHead(path, trainIt(spec), { spec });
      expect(calls).toBe(3);
      expect(warn).toHaveBeenCalledTimes(2);
      expect((await loadHead(path)).predictLogits(test.x).data).toEqual(first.predictLogits(test.x).data);
    } finally {
      warn.mockRestore();
    }
  });
});

describe("input validation", () => {
  it("rejects a dimension mismatch at prediction with ShapeMismatchError naming x", () => {
    const wide = new Matrix(3, D + 1);
    for (const f of [() => relu.predictLogits(wide), () => relu.predict(wide), () => relu.accuracy(wide, [0, 1, 2])]) {
      expect(f).toThrow(ShapeMismatchError);
      try {
        f();
      } catch (e) {
        expect((e as ShapeMismatchError).argument).toBe("x");
      }
    }
  });

  it("rejects NaN / ±Infinity rows with NonFiniteError at training and prediction", async () => {
    const bad = train.x.clone();
    bad.set(17, 4, NaN);
    const err = await trainHead(bad, train.y, { kind: "linear", seed: 0 }, quiet).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteError);
    expect(err).toMatchObject({ argument: "x", row: 17, col: 4 });
    const inf = test.x.clone();
    inf.set(3, 0, -Infinity);
    expect(() => relu.predict(inf)).toThrow(NonFiniteError);
  });

  it("rejects bad labels with typed errors naming labels", async () => {
    const t = (labels: ArrayLike<number>, spec: Partial<HeadSpec> = {}) =>
      trainHead(train.x, labels, { kind: "linear", seed: 0, epochs: 1, ...spec }, quiet).then(() => undefined, (e: unknown) => e);
    const frac = Array.from(train.y) as number[];
    frac[5] = 1.5;
    expect(await t(frac)).toMatchObject({ name: "InvalidParameterError", argument: "labels" });
    const neg = Array.from(train.y) as number[];
    neg[0] = -1;
    expect(await t(neg)).toMatchObject({ name: "InvalidParameterError", argument: "labels" });
    expect(await t(train.y.slice(1))).toMatchObject({ name: "ShapeMismatchError", argument: "labels" });
    expect(await t(train.y, { numClasses: 2 })).toMatchObject({ name: "InvalidParameterError", argument: "labels" });
    expect(await t(new Int32Array(N_TRAIN))).toMatchObject({ name: "InvalidParameterError", argument: "labels" });
    expect(() => relu.accuracy(test.x, test.y.map((v) => (v === 0 ? K : v)))).toThrow(InvalidParameterError);
    expect(() => relu.accuracy(test.x, test.y.slice(1))).toThrow(ShapeMismatchError);
  });

  it("rejects invalid specs, naming the field", async () => {
    const t = (spec: unknown) => trainHead(train.x, train.y, spec as HeadSpec, quiet).then(() => undefined, (e: unknown) => e);
    expect(await t({ kind: "mlp", activation: "sigmoid", seed: 0 })).toMatchObject({ name: "InvalidParameterError", argument: "spec.activation" });
    expect(await t({ kind: "linear", hidden: [8], seed: 0 })).toMatchObject({ argument: "spec.hidden" });
    expect(await t({ kind: "mlp", hidden: [0], seed: 0 })).toMatchObject({ argument: "spec.hidden" });
    expect(await t({ kind: "mlp", seed: 0.5 })).toMatchObject({ argument: "spec.seed" });
    expect(await t({ kind: "mlp", seed: 0, learningRate: -1 })).toMatchObject({ argument: "spec.learningRate" });
    expect(await t({ kind: "cnn", seed: 0 })).toMatchObject({ argument: "spec.kind" });
    const vErr = await trainHead(train.x, train.y, { kind: "linear", seed: 0, epochs: 1 }, { ...quiet, validation: { x: new Matrix(2, 3), labels: [0, 1] } })
      .then(() => undefined, (e: unknown) => e);
    expect(vErr).toMatchObject({ name: "ShapeMismatchError", argument: "validation.x" });
  });
});
