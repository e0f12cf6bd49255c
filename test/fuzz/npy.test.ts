/**
 * Fuzz: the .npy reader (src/io/npy.ts) on random bytes, on valid files with mutated headers and
 * bodies (flipped bytes, truncation, junk appended, wrong lengths and versions), and on headers
 * built from a grammar of the Python literals NumPy writes (and many it does not). Each parse
 * returns a well-formed array (data length = product of the shape, a supported dtype) or throws a
 * FileFormatError; a valid file round-trips exactly.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FileFormatError } from "../../src/errors";
import { npyToMatrix, parseNpy, serializeNpy, type NpyData } from "../../src/io/npy";
import { FUZZ_RUNS, params, timeoutFor } from "./arbitraries";

function expectWellFormedOrFormatError(bytes: Uint8Array): void {
  let arr: ReturnType<typeof parseNpy>;
  try {
    arr = parseNpy(bytes, "fuzz.npy");
  } catch (e) {
    if (!(e instanceof FileFormatError)) throw e;
    expect(e.argument).toBe("fuzz.npy");
    return;
  }
  expect(["float32", "float64", "int32", "int64"]).toContain(arr.dtype);
  expect(arr.shape.every((d) => Number.isSafeInteger(d) && d >= 0)).toBe(true);
  expect(arr.data.length).toBe(arr.shape.reduce((a, b) => a * b, 1));
  try {
    const m = npyToMatrix(arr, "fuzz.npy");
    expect(m.rows * m.cols).toBe(arr.data.length);
  } catch (e) {
    if (!(e instanceof FileFormatError)) throw e;
  }
}

const arbArray = fc.record({
  shape: fc.oneof(fc.constant([] as number[]), fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 3 })),
  dtype: fc.constantFrom("float32", "float64", "int32", "int64"),
  seed: fc.nat(),
}).map(({ shape, dtype, seed }) => {
  const n = shape.reduce((a: number, b: number) => a * b, 1);
  let x = seed;
  const next = () => ((x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32) * 200 - 100;
  const data: NpyData = dtype === "float32" ? Float32Array.from({ length: n }, next)
    : dtype === "float64" ? Float64Array.from({ length: n }, next)
      : dtype === "int32" ? Int32Array.from({ length: n }, () => Math.round(next()))
        : BigInt64Array.from({ length: n }, () => BigInt(Math.round(next())));
  return { shape, data };
});

type Mutation =
  | { kind: "flip"; at: number; value: number }
  | { kind: "truncate"; at: number }
  | { kind: "append"; bytes: number[] }
  | { kind: "headerLength"; value: number }
  | { kind: "version"; major: number; minor: number };

const arbMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("append" as const), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant("headerLength" as const), value: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constantFrom(0xffff, 0xffffffff, 2 ** 31)) }),
  fc.record({ kind: fc.constant("version" as const), major: fc.integer({ min: 0, max: 5 }), minor: fc.integer({ min: 0, max: 2 }) }),
);

function mutate(bytes: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = bytes.slice();
  for (const m of ms) {
    if (b.length === 0) break;
    switch (m.kind) {
      case "flip":
        b[m.at % b.length] = m.value;
        break;
      case "truncate":
        b = b.slice(0, m.at % b.length);
        break;
      case "append": {
        const c = new Uint8Array(b.length + m.bytes.length);
        c.set(b);
        c.set(m.bytes, b.length);
        b = c;
        break;
      }
      case "headerLength":
        if (b.length >= 12) new DataView(b.buffer).setUint32(8, m.value >>> 0, true);
        else if (b.length >= 10) new DataView(b.buffer).setUint16(8, m.value & 0xffff, true);
        break;
      case "version":
        if (b.length >= 8) [b[6], b[7]] = [m.major, m.minor];
        break;
    }
  }
  return b;
}

/** A grammar of header texts: right keys and plausible values, wrong ones, and syntax noise. */
const pyValue: fc.Arbitrary<string> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom("'<f8'", "'<f4'", "'=f8'", "'|f8'", "'>f8'", "'<i4'", "'<i8'", "'<f2'", "'|O'", "'<U4'", "'|u1'", "'f8'", "''", "'<f8"),
    fc.constantFrom("True", "False", "None", "true", "0", "-1", "1L", "99999999999999999999", "1.5", "abc"),
    fc.array(fc.oneof(fc.integer({ min: -2, max: 6 }), fc.constantFrom(2 ** 31, 2 ** 53, 1e6)), { maxLength: 4 }).map((ds) => `(${ds.join(", ")}${ds.length === 1 ? "," : ""})`),
    fc.array(tie("value"), { maxLength: 3 }).map((vs) => `[${vs.join(", ")}]`),
    fc.array(tie("value"), { maxLength: 3 }).map((vs) => `(${vs.join(", ")})`),
    fc.array(fc.tuple(fc.constantFrom("'a'", "'b'", "'descr'"), tie("value")), { maxLength: 2 }).map((kv) => `{${kv.map(([k, v]) => `${k}: ${v}`).join(", ")}}`),
  ),
})).value;

const arbHeader = fc.record({
  keys: fc.subarray(["descr", "fortran_order", "shape", "extra"], { minLength: 0 }),
  values: fc.array(pyValue, { minLength: 4, maxLength: 4 }),
  good: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  trailingComma: fc.boolean(),
  noise: fc.option(fc.constantFrom("\\", "'", "\"", ":", ",", "{", "}", "(", ")", "\n", "\u00e9", "\ud800", " ".repeat(70000)), { nil: undefined }),
  major: fc.constantFrom(1, 2, 3),
  data: fc.uint8Array({ maxLength: 64 }),
}).map(({ keys, values, good, trailingComma, noise, major, data }) => {
  const goodValue: Record<string, string> = { descr: "'<f8'", fortran_order: "False", shape: "(2, 2)", extra: "1" };
  const entries = keys.map((k, i) => `'${k}': ${good[i] ? goodValue[k] : values[i]}`);
  let text = `{${entries.join(", ")}${trailingComma ? ", " : ""}}`;
  if (noise !== undefined) text = text.slice(0, text.length >> 1) + noise + text.slice(text.length >> 1);
  const head = new TextEncoder().encode(text + "\n");
  const lenBytes = major === 1 ? 2 : 4;
  const out = new Uint8Array(8 + lenBytes + head.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const view = new DataView(out.buffer);
  if (lenBytes === 2) view.setUint16(8, Math.min(head.length, 0xffff), true);
  else view.setUint32(8, head.length, true);
  out.set(head, 8 + lenBytes);
  out.set(data, 8 + lenBytes + head.length);
  return out;
});

describe("fuzz: .npy reader", () => {
  it("valid files round-trip exactly", () => {
    fc.assert(fc.property(arbArray, (a) => {
      const back = parseNpy(serializeNpy(a));
      expect(back.shape).toEqual(a.shape);
      expect(Array.from(back.data as ArrayLike<number | bigint>)).toEqual(Array.from(a.data as ArrayLike<number | bigint>));
    }), params());
  });

  it("random bytes (with and without the magic): a well-formed array or a FileFormatError", () => {
    const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
    fc.assert(fc.property(fc.boolean(), fc.uint8Array({ maxLength: 200 }), (withMagic, body) => {
      const bytes = withMagic ? Uint8Array.from([...magic, ...body]) : body;
      expectWellFormedOrFormatError(bytes);
    }), params());
  });

  it("mutated valid files: a well-formed array or a FileFormatError", () => {
    fc.assert(fc.property(arbArray, fc.array(arbMutation, { minLength: 1, maxLength: 4 }), (a, ms) => {
      expectWellFormedOrFormatError(mutate(serializeNpy(a), ms));
    }), params());
  }, timeoutFor(FUZZ_RUNS, 5));

  it("grammar-built headers: a well-formed array or a FileFormatError", () => {
    fc.assert(fc.property(arbHeader, (bytes) => expectWellFormedOrFormatError(bytes)), params());
  }, timeoutFor(FUZZ_RUNS, 5));
});
