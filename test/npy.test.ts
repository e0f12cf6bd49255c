import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { FileFormatError, FileSystemError, FileTooLargeError, InvalidParameterError, LatentBridgeError } from "../src/errors";
import { Matrix } from "../src/linalg/matrix";
import {
  type NpyArray,
  type NpyData,
  NPY_READ_LIMIT,
  parseNpy,
  readNpy,
  readNpyMatrix,
  serializeNpy,
  writeNpy,
  writeNpyMatrix,
} from "../src/io/npy";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "npy");

interface Expected {
  shape: number[];
  dtype: NpyArray["dtype"];
  values: string[];
}
const expected: Record<string, Expected> = JSON.parse(readFileSync(join(FIXTURES, "expected.json"), "utf8"));

const PY = "/usr/bin/python3";
const hasNumpy = existsSync(PY) && spawnSync(PY, ["-c", "import numpy"], { stdio: "ignore" }).status === 0;

/** Parses a Python repr() of a float ("nan", "inf", "-0.0", "1e+300" …). */
function pyFloat(s: string): number {
  if (s === "nan") return NaN;
  if (s === "inf") return Infinity;
  if (s === "-inf") return -Infinity;
  return Number(s);
}

function float64Bits(x: number): bigint {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x, true);
  return v.getBigUint64(0, true);
}

function bytesOf(data: NpyData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function withTmpDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "latent-bridge-npy-"));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Builds .npy bytes from a raw header string (no padding added) and raw data bytes. */
function makeNpy(header: string, data: Uint8Array = new Uint8Array(0), major = 1): Uint8Array {
  const head = new TextEncoder().encode(header);
  const lenBytes = major === 1 ? 2 : 4;
  const out = new Uint8Array(8 + lenBytes + head.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const view = new DataView(out.buffer);
  if (lenBytes === 2) view.setUint16(8, head.length, true);
  else view.setUint32(8, head.length, true);
  out.set(head, 8 + lenBytes);
  out.set(data, 8 + lenBytes + head.length);
  return out;
}

function expectError(fn: () => unknown, type: new (...a: never[]) => LatentBridgeError, pattern: RegExp): LatentBridgeError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(type);
  expect((caught as Error).message).toMatch(pattern);
  return caught as LatentBridgeError;
}

function expectFileFormatError(fn: () => unknown, pattern: RegExp): FileFormatError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(FileFormatError);
  expect((caught as Error).message).toMatch(pattern);
  return caught as FileFormatError;
}

describe("reading numpy-written fixtures", () => {
  for (const [file, exp] of Object.entries(expected)) {
    it(`reads ${file} bit-exactly`, () => {
      const arr = readNpy(join(FIXTURES, file));
      expect(arr.shape).toEqual(exp.shape);
      expect(arr.dtype).toBe(exp.dtype);
      expect(arr.fortranOrder).toBe(false);
      expect(arr.data.length).toBe(exp.values.length);
      const ctor = { float32: Float32Array, float64: Float64Array, int32: Int32Array, int64: BigInt64Array }[exp.dtype];
      expect(arr.data).toBeInstanceOf(ctor);
      for (let i = 0; i < exp.values.length; i++) {
        if (arr.data instanceof BigInt64Array) {
          expect(arr.data[i]).toBe(BigInt(exp.values[i]));
        } else if (arr.data instanceof Int32Array) {
          expect(arr.data[i]).toBe(Number(exp.values[i]));
        } else {
          // float32 values widen exactly to float64, so compare float64 bit patterns.
          expect(float64Bits(arr.data[i])).toBe(float64Bits(pyFloat(exp.values[i])));
        }
      }
    });
  }

  it("covers format versions 1.0, 2.0 and 3.0", () => {
    const versions = ["f8_3x2.npy", "f8_v2.npy", "f8_v3.npy"].map((f) => readFileSync(join(FIXTURES, f))[6]);
    expect(versions).toEqual([1, 2, 3]);
  });

  it("re-serialises version-1.0 fixtures byte-for-byte like numpy", () => {
    for (const file of ["f4_2x3.npy", "f8_3x2.npy", "i4_4.npy", "i8_2x2.npy"]) {
      const bytes = new Uint8Array(readFileSync(join(FIXTURES, file)));
      expect(serializeNpy(parseNpy(bytes, file))).toEqual(bytes);
    }
  });

  it("rejects the Fortran-ordered fixture with the reason", () => {
    const err = expectFileFormatError(
      () => readNpy(join(FIXTURES, "f8_fortran.npy")),
      /Fortran-ordered arrays are not supported; save with np\.ascontiguousarray/,
    );
    expect(err.argument).toBe(join(FIXTURES, "f8_fortran.npy"));
  });

  it("rejects the big-endian fixture naming the dtype", () => {
    expectFileFormatError(() => readNpy(join(FIXTURES, "f8_bigendian.npy")), /big-endian dtype '>f8'/);
  });

  it("readNpyMatrix converts 2-D fixtures to float64 matrices", () => {
    const m = readNpyMatrix(join(FIXTURES, "f8_3x2.npy"));
    expect(m.shape).toEqual([3, 2]);
    expect(Array.from(m.data, float64Bits)).toEqual(expected["f8_3x2.npy"].values.map((s) => float64Bits(pyFloat(s))));
    const f = readNpyMatrix(join(FIXTURES, "f4_2x3.npy"));
    expect(f.shape).toEqual([2, 3]);
    expect(Array.from(f.data, float64Bits)).toEqual(expected["f4_2x3.npy"].values.map((s) => float64Bits(pyFloat(s))));
  });

  it("readNpyMatrix rejects a 1-D array, suggesting a reshape", () => {
    expectFileFormatError(() => readNpyMatrix(join(FIXTURES, "i4_4.npy"), "embeddings"), /2-D.*\(4,\).*reshape/);
  });

  it("readNpyMatrix rejects int64 values beyond 2^53", () => {
    expectFileFormatError(() => readNpyMatrix(join(FIXTURES, "i8_2x2.npy")), /exceeds 2\^53/);
  });

  it("readNpy on a missing file names the path (issue 13 item 8: a FileSystemError, not a FileFormatError)", () => {
    const path = join(tmpdir(), "definitely-missing-dir-xyz", "nope.npy");
    const err = expectError(() => readNpy(path), FileSystemError, /no such file/);
    expect(err).not.toBeInstanceOf(FileFormatError);
    expect(err.message).toContain(path);
    expect(err.argument).toBe(path);
    expect((err as FileSystemError).code).toBe("ENOENT");
    withTmpDir((dir) => {
      expect(expectError(() => readNpy(dir), FileSystemError, /is a directory/).argument).toBe(dir);
      writeFileSync(join(dir, "file"), "x");
      expect((expectError(() => readNpy(join(dir, "file", "a.npy")), FileSystemError, /not a directory/) as FileSystemError).code).toBe("ENOTDIR");
    });
  });
});

describe("issue 13 item 11: files over 2 GiB", () => {
  it("are refused up front with a FileTooLargeError giving the size, shape and dtype (a sparse 3 GB file)", () => {
    withTmpDir((dir) => {
      const path = join(dir, "big.npy");
      // 1,000,000 × 768 float32 = 3,072,000,000 data bytes: the header, then a hole (no disk used).
      const header = makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 768), }\n");
      writeFileSync(path, header);
      const size = header.length + 3_072_000_000;
      truncateSync(path, size);
      const t0 = performance.now();
      const err = expectError(() => readNpyMatrix(path), FileTooLargeError,
        new RegExp(`${size.toLocaleString("en-US")} bytes \\(shape \\(1000000, 768\\), float32\\).*2 GiB`));
      expect(performance.now() - t0).toBeLessThan(1000); // decided from the size, not by reading 3 GB
      expect((err as FileTooLargeError).size).toBe(size);
      expect((err as FileTooLargeError).limit).toBe(NPY_READ_LIMIT);
      expect(err.argument).toBe(path);
    });
  });
});

describe("round trips", () => {
  const shapes: number[][] = [[0, 3], [1, 1], [5, 7], [6], [0], []];
  const makers: Record<string, (n: number) => NpyData> = {
    float64: (n) => Float64Array.from({ length: n }, (_, i) => (i - 3.5) / 3),
    float32: (n) => Float32Array.from({ length: n }, (_, i) => (i - 3.5) / 3),
    int32: (n) => Int32Array.from({ length: n }, (_, i) => (i % 2 ? -1 : 1) * i * 1_000_003),
    int64: (n) => BigInt64Array.from({ length: n }, (_, i) => BigInt(i - 2) * 3_000_000_000_000_000n),
  };

  for (const [dtype, make] of Object.entries(makers)) {
    for (const shape of shapes) {
      it(`${dtype} shape (${shape.join(",")}) survives write → read`, () => {
        const n = shape.reduce((a, b) => a * b, 1);
        const data = make(n);
        withTmpDir((dir) => {
          const path = join(dir, "a.npy");
          writeNpy(path, { shape, data });
          const back = readNpy(path);
          expect(back.shape).toEqual(shape);
          expect(back.dtype).toBe(dtype);
          expect(bytesOf(back.data)).toEqual(bytesOf(data));
        });
      });
    }
  }

  it("preserves -0, NaN payloads and ±Infinity bit-exactly in float64", () => {
    const data = new Float64Array(6);
    const view = new DataView(data.buffer);
    data[0] = -0;
    data[1] = Infinity;
    data[2] = -Infinity;
    view.setBigUint64(3 * 8, 0x7ff8000000000001n, true); // quiet NaN with a payload
    view.setBigUint64(4 * 8, 0xfff0000000000abcn, true); // negative (signalling-pattern) NaN
    data[5] = Number.MIN_VALUE;
    const back = parseNpy(serializeNpy({ shape: [2, 3], data }));
    expect(bytesOf(back.data)).toEqual(bytesOf(data));
    expect(Object.is(back.data[0], -0)).toBe(true);
    withTmpDir((dir) => {
      const m = new Matrix(2, 3, data);
      writeNpyMatrix(join(dir, "m.npy"), m);
      const mm = readNpyMatrix(join(dir, "m.npy"));
      expect(bytesOf(mm.data)).toEqual(bytesOf(data));
    });
  });

  it("writeNpyMatrix float32 stores rounded values; int64 in range reads back as numbers", () => {
    withTmpDir((dir) => {
      const m = Matrix.from([[0.1, -2], [1 / 3, 2 ** 40]]);
      writeNpyMatrix(join(dir, "f4.npy"), m, "float32");
      const arr = readNpy(join(dir, "f4.npy"));
      expect(arr.dtype).toBe("float32");
      expect(readNpyMatrix(join(dir, "f4.npy")).toArrays()).toEqual(m.toArrays().map((r) => r.map(Math.fround)));

      writeNpy(join(dir, "i8.npy"), { shape: [1, 3], data: BigInt64Array.from([-(2n ** 53n), 0n, 2n ** 53n]) });
      expect(readNpyMatrix(join(dir, "i8.npy")).toArrays()).toEqual([[-(2 ** 53), 0, 2 ** 53]]);
    });
  });

  it("writeNpyMatrix rejects an unknown dtype", () => {
    expect(() => writeNpyMatrix("unused.npy", Matrix.zeros(1, 1), "int8" as "float32")).toThrow(InvalidParameterError);
  });
});

describe("written header", () => {
  it("is version 1.0, 64-byte aligned, space-padded and newline-terminated", () => {
    for (const shape of [[0, 3], [1, 1], [5, 7], [12345, 6], [0, 123456789], [7], []]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const bytes = serializeNpy({ shape, data: new Float64Array(n) });
      expect(bytes[6]).toBe(1);
      expect(bytes[7]).toBe(0);
      const headerLen = bytes[8] | (bytes[9] << 8);
      const dataOffset = 10 + headerLen;
      expect(dataOffset % 64).toBe(0);
      expect(bytes.length).toBe(dataOffset + n * 8);
      const header = new TextDecoder().decode(bytes.subarray(10, dataOffset));
      expect(header.endsWith("\n")).toBe(true);
      const shapeRepr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
      expect(header).toMatch(
        new RegExp(`^\\{'descr': '<f8', 'fortran_order': False, 'shape': ${shapeRepr.replace(/[()]/g, "\\$&")}, \\} *\\n$`),
      );
    }
  });

  it("switches to version 2.0 when the header does not fit in 65535 bytes", () => {
    const shape = new Array<number>(25_000).fill(1);
    const bytes = serializeNpy({ shape, data: new Float64Array([42]) });
    expect(bytes[6]).toBe(2);
    const headerLen = new DataView(bytes.buffer).getUint32(8, true);
    expect((12 + headerLen) % 64).toBe(0);
    const back = parseNpy(bytes);
    expect(back.shape).toEqual(shape);
    expect(Array.from(back.data as Float64Array)).toEqual([42]);
  });

  it.skipIf(!hasNumpy)("is read correctly by numpy", () => {
    withTmpDir((dir) => {
      const m = Matrix.from([
        [1 / 3, -2.5e-300, 1e300],
        [-0, Infinity, 5e-324],
      ]);
      const p64 = join(dir, "m64.npy");
      const p32 = join(dir, "m32.npy");
      writeNpyMatrix(p64, m);
      writeNpyMatrix(p32, m, "float32");
      const script = [
        "import json, sys, numpy as np",
        "out = {}",
        "for p in sys.argv[1:]:",
        "    a = np.load(p)",
        "    out[p] = {'shape': list(a.shape), 'dtype': a.dtype.str, 'c': bool(a.flags.c_contiguous),",
        "              'values': [repr(float(x)) for x in a.reshape(-1)]}",
        "print(json.dumps(out))",
      ].join("\n");
      const res = spawnSync(PY, ["-c", script, p64, p32], { encoding: "utf8" });
      expect(res.stderr).toBe("");
      expect(res.status).toBe(0);
      const out = JSON.parse(res.stdout);
      expect(out[p64]).toMatchObject({ shape: [2, 3], dtype: "<f8", c: true });
      expect(out[p64].values.map((s: string) => float64Bits(pyFloat(s)))).toEqual(Array.from(m.data, float64Bits));
      expect(out[p32]).toMatchObject({ shape: [2, 3], dtype: "<f4", c: true });
      expect(out[p32].values.map((s: string) => float64Bits(pyFloat(s)))).toEqual(
        Array.from(Float32Array.from(m.data), float64Bits),
      );
    });
  });
});

describe("malformed input", () => {
  const good = serializeNpy({ shape: [2, 2], data: Float64Array.from([1, 2, 3, 4]) });
  const f8 = (n: number) => new Uint8Array(new Float64Array(n).buffer);

  it("accepts a hand-built header (sanity check for the helpers below)", () => {
    const arr = parseNpy(makeNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,)}\n", f8(2)));
    expect(arr.shape).toEqual([2]);
  });

  it("bad magic", () => {
    const bytes = good.slice();
    bytes[1] = 0x4f;
    expectFileFormatError(() => parseNpy(bytes, "x.npy"), /magic/);
    expectFileFormatError(() => parseNpy(new Uint8Array(0)), /magic/);
  });

  it("unsupported format version", () => {
    const bytes = good.slice();
    bytes[6] = 4;
    expectFileFormatError(() => parseNpy(bytes), /version 4\.0/);
  });

  it("truncated header", () => {
    expectFileFormatError(() => parseNpy(good.subarray(0, 40)), /truncated header/);
    expectFileFormatError(() => parseNpy(good.subarray(0, 9)), /truncated header/);
  });

  it("truncated data names expected vs actual bytes", () => {
    expectFileFormatError(() => parseNpy(good.subarray(0, good.length - 5)), /truncated data.*32 bytes, got 27/);
  });

  it("trailing bytes after the data", () => {
    const bytes = new Uint8Array(good.length + 3);
    bytes.set(good);
    expectFileFormatError(() => parseNpy(bytes), /3 unexpected trailing bytes/);
  });

  it("unparsable header", () => {
    for (const header of [
      "{'descr': '<f8', 'fortran_order': False, 'shape': (2,}\n",
      "{'descr': '<f8' 'fortran_order': False, 'shape': (2,)}\n",
      "{'descr': '<f8', 'fortran_order': Flase, 'shape': (2,)}\n",
      "{'descr': '<f8, 'fortran_order': False, 'shape': (2,)}\n",
      "not a dict at all\n",
      "['descr', '<f8']\n",
    ]) {
      expectFileFormatError(() => parseNpy(makeNpy(header, f8(2))), /cannot parse header|expected a dict/);
    }
  });

  it("header with missing or extra keys, or a bad shape", () => {
    expectFileFormatError(
      () => parseNpy(makeNpy("{'descr': '<f8', 'shape': (2,)}\n", f8(2))),
      /exactly the keys/,
    );
    expectFileFormatError(
      () => parseNpy(makeNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': 1}\n", f8(2))),
      /exactly the keys/,
    );
    expectFileFormatError(
      () => parseNpy(makeNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (-2,)}\n", f8(2))),
      /shape/,
    );
    expectFileFormatError(
      () => parseNpy(makeNpy("{'descr': '<f8', 'fortran_order': False, 'shape': [2]}\n", f8(2))),
      /shape/,
    );
  });

  it("unsupported dtypes", () => {
    for (const descr of ["<U4", "|O", "<f2", "<c16", "|u1", "<i2"]) {
      const err = expectFileFormatError(
        () => parseNpy(makeNpy(`{'descr': '${descr}', 'fortran_order': False, 'shape': (2,)}\n`, f8(2))),
        /unsupported dtype/,
      );
      expect(err.message).toContain(descr);
    }
    // Issue 13 item 8: the message said "unsupported dtype a structured dtype".
    const structured = expectFileFormatError(
      () => parseNpy(makeNpy("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,)}\n", f8(2))),
      /unsupported structured dtype \[\('a', '<f8'\)\]; only plain/,
    );
    expect(structured.message).not.toMatch(/dtype a structured/);
  });

  it("'=f8' and '|f8' (native byte order, which numpy loads) are read as little-endian float64 (issue 13 item 8)", () => {
    for (const descr of ["=f8", "|f8", "=i4"]) {
      const data = descr.endsWith("f8") ? f8(2) : new Uint8Array(new Int32Array([7, -3]).buffer);
      const arr = parseNpy(makeNpy(`{'descr': '${descr}', 'fortran_order': False, 'shape': (2,)}\n`, data));
      expect(arr.dtype).toBe(descr.endsWith("f8") ? "float64" : "int32");
      expect(arr.data.length).toBe(2);
    }
  });

  it("a header nested thousands of levels deep is a FileFormatError, not a stack overflow", () => {
    const deep = "(".repeat(5000) + ")".repeat(5000);
    expectFileFormatError(
      () => parseNpy(makeNpy(`{'descr': '<f8', 'fortran_order': False, 'shape': ${deep}}\n`, f8(2))),
      /nesting deeper than 32 levels/,
    );
  });

  it("fortran_order True in a hand-built header", () => {
    expectFileFormatError(
      () => parseNpy(makeNpy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 1)}\n", f8(2))),
      /Fortran-ordered/,
    );
  });
});

describe("header parsing robustness", () => {
  it("accepts Python-2 style longs, double quotes, odd spacing, no trailing comma and 0-d shapes", () => {
    const a = parseNpy(makeNpy(`{ "descr" :"<i4","shape":( 2L ,3L ), "fortran_order" : False }\n`, new Uint8Array(24)));
    expect(a.shape).toEqual([2, 3]);
    expect(a.dtype).toBe("int32");
    const b = parseNpy(makeNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (), }\n", f64(7.5)));
    expect(b.shape).toEqual([]);
    expect(Array.from(b.data as Float64Array)).toEqual([7.5]);
  });

  it("handles unaligned data offsets by copying", () => {
    // Pad the header so the data starts at an offset ≡ 5 (mod 8).
    const header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,)}";
    const pad = (5 - ((10 + header.length + 1) % 8) + 8) % 8;
    const raw = makeNpy(header + " ".repeat(pad) + "\n", f64(1.25, -3));
    expect((10 + (raw[8] | (raw[9] << 8))) % 8).not.toBe(0);
    expect(Array.from(parseNpy(raw).data as Float64Array)).toEqual([1.25, -3]);
    // An aligned file placed at an odd byteOffset.
    const good = serializeNpy({ shape: [3], data: Float64Array.from([1, 2, 3]) });
    const buf = new Uint8Array(good.length + 1);
    buf.set(good, 1);
    expect(Array.from(parseNpy(buf.subarray(1)).data as Float64Array)).toEqual([1, 2, 3]);
  });

  it("decodes version 3.0 headers as utf-8 (and 1.0/2.0 as latin-1)", () => {
    const header = "{'descr': '<f8\u00e9', 'fortran_order': False, 'shape': (1,), }\n";
    expectFileFormatError(() => parseNpy(makeNpy(header, f64(2), 3)), /unsupported dtype '<f8\u00e9'/);
    expectFileFormatError(() => parseNpy(makeNpy(header, f64(2), 2)), /unsupported dtype '<f8\u00c3\u00a9'/);
    const bad = makeNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }  X\n", f64(2), 3);
    bad[bad.length - 8 - 2] = 0xff; // the 'X' becomes an invalid utf-8 byte
    expectFileFormatError(() => parseNpy(bad), /not valid UTF-8/);
    const ok = parseNpy(makeNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n", f64(2), 3));
    expect(Array.from(ok.data as Float64Array)).toEqual([2]);
  });
});

function f64(...values: number[]): Uint8Array {
  return new Uint8Array(Float64Array.from(values).buffer);
}

describe("atomic writes", () => {
  it("leaves no .tmp files behind and creates parent directories", () => {
    withTmpDir((dir) => {
      const path = join(dir, "nested", "deeper", "m.npy");
      writeNpyMatrix(path, Matrix.from([[1, 2], [3, 4]]));
      writeNpyMatrix(path, Matrix.from([[5, 6]])); // overwrite
      expect(readdirSync(dirname(path))).toEqual(["m.npy"]);
      expect(readNpyMatrix(path).toArrays()).toEqual([[5, 6]]);
    });
  });

  it("throws and leaves no temp file when the directory cannot be created", () => {
    withTmpDir((dir) => {
      writeFileSync(join(dir, "blocker"), "a regular file");
      expect(() => writeNpyMatrix(join(dir, "blocker", "sub", "m.npy"), Matrix.zeros(2, 2))).toThrow();
      expect(readdirSync(dir)).toEqual(["blocker"]);
    });
  });

  it("removes the temp file when the final rename fails", () => {
    withTmpDir((dir) => {
      mkdirSync(join(dir, "target.npy")); // a directory in the way: rename over it fails
      expect(() => writeNpyMatrix(join(dir, "target.npy"), Matrix.zeros(2, 2))).toThrow();
      expect(readdirSync(dir)).toEqual(["target.npy"]);
    });
  });
});
