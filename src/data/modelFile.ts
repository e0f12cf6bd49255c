/**
 * What the two model file formats share — trained encoders (src/encoders/trained/persist.ts) and
 * classification heads (src/heads/persist.ts): ONE JSON document per model, float32 arrays stored as
 * base64 of their little-endian bytes, a SHA-256 over them, and every problem reported as a
 * FileFormatError naming the file. The documents themselves (fields, what the checksum covers)
 * are each format's own; this module holds only the pieces that were written twice.
 */
import { readFileSync } from "node:fs";
import { FileFormatError } from "../errors";

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A `fail(message)` that throws a FileFormatError naming the file. */
export type Fail = (message: string) => never;

/** `fail` for a file of this kind: "not a valid <what> file: <message>". */
export function modelFileFail(file: string, what: string): Fail {
  return (message: string): never => {
    throw new FileFormatError(file, `not a valid ${what} file: ${message}`);
  };
}

/** The bytes of a float32 array as stored (little-endian; big-endian hosts are refused). */
export function float32Bytes(a: Float32Array): Buffer {
  if (!LITTLE_ENDIAN) throw new Error("model files store little-endian float32; big-endian hosts are not supported");
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

export function float32ToBase64(a: Float32Array): string {
  return float32Bytes(a).toString("base64");
}

/**
 * `length` finite float32 values from a base64 string, else `fail` naming `name`.
 * `expected` describes the length in the message (default: the number).
 */
export function base64ToFloat32(value: unknown, length: number, name: string, fail: Fail, expected = `${length}`): Float32Array {
  if (typeof value !== "string" || value.length % 4 !== 0 || !BASE64.test(value)) return fail(`${name} is not a base64 string`);
  const buf = Buffer.from(value, "base64");
  if (buf.byteLength !== 4 * length) return fail(`${name} holds ${buf.byteLength / 4} float32 values, expected ${expected}`);
  const out = new Float32Array(length);
  new Uint8Array(out.buffer).set(buf);
  for (let i = 0; i < length; i++) if (!Number.isFinite(out[i])) return fail(`${name}[${i}] is ${out[i]}`);
  return out;
}

/** The text of a model file. @throws FileFormatError "cannot read <what> file: …" (also for a missing file). */
export function readModelFile(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const reason = err.code === "ENOENT" ? "no such file" : err.code === "EISDIR" ? "is a directory, not a file" : (err.message ?? String(e));
    const wrapped = new FileFormatError(path, `cannot read ${what} file: ${reason}`);
    wrapped.cause = e;
    throw wrapped;
  }
}

/** The JSON object of a model file's text with `format` and `version` checked, else `fail`. */
export function parseModelDocument(text: string, format: string, version: number, fail: Fail): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail(`cannot parse JSON (${(e as Error).message}); the file may be truncated or corrupt`);
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return fail("expected a JSON object");
  const d = doc as Record<string, unknown>;
  if (d.format !== format) return fail(`"format" is ${JSON.stringify(d.format)}, expected "${format}"`);
  if (d.version !== version) return fail(`unsupported version ${JSON.stringify(d.version)} (supported: ${version})`);
  return d;
}
