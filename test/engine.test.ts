import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { InvalidParameterError, ShapeMismatchError } from "../src/errors";
import { Matrix } from "../src/linalg/matrix";
import { matmul } from "../src/linalg/product";
import { Random } from "../src/linalg/random";
import {
  engineInfo, getTf, loadedTf, matmulFloat32, matmulFloat32Sync, matmulMatrixFloat32, setBatchMatMulFix, type Tf,
} from "../src/engine/tf";

let tf: Tf;
beforeAll(async () => {
  ({ tf } = await getTf());
});
afterEach(() => setBatchMatMulFix(true));

function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const rng = new Random(seed);
  const m = new Matrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.normal();
  return m;
}

function relErr(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < x.length; i++) {
    num += (x[i] - y[i]) ** 2;
    den += y[i] ** 2;
  }
  return Math.sqrt(num / den);
}

describe("getTf / engineInfo", () => {
  it("selects the wasm backend with SIMD and the transposed-matmul fix, once", async () => {
    const h1 = await getTf();
    const h2 = await getTf();
    expect(h1.tf).toBe(h2.tf);
    expect(h1.backend).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(loadedTf()).toBe(tf);
    const info = await engineInfo();
    expect(info.backend).toBe("wasm");
    expect(info.simd).toBe(true);
    expect(info.batchMatMulFix).toBe(true);
    expect(info.wasmDir).toMatch(/tfjs-backend-wasm[\\/]dist[\\/]$/);
    // In this repository @tensorflow/tfjs-node is an npm alias of plain tfjs: it must not be taken as native.
    expect(info.nativeBinding).not.toBe("native");
    expect(info.description).toContain("wasm");
    expect(tf.env().getBool("PROD")).toBe(true);
    setBatchMatMulFix(false);
    expect((await engineInfo()).batchMatMulFix).toBe(false);
  });
});

describe("transposed BatchMatMul", () => {
  const cases = [
    { tA: true, tB: false },
    { tA: false, tB: true },
    { tA: true, tB: true },
  ];
  for (const { tA, tB } of cases) {
    it(`transposeA=${tA} transposeB=${tB} equals the plain product of explicitly transposed inputs`, () => {
      for (const fix of [true, false]) {
        setBatchMatMulFix(fix);
        const [m, k, n] = [37, 53, 29];
        const a = tf.randomNormal(tA ? [k, m] : [m, k], 0, 1, "float32", 11);
        const b = tf.randomNormal(tB ? [n, k] : [k, n], 0, 1, "float32", 12);
        const got = tf.matMul(a, b, tA, tB);
        const want = tf.matMul(tA ? tf.transpose(a) : a, tB ? tf.transpose(b) : b);
        expect(got.shape).toEqual([m, n]);
        expect(relErr(got.dataSync(), want.dataSync())).toBeLessThan(1e-5);
        tf.dispose([a, b, got, want]);
      }
    });
  }

  it("handles batched (rank-3) operands with broadcasting", () => {
    const a = tf.randomNormal([3, 8, 5], 0, 1, "float32", 21); // transposeA → 3×5×8
    const b = tf.randomNormal([1, 6, 8], 0, 1, "float32", 22); // transposeB → 1×8×6
    const got = tf.matMul(a, b, true, true);
    const want = tf.matMul(tf.transpose(a, [0, 2, 1]), tf.transpose(b, [0, 2, 1]));
    expect(got.shape).toEqual([3, 5, 6]);
    expect(relErr(got.dataSync(), want.dataSync())).toBeLessThan(1e-5);
    const fused = tf.fused.matMul({ a, b, transposeA: true, transposeB: true, activation: "relu" });
    const fusedWant = tf.relu(want);
    expect(relErr(fused.dataSync(), fusedWant.dataSync())).toBeLessThan(1e-5);
    tf.dispose([a, b, got, want, fused, fusedWant]);
  });

  it("fused matMul with transposes, bias and activation equals the unfused ops (rank 2)", () => {
    // (Rank-3 fused matMul *with a bias* is wrong on tfjs-backend-wasm 4.22 with or without the fix,
    // relative error ~0.5: the wasm kernel mis-broadcasts the bias over batches. Not covered here.)
    const a = tf.randomNormal([8, 5], 0, 1, "float32", 24);
    const b = tf.randomNormal([6, 8], 0, 1, "float32", 25);
    const bias = tf.randomNormal([6], 0, 1, "float32", 26);
    const fused = tf.fused.matMul({ a, b, transposeA: true, transposeB: true, bias, activation: "relu" });
    const want = tf.relu(tf.add(tf.matMul(tf.transpose(a), tf.transpose(b)), bias));
    expect(relErr(fused.dataSync(), want.dataSync())).toBeLessThan(1e-5);
    tf.dispose([a, b, bias, fused, want]);
  });

  it("does not leak tensors or wasm buffers", () => {
    const a = tf.randomNormal([16, 12], 0, 1, "float32", 31);
    const b = tf.randomNormal([10, 12], 0, 1, "float32", 32);
    tf.matMul(a, b, false, true).dispose(); // warm-up
    const before = tf.memory();
    for (let i = 0; i < 5; i++) tf.matMul(a, b, false, true).dispose();
    for (let i = 0; i < 5; i++) tf.matMul(a, a, true, false).dispose();
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
    tf.dispose([a, b]);
  });
});

describe("training determinism with and without the fix", () => {
  async function trainLosses(fix: boolean): Promise<number[]> {
    setBatchMatMulFix(fix);
    const x = tf.randomNormal([64, 12], 0, 1, "float32", 41);
    const y = tf.randomNormal([64, 3], 0, 1, "float32", 42);
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [12], units: 16, activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    model.compile({ optimizer: tf.train.sgd(0.05), loss: "meanSquaredError" });
    const h = await model.fit(x, y, { epochs: 5, batchSize: 16, shuffle: false, verbose: 0 });
    model.dispose();
    tf.dispose([x, y]);
    return h.history.loss as number[];
  }

  it("a small dense network trained a few steps gives the same losses", async () => {
    const on1 = await trainLosses(true);
    const on2 = await trainLosses(true);
    const off = await trainLosses(false);
    expect(on1).toEqual(on2); // deterministic with fixed seeds
    expect(on1.length).toBe(5);
    expect(on1[4]).toBeLessThan(on1[0]); // it does learn
    for (let i = 0; i < on1.length; i++) expect(Math.abs(on1[i] - off[i]) / off[i]).toBeLessThan(1e-5);
  });
});

describe("matmulFloat32", () => {
  it("agrees with the float64 matmul to float32 precision", async () => {
    const a = randomMatrix(300, 96, 1), b = randomMatrix(96, 96, 2);
    const want = matmul(a, b);
    const got = await matmulFloat32(a.data, a.rows, a.cols, b.data, b.cols);
    expect(got).toBeInstanceOf(Float64Array);
    expect(relErr(got, want.data)).toBeLessThan(1e-6);
    const gotM = await matmulMatrixFloat32(a, b);
    expect(gotM.shape).toEqual([300, 96]);
    expect(relErr(gotM.data, want.data)).toBeLessThan(1e-6);
    const gotSync = matmulFloat32Sync(Float32Array.from(a.data), a.rows, a.cols, b.data, b.cols);
    expect(relErr(gotSync, want.data)).toBeLessThan(1e-6);
  });

  it("handles non-square and empty shapes", async () => {
    const a = randomMatrix(7, 3, 3), b = randomMatrix(3, 5, 4);
    expect(relErr(await matmulFloat32(a.data, 7, 3, b.data, 5), matmul(a, b).data)).toBeLessThan(1e-6);
    expect(await matmulFloat32(new Float64Array(0), 0, 3, b.data, 5)).toEqual(new Float64Array(0));
    expect(await matmulFloat32(new Float64Array(0), 4, 0, new Float64Array(0), 2)).toEqual(new Float64Array(8));
  });

  it("rejects inconsistent shapes with typed errors", async () => {
    await expect(matmulFloat32(new Float64Array(5), 2, 3, new Float64Array(6), 2)).rejects.toBeInstanceOf(ShapeMismatchError);
    await expect(matmulFloat32(new Float64Array(6), 2, 3, new Float64Array(5), 2)).rejects.toMatchObject({ argument: "b" });
    await expect(matmulFloat32(new Float64Array(6), 2.5, 3, new Float64Array(6), 2)).rejects.toBeInstanceOf(InvalidParameterError);
    await expect(matmulMatrixFloat32(new Matrix(2, 3), new Matrix(2, 3))).rejects.toBeInstanceOf(ShapeMismatchError);
  });
});
