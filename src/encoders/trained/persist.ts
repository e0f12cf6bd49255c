/**
 * The file format of every trained encoder (image MLP/CNN, LSA, bag-of-words MLP, multilingual LSA):
 * ONE JSON document, written atomically, in the spirit of the classification-head files
 * (src/heads/persist.ts) — base64 little-endian float32 arrays plus a SHA-256 — but generic: a kind,
 * an id, the spec, free JSON metadata (vocabulary, training history…) and named arrays with shapes.
 *
 *   {
 *     "format": "latent-bridge/trained-encoder", "version": 1,
 *     "kind": "image" | "lsa" | "bow-mlp" | "multilingual-lsa", "id": "mlp-256-s0",
 *     "spec": {...}, "meta": {...},
 *     "arrays": [{ "name": "latent.w", "shape": [256, 256], "data": "<base64 f32>" }, ...],
 *     "sha256": "<hex>"
 *   }
 *
 * The checksum covers everything that defines the encoder — kind, id, spec and meta (as their JSON
 * text) and every array's name, shape and bytes — so a corrupt vocabulary is caught as surely as a
 * corrupt weight. Every problem (missing file, not JSON, truncated, wrong format or version, bad
 * array, checksum mismatch) is a FileFormatError naming the file.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { FileFormatError } from "../../errors";
import { writeFileAtomic } from "../../io/atomicWrite";

export const ENCODER_FORMAT = "latent-bridge/trained-encoder";
export const ENCODER_FORMAT_VERSION = 1;

export type EncoderKind = "image" | "lsa" | "bow-mlp" | "multilingual-lsa";

/** A named float32 array with its shape (row-major). */
export interface NamedArray {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Everything an encoder file holds, as plain data. */
export interface EncoderBundle {
  kind: EncoderKind;
  id: string;
  spec: unknown;
  meta: unknown;
  arrays: NamedArray[];
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function f32Bytes(a: Float32Array): Buffer {
  if (!LITTLE_ENDIAN) throw new Error("encoder files store little-endian float32; big-endian hosts are not supported");
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** SHA-256 over kind, id, spec and meta JSON, then each array's name, shape and bytes. */
export function bundleChecksum(b: EncoderBundle): string {
  const h = createHash("sha256");
  h.update(`${b.kind}\n${b.id}\n${JSON.stringify(b.spec)}\n${JSON.stringify(b.meta)}\n`);
  for (const a of b.arrays) {
    h.update(`${a.name}:${a.shape.join("x")}\n`);
    h.update(f32Bytes(a.data));
  }
  return h.digest("hex");
}

/** The JSON text of an encoder file. */
export function encodeBundle(b: EncoderBundle): string {
  for (const a of b.arrays) {
    const size = a.shape.reduce((p, v) => p * v, 1);
    if (size !== a.data.length) throw new Error(`array ${a.name}: shape [${a.shape.join(", ")}] needs ${size} values, has ${a.data.length}`);
  }
  const doc = {
    format: ENCODER_FORMAT,
    version: ENCODER_FORMAT_VERSION,
    kind: b.kind,
    id: b.id,
    spec: b.spec,
    meta: b.meta,
    arrays: b.arrays.map((a) => ({ name: a.name, shape: a.shape, data: f32Bytes(a.data).toString("base64") })),
    sha256: bundleChecksum(b),
  };
  return JSON.stringify(doc) + "\n";
}

/**
 * Parses and validates an encoder file's text: format, version, kind (when `expectedKind` is given),
 * arrays and checksum. Kind-specific checks (shapes against the spec) are the caller's, through
 * `bundleFail`.
 */
export function decodeBundle(text: string, file: string, expectedKind?: EncoderKind): EncoderBundle {
  const fail = bundleFail(file);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail(`cannot parse JSON (${(e as Error).message}); the file may be truncated or corrupt`);
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return fail("expected a JSON object");
  const d = doc as Record<string, unknown>;
  if (d.format !== ENCODER_FORMAT) return fail(`"format" is ${JSON.stringify(d.format)}, expected "${ENCODER_FORMAT}"`);
  if (d.version !== ENCODER_FORMAT_VERSION) return fail(`unsupported version ${JSON.stringify(d.version)} (supported: ${ENCODER_FORMAT_VERSION})`);
  const kind = d.kind;
  if (kind !== "image" && kind !== "lsa" && kind !== "bow-mlp" && kind !== "multilingual-lsa") return fail(`unknown "kind" ${JSON.stringify(kind)}`);
  if (expectedKind !== undefined && kind !== expectedKind) return fail(`holds a "${kind}" encoder, expected "${expectedKind}"`);
  if (typeof d.id !== "string" || d.id.length === 0) return fail(`"id" must be a non-empty string`);
  if (d.spec === null || typeof d.spec !== "object") return fail(`"spec" must be an object`);
  if (!Array.isArray(d.arrays)) return fail(`"arrays" must be an array`);
  const names = new Set<string>();
  const arrays: NamedArray[] = d.arrays.map((raw: unknown, i: number) => {
    if (raw === null || typeof raw !== "object") return fail(`arrays[${i}] must be an object`);
    const r = raw as Record<string, unknown>;
    if (typeof r.name !== "string" || r.name.length === 0) return fail(`arrays[${i}].name must be a non-empty string`);
    if (names.has(r.name)) return fail(`array "${r.name}" appears twice`);
    names.add(r.name);
    if (!Array.isArray(r.shape) || !r.shape.every((v) => Number.isInteger(v) && (v as number) >= 0)) {
      return fail(`array "${r.name}": "shape" must be an array of non-negative integers`);
    }
    const shape = r.shape as number[];
    const size = shape.reduce((p, v) => p * v, 1);
    if (typeof r.data !== "string" || r.data.length % 4 !== 0 || !BASE64.test(r.data)) return fail(`array "${r.name}": "data" is not a base64 string`);
    const buf = Buffer.from(r.data, "base64");
    if (buf.byteLength !== 4 * size) return fail(`array "${r.name}" holds ${buf.byteLength / 4} float32 values, its shape [${shape.join(", ")}] needs ${size}`);
    const data = new Float32Array(size);
    new Uint8Array(data.buffer).set(buf);
    for (let k = 0; k < size; k++) if (!Number.isFinite(data[k])) return fail(`array "${r.name}"[${k}] is ${data[k]}`);
    return { name: r.name, shape, data };
  });
  const bundle: EncoderBundle = { kind, id: d.id, spec: d.spec, meta: d.meta ?? null, arrays };
  const sum = bundleChecksum(bundle);
  if (d.sha256 !== sum) fail(`checksum mismatch (stored ${JSON.stringify(d.sha256)}, computed ${sum}); the file is corrupt`);
  return bundle;
}

/** A `fail(message)` that throws a FileFormatError naming `file`. */
export function bundleFail(file: string): (msg: string) => never {
  return (msg: string): never => {
    throw new FileFormatError(file, `not a valid trained-encoder file: ${msg}`);
  };
}

/** Writes a bundle to `path` atomically (parent folders are created). */
export function writeBundle(path: string, b: EncoderBundle): void {
  writeFileAtomic(path, encodeBundle(b));
}

/** Reads and validates the bundle at `path`. @throws FileFormatError (also for a missing file). */
export function readBundle(path: string, expectedKind?: EncoderKind): EncoderBundle {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const reason = err.code === "ENOENT" ? "no such file" : err.code === "EISDIR" ? "is a directory, not a file" : (err.message ?? String(e));
    const wrapped = new FileFormatError(path, `cannot read encoder file: ${reason}`);
    wrapped.cause = e;
    throw wrapped;
  }
  return decodeBundle(text, path, expectedKind);
}

/** The array named `name` with exactly `shape`, else a FileFormatError through `fail`. */
export function takeArray(b: EncoderBundle, name: string, shape: number[], fail: (msg: string) => never): Float32Array {
  const a = b.arrays.find((x) => x.name === name);
  if (a === undefined) return fail(`array "${name}" is missing`);
  if (a.shape.length !== shape.length || a.shape.some((v, i) => v !== shape[i])) {
    return fail(`array "${name}" has shape [${a.shape.join(", ")}], expected [${shape.join(", ")}]`);
  }
  return a.data;
}

/** Short hex digest of any JSON-able value (used in cache file names and embedding-cache versions). */
export function shortHash(value: unknown, length = 10): string {
  return createHash("sha256").update(typeof value === "string" ? value : JSON.stringify(value)).digest("hex").slice(0, length);
}
