/**
 * Reading and writing NumPy `.npy` files (format versions 1.0, 2.0 and 3.0), so embeddings computed
 * in Python can be used here and results sent back.
 *
 * Supported dtypes are little-endian float32, float64, int32 and int64 (`<f4 <f8 <i4 <i8`, also
 * written `=` or `|` for the native order, as NumPy reads them) in C (row-major) order. Everything else — big-endian data, Fortran order, object/string/structured
 * dtypes, float16 — is rejected with a FileFormatError that says why and what to do in NumPy.
 *
 * Format reference: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import {
  FileFormatError, FileSystemError, FileTooLargeError, InvalidParameterError, ShapeMismatchError,
} from "../errors";
import { writeFileAtomic, writeFileAtomicInterruptible, type InterruptibleWriteOptions } from "./atomicWrite";
import { Matrix } from "../linalg/matrix";

export type NpyDtype = "float32" | "float64" | "int32" | "int64";
export type NpyData = Float32Array | Float64Array | Int32Array | BigInt64Array;

export interface NpyArray {
  shape: number[];
  dtype: NpyDtype;
  /** Flat C-order (row-major) values. */
  data: NpyData;
  fortranOrder: false;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const ARRAY_ALIGN = 64;

const DTYPES: Record<string, { dtype: NpyDtype; size: number }> = {
  f4: { dtype: "float32", size: 4 },
  f8: { dtype: "float64", size: 8 },
  i4: { dtype: "int32", size: 4 },
  i8: { dtype: "int64", size: 8 },
};

export const DESCR: Record<NpyDtype, string> = { float32: "<f4", float64: "<f8", int32: "<i4", int64: "<i8" };

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------------------------------------
// Header dict parsing: a small parser for the Python literal subset NumPy writes
// (dicts, tuples, lists, strings, integers, True/False/None).
// ---------------------------------------------------------------------------------------------

type PyValue = string | number | boolean | null | PyTuple | PyValue[] | PyDict;
class PyTuple {
  constructor(readonly items: PyValue[]) {}
}
class PyDict {
  constructor(readonly entries: Map<string, PyValue>) {}
}

class HeaderSyntaxError extends Error {}

/** Deeper nesting than this is no NumPy header (they nest two levels): refused before the stack runs out. */
const MAX_HEADER_DEPTH = 32;

function parsePyLiteral(text: string): PyValue {
  let pos = 0;
  let depth = 0;

  const fail = (what: string): never => {
    throw new HeaderSyntaxError(`${what} at character ${pos}`);
  };
  const skipWs = (): void => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const expect = (ch: string): void => {
    skipWs();
    if (text[pos] !== ch) fail(`expected '${ch}'`);
    pos++;
  };

  const parseString = (): string => {
    const quote = text[pos++];
    let out = "";
    while (pos < text.length && text[pos] !== quote) {
      const ch = text[pos++];
      if (ch === "\\") {
        if (pos >= text.length) break;
        const esc = text[pos++];
        const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0" };
        if (esc in simple) out += simple[esc];
        else if (esc === "x" || esc === "u") {
          const len = esc === "x" ? 2 : 4;
          const hex = text.slice(pos, pos + len);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) fail("bad escape in string");
          out += String.fromCharCode(parseInt(hex, 16));
          pos += len;
        } else out += "\\" + esc;
      } else if (ch === "\n") {
        fail("unterminated string");
      } else {
        out += ch;
      }
    }
    if (pos >= text.length) fail("unterminated string");
    pos++; // closing quote
    return out;
  };

  const parseSequence = (close: string): PyValue[] => {
    const items: PyValue[] = [];
    skipWs();
    if (text[pos] === close) {
      pos++;
      return items;
    }
    for (;;) {
      items.push(parseValue());
      skipWs();
      if (text[pos] === ",") {
        pos++;
        skipWs();
        if (text[pos] === close) {
          pos++;
          return items;
        }
        continue;
      }
      if (text[pos] === close) {
        pos++;
        return items;
      }
      fail(`expected ',' or '${close}'`);
    }
  };

  const parseValue = (): PyValue => {
    if (++depth > MAX_HEADER_DEPTH) fail(`nesting deeper than ${MAX_HEADER_DEPTH} levels`);
    try {
      return parseValueAt();
    } finally {
      depth--;
    }
  };

  const parseValueAt = (): PyValue => {
    skipWs();
    const ch = text[pos];
    if (ch === undefined) return fail("unexpected end of header");
    if (ch === "'" || ch === '"') return parseString();
    if (ch === "{") {
      pos++;
      const entries = new Map<string, PyValue>();
      skipWs();
      if (text[pos] === "}") {
        pos++;
        return new PyDict(entries);
      }
      for (;;) {
        skipWs();
        if (text[pos] !== "'" && text[pos] !== '"') fail("expected a string key");
        const key = parseString();
        if (entries.has(key)) fail(`duplicate key '${key}'`);
        expect(":");
        entries.set(key, parseValue());
        skipWs();
        if (text[pos] === ",") {
          pos++;
          skipWs();
          if (text[pos] === "}") {
            pos++;
            return new PyDict(entries);
          }
          continue;
        }
        if (text[pos] === "}") {
          pos++;
          return new PyDict(entries);
        }
        fail("expected ',' or '}'");
      }
    }
    if (ch === "(") {
      pos++;
      const start = pos;
      const items = parseSequence(")");
      // "(x)" without a comma is just a parenthesised value, not a tuple.
      if (items.length === 1 && !/,\s*\)$/.test(text.slice(start, pos))) return items[0];
      return new PyTuple(items);
    }
    if (ch === "[") {
      pos++;
      return parseSequence("]");
    }
    const num = /^[+-]?\d+[lL]?/.exec(text.slice(pos));
    if (num) {
      pos += num[0].length;
      const digits = num[0].replace(/[lL]$/, "");
      const value = Number(digits);
      if (!Number.isSafeInteger(value)) fail(`integer ${digits} is too large`);
      return value;
    }
    const ident = /^[A-Za-z_]\w*/.exec(text.slice(pos));
    if (ident) {
      pos += ident[0].length;
      if (ident[0] === "True") return true;
      if (ident[0] === "False") return false;
      if (ident[0] === "None") return null;
      fail(`unexpected name '${ident[0]}'`);
    }
    return fail(`unexpected character '${ch}'`);
  };

  const value = parseValue();
  skipWs();
  if (pos !== text.length) fail("unexpected text after the dict");
  return value;
}

/** A header value as Python would print it (for messages about structured dtypes). */
function pyRepr(v: PyValue): string {
  if (typeof v === "string") return `'${v}'`;
  if (typeof v === "number") return String(v);
  if (typeof v === "boolean") return v ? "True" : "False";
  if (v === null) return "None";
  if (v instanceof PyTuple) return `(${v.items.map(pyRepr).join(", ")}${v.items.length === 1 ? "," : ""})`;
  if (v instanceof PyDict) return `{${[...v.entries].map(([k, x]) => `'${k}': ${pyRepr(x)}`).join(", ")}}`;
  return `[${v.map(pyRepr).join(", ")}]`;
}

function resolveDtype(descr: PyValue, name: string): { dtype: NpyDtype; size: number } {
  if (typeof descr !== "string") {
    const text = pyRepr(descr);
    throw new FileFormatError(
      name,
      `unsupported structured dtype ${text.length > 120 ? text.slice(0, 120) + "…" : text}; only plain <f4, <f8, <i4 and <i8 arrays are supported (in NumPy, save one field, or np.lib.recfunctions.structured_to_unstructured(a))`,
    );
  }
  const order = descr[0];
  const code = descr.slice(1);
  // '=' is the writer's native order, which NumPy reads as the reader's native order.
  const bigEndian = order === ">" || (order === "=" && !HOST_LITTLE_ENDIAN);
  if (bigEndian && code in DTYPES) {
    throw new FileFormatError(
      name,
      `big-endian dtype '${descr}' is not supported; convert with a.astype('<${code}') before saving`,
    );
  }
  if ((order === "<" || order === "|" || order === "=") && code in DTYPES) return DTYPES[code];
  throw new FileFormatError(
    name,
    `unsupported dtype '${descr}'; only little-endian <f4 (float32), <f8 (float64), <i4 (int32) and <i8 (int64) are supported`,
  );
}

function decodeLatin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, Math.min(i + 8192, bytes.length)));
  }
  return s;
}

export function formatShape(shape: number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/** What a `.npy` header says: the array's shape and dtype, and where its data starts. */
export interface NpyHeader {
  shape: number[];
  dtype: NpyDtype;
  /** Bytes per value. */
  itemSize: number;
  /** Offset of the data from the start of the file (the header's length). */
  dataOffset: number;
  /** Bytes the data must have: the product of the shape times itemSize. */
  dataBytes: number;
}

/**
 * Parses the header of a `.npy` file from its first bytes (at least up to the end of the header;
 * more is ignored). Every problem is a FileFormatError naming `name`, as in `parseNpy`.
 */
export function parseNpyHeader(bytes: Uint8Array, name = "npy"): NpyHeader {
  const { descr, shape, dataOffset } = parseHeaderDict(bytes, name);
  const { dtype, size } = resolveDtype(descr, name);
  let count = 1;
  for (const d of shape) count *= d;
  const nbytes = count * size;
  if (!Number.isSafeInteger(nbytes)) {
    throw new FileFormatError(name, `shape ${formatShape(shape)} is too large`);
  }
  return { shape: [...shape], dtype, itemSize: size, dataOffset, dataBytes: nbytes };
}

/**
 * The bytes of a 1-D uint8 `.npy` array (descr '|u1'): how a model file stores its JSON entry so that
 * numpy reads it without pickle (`bytes(np.load(f)["meta"])`). The general reader refuses uint8 (it
 * reads matrices of numbers); this is the one place that accepts it.
 */
export function parseNpyBytes(bytes: Uint8Array, name = "npy"): Uint8Array {
  const { descr, shape, dataOffset } = parseHeaderDict(bytes, name);
  if (typeof descr !== "string" || !/^[|<=]u1$/.test(descr) || shape.length !== 1) {
    throw new FileFormatError(name, `expected a 1-D uint8 array (descr '|u1'), got descr ${pyRepr(descr)} and shape ${formatShape(shape)}`);
  }
  const sizeError = dataSizeError({ shape, dtype: "uint8" as NpyDtype, itemSize: 1, dataOffset, dataBytes: shape[0] }, bytes.length - dataOffset, name);
  if (sizeError) throw sizeError;
  return bytes.subarray(dataOffset);
}

/** Magic, version, header length and dict of a `.npy` header (keys, shape and order checked; the dtype left to the caller). */
function parseHeaderDict(bytes: Uint8Array, name: string): { descr: PyValue; shape: number[]; dataOffset: number } {
  if (bytes.length < MAGIC.length || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new FileFormatError(name, "not a .npy file (missing the \\x93NUMPY magic string)");
  }
  if (bytes.length < 8) {
    throw new FileFormatError(name, `truncated header: file is only ${bytes.length} bytes long`);
  }
  const major = bytes[6];
  const minor = bytes[7];
  if (!((major === 1 || major === 2 || major === 3) && minor === 0)) {
    throw new FileFormatError(name, `unsupported .npy format version ${major}.${minor} (supported: 1.0, 2.0, 3.0)`);
  }
  const lenBytes = major === 1 ? 2 : 4;
  const prefixLen = 8 + lenBytes;
  if (bytes.length < prefixLen) {
    throw new FileFormatError(name, `truncated header: file is only ${bytes.length} bytes long`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataOffset = prefixLen + headerLen;
  if (bytes.length < dataOffset) {
    throw new FileFormatError(
      name,
      `truncated header: expected ${headerLen} header bytes, got ${bytes.length - prefixLen}`,
    );
  }
  const headerBytes = bytes.subarray(prefixLen, dataOffset);
  let header: string;
  if (major === 3) {
    try {
      header = new TextDecoder("utf-8", { fatal: true }).decode(headerBytes);
    } catch {
      throw new FileFormatError(name, "header is not valid UTF-8");
    }
  } else {
    header = decodeLatin1(headerBytes);
  }

  let dict: PyValue;
  try {
    dict = parsePyLiteral(header);
  } catch (e) {
    if (!(e instanceof HeaderSyntaxError)) throw e;
    throw new FileFormatError(name, `cannot parse header ${JSON.stringify(header.trim())}: ${e.message}`);
  }
  if (!(dict instanceof PyDict)) {
    throw new FileFormatError(name, `cannot parse header ${JSON.stringify(header.trim())}: expected a dict`);
  }
  const keys = [...dict.entries.keys()].sort();
  if (keys.join(",") !== "descr,fortran_order,shape") {
    throw new FileFormatError(
      name,
      `header must have exactly the keys 'descr', 'fortran_order' and 'shape', got ${keys.map((k) => `'${k}'`).join(", ") || "none"}`,
    );
  }
  const fortran = dict.entries.get("fortran_order");
  if (typeof fortran !== "boolean") {
    throw new FileFormatError(name, `header 'fortran_order' must be True or False`);
  }
  const rawShape = dict.entries.get("shape");
  if (!(rawShape instanceof PyTuple) || !rawShape.items.every((d) => typeof d === "number" && d >= 0)) {
    throw new FileFormatError(name, `header 'shape' must be a tuple of non-negative integers`);
  }
  const shape = rawShape.items as number[];
  if (fortran) {
    throw new FileFormatError(name, "Fortran-ordered arrays are not supported; save with np.ascontiguousarray");
  }
  return { descr: dict.entries.get("descr")!, shape, dataOffset };
}

/**
 * The error for a data section of `actual` bytes where the header asks for `header.dataBytes`
 * (truncated, or trailing bytes), or undefined when they agree.
 */
export function dataSizeError(header: NpyHeader, actual: number, name: string): FileFormatError | undefined {
  const { shape, dtype, dataBytes: nbytes } = header;
  if (actual < nbytes) {
    return new FileFormatError(
      name,
      `truncated data: shape ${formatShape(shape)} of ${dtype} needs ${nbytes} bytes, got ${actual}`,
    );
  }
  if (actual > nbytes) {
    return new FileFormatError(
      name,
      `${actual - nbytes} unexpected trailing bytes after the data (shape ${formatShape(shape)} of ${dtype} needs ${nbytes} bytes, got ${actual})`,
    );
  }
  return undefined;
}

/**
 * Parses the bytes of a `.npy` file. `name` (a path or argument name) is used in error messages.
 * When the data section is suitably aligned the returned `data` is a view into `bytes` (no copy);
 * otherwise it is copied into a fresh aligned buffer.
 */
export function parseNpy(bytes: Uint8Array, name = "npy"): NpyArray {
  const header = parseNpyHeader(bytes, name);
  const sizeError = dataSizeError(header, bytes.length - header.dataOffset, name);
  if (sizeError) throw sizeError;
  const { shape, dtype, itemSize, dataOffset, dataBytes } = header;
  return { shape, dtype, data: decodeData(bytes, dataOffset, dataBytes / itemSize, dtype, itemSize), fortranOrder: false };
}

function makeTyped(dtype: NpyDtype, buffer: ArrayBufferLike, offset: number, count: number): NpyData {
  switch (dtype) {
    case "float32":
      return new Float32Array(buffer, offset, count);
    case "float64":
      return new Float64Array(buffer, offset, count);
    case "int32":
      return new Int32Array(buffer, offset, count);
    case "int64":
      return new BigInt64Array(buffer, offset, count);
  }
}

/** `count` little-endian values of `dtype` at `dataOffset` of `bytes` (a view when aligned on a little-endian host). */
export function decodeData(bytes: Uint8Array, dataOffset: number, count: number, dtype: NpyDtype, size: number): NpyData {
  if (HOST_LITTLE_ENDIAN) {
    const start = bytes.byteOffset + dataOffset;
    if (start % size === 0) return makeTyped(dtype, bytes.buffer, start, count);
    const copy = bytes.slice(dataOffset, dataOffset + count * size); // fresh buffer, offset 0
    return makeTyped(dtype, copy.buffer, 0, count);
  }
  // Big-endian host: decode element by element.
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataOffset, count * size);
  switch (dtype) {
    case "float32": {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    }
    case "float64": {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    }
    case "int32": {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
      return out;
    }
    case "int64": {
      const out = new BigInt64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getBigInt64(i * 8, true);
      return out;
    }
  }
}

/**
 * The most a single read can return (Node's readFileSync limit, 2 GiB − 1 bytes). Larger files need
 * a streaming reader; until then they are refused up front, from their size alone.
 */
export const NPY_READ_LIMIT = 2 ** 31 - 1;

/** A read failure of the file system, as a FileSystemError naming `path` ("cannot read <what>: …"). */
function fileSystemError(path: string, e: unknown, what = ".npy file"): FileSystemError {
  const err = e as NodeJS.ErrnoException;
  const reason =
    err.code === "ENOENT"
      ? "no such file"
      : err.code === "EISDIR"
        ? "is a directory, not a file"
        : err.code === "EACCES" || err.code === "EPERM"
          ? "permission denied"
          : err.code === "ENOTDIR"
            ? "a parent of the path is not a directory"
            : (err.message ?? String(e));
  const wrapped = new FileSystemError(path, `cannot read ${what}: ${reason}`, err.code);
  wrapped.cause = e;
  return wrapped;
}

/**
 * Opens `path` for reading and hands its descriptor and size to `use`. A path that is missing,
 * unreadable or a directory — and any error of `use` but the file errors (FileFormatError,
 * FileSystemError, FileTooLargeError, which pass through) — is a FileSystemError naming the file
 * (`what`: ".npy file", ".npz file"). The descriptor is closed when anything throws, and on success
 * too unless `keepOpen` (the result then owns it: the .npz and row readers keep reading).
 */
export function useOpenFile<T>(path: string, what: string, keepOpen: boolean, use: (fd: number, size: number) => T): T {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw fileSystemError(path, e, what);
  }
  let ok = false;
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw fileSystemError(path, Object.assign(new Error("EISDIR"), { code: "EISDIR" }), what);
    const result = use(fd, stat.size);
    ok = true;
    return result;
  } catch (e) {
    if (e instanceof FileFormatError || e instanceof FileSystemError || e instanceof FileTooLargeError) throw e;
    throw fileSystemError(path, e, what);
  } finally {
    if (!ok || !keepOpen) closeSync(fd);
  }
}

function readFileOrThrow(path: string): Uint8Array {
  return useOpenFile(path, ".npy file", false, (fd, size) => {
    if (size > NPY_READ_LIMIT) throw tooLarge(path, fd, size);
    return readFileSync(fd);
  });
}

/** The error for a file beyond NPY_READ_LIMIT, with its shape and dtype when its header says them. */
function tooLarge(path: string, fd: number, size: number): FileTooLargeError {
  let what = "";
  try {
    const header = readNpyHeaderAt(fd, 0, path);
    what = ` (shape ${formatShape(header.shape)}, ${header.dtype})`;
  } catch {
    // no readable header: the size alone says enough
  }
  return new FileTooLargeError(
    path, size, NPY_READ_LIMIT,
    `the file is ${size.toLocaleString("en-US")} bytes${what}, more than this reader can load at once (2 GiB − 1 = ${NPY_READ_LIMIT.toLocaleString("en-US")} bytes); \`latent-bridge translate\` and \`apply\` stream inputs of any size (openRows and transformFile in the library); otherwise split the array into row blocks in NumPy (np.array_split)`,
  );
}

/** Headers longer than this are refused unread (NumPy's are a few hundred bytes; format 2.0 allows 4 GiB). */
const MAX_HEADER_BYTES = 1 << 20;

/**
 * Reads and parses the `.npy` header that starts at byte `position` of the open file `fd` (a file,
 * or an uncompressed member of an `.npz` archive). FileFormatErrors name `name`.
 */
export function readNpyHeaderAt(fd: number, position: number, name: string, available = Infinity): NpyHeader {
  const prefix = new Uint8Array(Math.min(12, available));
  const got = readSync(fd, prefix, 0, prefix.length, position);
  const major = prefix[6];
  const headerLen = got < 12 ? 0 : major === 1 ? prefix[8] | (prefix[9] << 8) : new DataView(prefix.buffer).getUint32(8, true);
  if (headerLen > MAX_HEADER_BYTES) {
    throw new FileFormatError(name, `header of ${headerLen} bytes; NumPy's headers are a few hundred bytes (at most ${MAX_HEADER_BYTES} are read)`);
  }
  const want = Math.min((major === 1 ? 10 : 12) + headerLen, available);
  const bytes = new Uint8Array(Math.max(got, want));
  // Only what was read: a file that ends inside its header is reported as truncated, as by parseNpy.
  return parseNpyHeader(bytes.subarray(0, readFully(fd, bytes, position)), name);
}

/** Reads into `into` from byte `position` of `fd` until it is full or the file ends; returns the bytes read. */
export function readFully(fd: number, into: Uint8Array, position: number): number {
  let done = 0;
  while (done < into.length) {
    const n = readSync(fd, into, done, into.length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/** Reads a `.npy` file synchronously. */
export function readNpy(path: string): NpyArray {
  return parseNpy(readFileOrThrow(path), path);
}

const TWO_53 = 2n ** 53n;

/**
 * Reads a 2-D `.npy` array as a Matrix (rows × cols), converting any supported dtype to float64.
 * int64 values must not exceed 2^53 in magnitude (beyond that doubles cannot represent them exactly).
 */
export function readNpyMatrix(path: string, name = path): Matrix {
  const arr = parseNpy(readFileOrThrow(path), name);
  return npyToMatrix(arr, name);
}

/** Converts a parsed 2-D NpyArray to a Matrix (see readNpyMatrix). */
export function npyToMatrix(arr: NpyArray, name = "npy"): Matrix {
  const [rows, cols] = matrixShape(arr.shape, name);
  return new Matrix(rows, cols, toFloat64(arr.data, cols, name));
}

/** The [rows, cols] of a 2-D shape; any other is a FileFormatError saying how to reshape in NumPy. */
export function matrixShape(shape: number[], name: string): [number, number] {
  if (shape.length !== 2) {
    const hint =
      shape.length === 1
        ? "; reshape it in NumPy first, e.g. a.reshape(-1, 1) for one column or a.reshape(1, -1) for one row"
        : "";
    throw new FileFormatError(
      name,
      `expected a 2-D array (rows × dims), got ${shape.length}-D shape ${formatShape(shape)}${hint}`,
    );
  }
  return [shape[0], shape[1]];
}

/**
 * Values of any supported dtype as float64 (a Float64Array is returned as it is). int64 values beyond
 * 2^53 in magnitude are a FileFormatError naming their row (counted from `firstRow`) and column.
 */
export function toFloat64(data: NpyData, cols: number, name: string, firstRow = 0): Float64Array {
  if (data instanceof Float64Array) return data;
  if (!(data instanceof BigInt64Array)) return Float64Array.from(data);
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v > TWO_53 || v < -TWO_53) {
      throw new FileFormatError(
        name,
        `int64 value ${v} at row ${firstRow + Math.floor(i / cols)}, column ${i % cols} exceeds 2^53 in magnitude and cannot be converted to float64 exactly`,
      );
    }
    out[i] = Number(v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

function dtypeOf(data: unknown): NpyDtype {
  if (data instanceof Float64Array) return "float64";
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof BigInt64Array) return "int64";
  throw new InvalidParameterError(
    "data",
    "expected a Float32Array, Float64Array, Int32Array or BigInt64Array",
  );
}

/**
 * Serialises an array to `.npy` bytes: format 1.0 (2.0 if the header exceeds 65535 bytes), C order,
 * little-endian, header padded with spaces and ended by '\n' so the data starts at a multiple of 64
 * bytes, exactly as NumPy does. The dtype follows the typed array.
 */
export function serializeNpy(array: { shape: number[]; data: NpyData }): Uint8Array {
  const { shape, data } = array;
  const dtype = dtypeOf(data);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new InvalidParameterError("shape", `expected an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new ShapeMismatchError("data", `shape ${formatShape(shape)} needs ${count} values, got ${data.length}`);
  }

  const header = npyHeaderBytes(DESCR[dtype], shape);
  const out = new Uint8Array(header.length + data.byteLength);
  out.set(header, 0);
  out.set(littleEndianBytes(data), header.length);
  return out;
}

/**
 * The header of a `.npy` file holding `shape` of dtype `descr` (e.g. "<f8", "|u1"), exactly as NumPy
 * writes it: format 1.0 (2.0 if the header exceeds 65535 bytes), padded with spaces and ended by '\n'
 * so the data starts at a multiple of 64 bytes. The data follows, little-endian, C order.
 */
export function npyHeaderBytes(descr: string, shape: readonly number[]): Uint8Array {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${formatShape([...shape])}, }`;
  let version = 1;
  let lenBytes = 2;
  let hlen = dict.length + 1; // + '\n'
  let pad = (ARRAY_ALIGN - ((MAGIC.length + 2 + lenBytes + hlen) % ARRAY_ALIGN)) % ARRAY_ALIGN;
  if (hlen + pad > 0xffff) {
    version = 2;
    lenBytes = 4;
    pad = (ARRAY_ALIGN - ((MAGIC.length + 2 + lenBytes + hlen) % ARRAY_ALIGN)) % ARRAY_ALIGN;
  }
  hlen += pad;
  const prefixLen = MAGIC.length + 2 + lenBytes;
  const dataOffset = prefixLen + hlen;
  const out = new Uint8Array(dataOffset);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, hlen, true);
  else view.setUint32(8, hlen, true);
  for (let i = 0; i < dict.length; i++) out[prefixLen + i] = dict.charCodeAt(i);
  out.fill(0x20, prefixLen + dict.length, dataOffset - 1);
  out[dataOffset - 1] = 0x0a;
  return out;
}

/** The bytes of a typed array, little-endian (a view on little-endian hosts, a converted copy otherwise). */
export function littleEndianBytes(data: NpyData | Uint8Array): Uint8Array {
  if (HOST_LITTLE_ENDIAN || data instanceof Uint8Array) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float64Array) view.setFloat64(i * 8, data[i], true);
    else if (data instanceof Float32Array) view.setFloat32(i * 4, data[i], true);
    else if (data instanceof Int32Array) view.setInt32(i * 4, data[i], true);
    else view.setBigInt64(i * 8, (data as BigInt64Array)[i], true);
  }
  return out;
}

/**
 * Writes an array as `.npy`, atomically: the bytes go to a temporary file in the same directory,
 * which is fsynced and then renamed over `path`. Parent directories are created if missing.
 */
export function writeNpy(path: string, array: { shape: number[]; data: NpyData }): void {
  writeFileAtomic(path, serializeNpy(array));
}

/** Writes a Matrix as a 2-D `.npy` array of float64 (default) or float32, atomically (see writeNpy). */
export function writeNpyMatrix(path: string, m: Matrix, dtype: "float32" | "float64" = "float64"): void {
  writeFileAtomic(path, serializeMatrix(m, dtype));
}

/**
 * `writeNpyMatrix` through `writeFileAtomicInterruptible`: a SIGINT/SIGTERM/SIGHUP during the write
 * removes the temporary file and rejects with an InterruptedError (what the CLI uses).
 */
export async function writeNpyMatrixInterruptible(
  path: string, m: Matrix, dtype: "float32" | "float64" = "float64", options: InterruptibleWriteOptions = {},
): Promise<void> {
  await writeFileAtomicInterruptible(path, serializeMatrix(m, dtype), options);
}

function serializeMatrix(m: Matrix, dtype: "float32" | "float64"): Uint8Array {
  if (dtype !== "float32" && dtype !== "float64") {
    throw new InvalidParameterError("dtype", `expected "float32" or "float64", got ${JSON.stringify(dtype)}`);
  }
  const data = dtype === "float64" ? m.data : Float32Array.from(m.data);
  return serializeNpy({ shape: [m.rows, m.cols], data });
}
