/**
 * Streaming a file through a fitted translator (src/translate/transformFile.ts): the output equals
 * `transform` of the whole matrix bit for bit — whatever the block size, for every method, on both
 * numeric kernels — errors name rows of the whole input and leave nothing behind, and memory stays
 * bounded on a file larger than the in-memory reader's 2 GiB limit.
 */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { InvalidParameterError, NonFiniteError, ShapeMismatchError, ZeroNormError } from "../src/errors";
import { npyHeaderBytes, readNpy, readNpyMatrix, writeNpyMatrix } from "../src/io/npy";
import { writeNpz } from "../src/io/npz";
import { Matrix } from "../src/linalg/matrix";
import { minRowsForSameKernel } from "../src/linalg/product";
import { resetKernels } from "../src/linalg/wasm/kernels";
import { createTranslator } from "../src/translate/createTranslator";
import type { InverseRelativeProjection } from "../src/translate/irp";
import { blockRowsFor, smallestProductWork, transformFile } from "../src/translate/transformFile";
import type { Translator } from "../src/translate/translator";
import { blasAvailable, randomMatrix, rotatedCopy } from "./helpers";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "latent-bridge-stream-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const tmp = (name: string) => join(dir, `${n++}-${name}`);

function bits(a: Float64Array | Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** A pair of related spaces: anchors and queries of dx and dy dimensions. */
function spaces(dx: number, dy: number, rows: number, seed: number) {
  const x = randomMatrix(200 + rows, dx, seed);
  const y = dy === dx ? rotatedCopy(x, dy, seed + 1).y : rotatedCopy(x, Math.max(dx, dy), seed + 1).y;
  const yCut = new Matrix(y.rows, dy);
  for (let i = 0; i < y.rows; i++) for (let j = 0; j < dy; j++) yCut.data[i * dy + j] = y.data[i * y.cols + j] + 0.01 * Math.sin(i + 3 * j);
  const top = (m: Matrix, k: number) => new Matrix(k, m.cols, m.data.slice(0, k * m.cols));
  const bottom = (m: Matrix, k: number) => new Matrix(m.rows - k, m.cols, m.data.slice(k * m.cols));
  return { ax: top(x, 200), ay: top(yCut, 200), x: bottom(x, 200) };
}

const METHODS: Array<[string, Record<string, unknown>]> = [
  ["irp", { delta: 0.3, omega: 4 }], ["procrustes", {}], ["procrustes", { variant: "full" }], ["lstsq", {}], ["affine", {}],
];

/** max |a − b| / max |b|. */
function relativeDifference(a: Float64Array, b: Float64Array): number {
  let d = 0, m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / m;
}

describe("transformFile = transform, bit for bit (with the BLAS: to rounding)", () => {
  afterEach(() => {
    delete process.env.LATENT_BRIDGE_KERNELS;
    resetKernels();
  });

  // 300 → 5 is the case that tells: its products have more than 256 terms, so the TypeScript
  // kernel's edge rows and the WebAssembly kernel round differently (blocks below the kernel's
  // minimum would fail it); 3 → 2 has the largest minimum block.
  const cases = [["wasm", 24, 16], ["wasm", 3, 2], ["wasm", 300, 5], ["js", 3, 2], ["js", 300, 5], ["blas", 24, 16], ["blas", 300, 5]] as const;
  for (const [kernels, dx, dy] of cases) {
    it.skipIf(kernels === "blas" && !blasAvailable())(`every method, ${dx} → ${dy} dimensions, ${kernels} kernels, blocks of several sizes (the last one short)`, async () => {
      process.env.LATENT_BRIDGE_KERNELS = kernels;
      resetKernels();
      const { ax, ay, x } = spaces(dx, dy, 1_203, 7);
      const input = tmp("x.npy");
      writeNpyMatrix(input, x);
      for (const [method, options] of METHODS) {
        const t: Translator = createTranslator(method, options).fit(ax, ay);
        const whole = t.transform(x);
        for (const blockRows of [1, 64, 5000]) {
          const out = tmp("y.npy");
          const r = await transformFile(t, input, out, { blockRows });
          const y = readNpyMatrix(out);
          expect(y.shape, method).toEqual([x.rows, dy]);
          // The BLAS's rounding depends on a block's row count (OpenBLAS's edge kernels): the same to rounding.
          if (kernels === "blas") expect(relativeDifference(y.data, whole.data), `${method} blocks of ${blockRows}`).toBeLessThan(1e-13);
          else expect(bits(y.data), `${method} blocks of ${blockRows} (${r.blocks} blocks)`).toEqual(bits(whole.data));
        }
      }
    });
  }

  it("precision float32 (irp): blocks give the whole float32 transform bit for bit; other methods refuse it", async () => {
    const { ax, ay, x } = spaces(300, 5, 1_203, 9);
    const input = tmp("x.npy");
    writeNpyMatrix(input, x);
    const irp = createTranslator("irp", { delta: 0.3, omega: 4 }).fit(ax, ay) as InverseRelativeProjection;
    const whole = irp.transform(x, { precision: "float32" });
    expect(bits(whole.data)).not.toEqual(bits(irp.transform(x).data)); // the float32 path ran
    for (const blockRows of [1, 64, 5000]) {
      const out = tmp("y.npy");
      const r = await transformFile(irp, input, out, { blockRows, precision: "float32" });
      expect(r.precision).toBe("float32");
      expect(bits(readNpyMatrix(out).data), `blocks of ${blockRows}`).toEqual(bits(whole.data));
    }
    const procrustes = createTranslator("procrustes").fit(ax, ay);
    const out = tmp("refused.npy");
    await expect(transformFile(procrustes, input, out, { precision: "float32" })).rejects.toThrow(/precision.*irp only/);
    await expect(transformFile(irp, input, out, { precision: "half" as never })).rejects.toThrow(InvalidParameterError);
    expect(existsSync(out)).toBe(false);
  });

  it("blocks never go below the kernel's minimum for the translator's smallest product, and are multiples of 4", () => {
    const { ax, ay } = spaces(3, 2, 10, 1);
    const lstsq = createTranslator("lstsq").fit(ax, ay);
    expect(smallestProductWork(lstsq)).toBe(6);
    expect(minRowsForSameKernel(6)).toBe(5464); // ⌈32768 / 6⌉ = 5462, rounded up to a multiple of 4
    expect(blockRowsFor(lstsq, 5)).toEqual({ rows: 5464, minimum: 5464 });
    const wide = spaces(300, 5, 10, 2);
    const t = createTranslator("procrustes").fit(wide.ax, wide.ay);
    const { rows } = blockRowsFor(t);
    expect(rows % 4).toBe(0);
    expect(rows * 300 * 8).toBeLessThanOrEqual(8 * 1024 * 1024);
    expect(blockRowsFor(createTranslator("absolute").fit(ax, ax), 1).rows).toBe(4);
  });
});

describe("output dtype", () => {
  const { ax, ay, x } = spaces(8, 6, 300, 3);
  const t = createTranslator("irp", { delta: 0.2 }).fit(ax, ay);

  it("float32 input gives float32 output (the float64 result rounded once), float64 input float64; --dtype overrides", async () => {
    const in32 = tmp("x32.npy");
    writeNpyMatrix(in32, x, "float32");
    const x32 = readNpyMatrix(in32);
    const out = tmp("y.npy");
    const r = await transformFile(t, in32, out);
    expect(r).toMatchObject({ inputDtype: "float32", dtype: "float32" });
    const y = readNpy(out);
    expect(y.dtype).toBe("float32");
    expect(bits(y.data as Float32Array)).toEqual(bits(Float32Array.from(t.transform(x32).data)));
    await transformFile(t, in32, out, { dtype: "float64" });
    expect(readNpy(out).dtype).toBe("float64");
    const in64 = tmp("x64.npy");
    writeNpyMatrix(in64, x);
    expect((await transformFile(t, in64, out)).dtype).toBe("float64");
  });

  it("a value beyond float32's range is a NonFiniteError (argument dtype) at its row of the whole input; nothing is written", async () => {
    const big = new Matrix(ay.rows, ay.cols, ay.data.map((v) => v * 1e39));
    const scaled = createTranslator("lstsq").fit(ax, big);
    const input = tmp("x.npy");
    writeNpyMatrix(input, x);
    const out = join(dir, "never", "y.npy");
    const err = await transformFile(scaled, input, out, { dtype: "float32", blockRows: 8 }).catch((e) => e);
    expect(err).toBeInstanceOf(NonFiniteError);
    expect(err.argument).toBe("dtype");
    expect(err.message).toMatch(/beyond the float32 range/);
    expect(existsSync(join(dir, "never"))).toBe(false);
  });
});

describe("errors name the row of the whole input and leave nothing behind", () => {
  const { ax, ay, x } = spaces(8, 6, 3_000, 4);
  const t = createTranslator("irp", { delta: 0.2 }).fit(ax, ay);

  it("NaN at row 2,345 of a file streamed in blocks of 100: NonFiniteError at row 2345", async () => {
    const bad = x.clone();
    bad.data[2345 * 8 + 3] = NaN;
    const input = tmp("nan.npy");
    writeNpyMatrix(input, bad);
    const outDir = tmp("out");
    const err = await transformFile(t, input, join(outDir, "y.npy"), { blockRows: 100 }).catch((e) => e);
    expect(err).toBeInstanceOf(NonFiniteError);
    expect([err.row, err.col]).toEqual([2345, 3]);
    expect(err.message).toMatch(/found NaN at row 2345, column 3/);
    expect(existsSync(outDir)).toBe(false);
  });

  it("a row at the source anchors' mean: ZeroNormError at its row", async () => {
    const bad = x.clone();
    bad.data.set((t as InverseRelativeProjection).sourceStats.mean, 1234 * 8);
    const input = tmp("mean.npy");
    writeNpyMatrix(input, bad);
    const err = await transformFile(t, input, tmp("y.npy"), { blockRows: 500 }).catch((e) => e);
    expect(err).toBeInstanceOf(ZeroNormError);
    expect(err.row).toBe(1234);
  });

  it("an input of the wrong width: ShapeMismatchError (argument x) before anything is written", async () => {
    const input = tmp("narrow.npy");
    writeNpyMatrix(input, randomMatrix(10, 7, 1));
    const out = tmp("y.npy");
    const err = await transformFile(t, input, out).catch((e) => e);
    expect(err).toBeInstanceOf(ShapeMismatchError);
    expect(err.message).toMatch(/^x: expected 8 columns \(the source dimension seen in fit\), got 10×7$/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith(".lb-tmp"))).toEqual([]);
  });

  it("an .npz member is streamed like a file (stored members in place)", async () => {
    const archive = tmp("x.npz");
    writeNpz(archive, { queries: { shape: [x.rows, x.cols], data: x.data }, other: { shape: [1], data: new Float64Array(1) } });
    const out = tmp("y.npy");
    await transformFile(t, `${archive}:queries`, out, { blockRows: 256 });
    expect(bits(readNpyMatrix(out).data)).toEqual(bits(t.transform(x).data));
  });
});

describe("bounded memory on a file beyond 2 GiB", () => {
  // A 2.2 GB float32 input (550,000 × 1,000) written sparse except for a few rows, translated to one
  // dimension, in a child process whose peak RSS is reported by the OS.
  it("a 2.2 GB float32 input streams with a peak RSS under 512 MB, and the rows come out right", () => {
    const rows = 550_000, cols = 1_000;
    const input = tmp("big.npy");
    const header = npyHeaderBytes("<f4", [rows, cols]);
    const fd = openSync(input, "w");
    writeSync(fd, header);
    const some = Float32Array.from({ length: cols }, (_, j) => Math.sin(j));
    for (const r of [0, 123_456, rows - 1]) writeSync(fd, new Uint8Array(some.buffer), 0, some.byteLength, header.length + r * cols * 4);
    closeSync(fd);
    const anchorsX = tmp("ax.npy"), anchorsY = tmp("ay.npy");
    const ax = randomMatrix(50, cols, 5);
    writeNpyMatrix(anchorsX, ax);
    writeNpyMatrix(anchorsY, new Matrix(50, 1, Float64Array.from({ length: 50 }, (_, i) => ax.data[i * cols] - 2 * ax.data[i * cols + 1])));
    const out = tmp("y.npy");
    const script = `
      import { readNpyMatrix } from "./src/io/npy";
      import { createTranslator } from "./src/translate/createTranslator";
      import { transformFile } from "./src/translate/transformFile";
      const t = createTranslator("lstsq").fit(readNpyMatrix(${JSON.stringify(anchorsX)}), readNpyMatrix(${JSON.stringify(anchorsY)}));
      const r = await transformFile(t, ${JSON.stringify(input)}, ${JSON.stringify(out)});
      console.log(JSON.stringify({ ...r, maxRssMB: process.resourceUsage().maxRSS / 1024 }));`;
    const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8", timeout: 300_000 });
    expect(child.stderr).toBe("");
    const r = JSON.parse(child.stdout);
    expect(r.rows).toBe(rows);
    expect(r.blocks).toBeGreaterThan(100);
    expect(r.maxRssMB).toBeLessThan(512);
    const y = readNpy(out);
    expect(y.shape).toEqual([rows, 1]);
    const w = createTranslator("lstsq").fit(readNpyMatrix(anchorsX), readNpyMatrix(anchorsY));
    const some64 = new Matrix(1, cols, Float64Array.from(some));
    expect((y.data as Float32Array)[123_456]).toBe(Math.fround(w.transform(some64).data[0]));
    expect((y.data as Float32Array)[1]).toBe(0);
    rmSync(input);
    rmSync(out);
  }, 300_000);
});
