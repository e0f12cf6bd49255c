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
 * array, checksum mismatch) is a FileFormatError naming the file. The pieces shared with the head
 * format (base64 float32, reading, the error) are data/modelFile.ts.
 */
import { createHash } from "node:crypto";
import { base64ToFloat32, float32Bytes, float32ToBase64, modelFileFail, parseModelDocument, readModelFile, type Fail } from "../../data/modelFile";
import { writeFileAtomic } from "../../io/atomicWrite";
import type { SoftmaxHistory } from "../../heads/softmaxTraining";
import { SAFE_NAME } from "../../validate";

export const ENCODER_FORMAT = "latent-bridge/trained-encoder";
export const ENCODER_FORMAT_VERSION = 1;

/** A family's name in its files ("image", "lsa", "bow-mlp", "multilingual-lsa"…): letters, digits, . _ + -. */
export type EncoderKind = string;

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

/** SHA-256 over kind, id, spec and meta JSON, then each array's name, shape and bytes. */
export function bundleChecksum(b: EncoderBundle): string {
  const h = createHash("sha256");
  h.update(`${b.kind}\n${b.id}\n${JSON.stringify(b.spec)}\n${JSON.stringify(b.meta)}\n`);
  for (const a of b.arrays) {
    h.update(`${a.name}:${a.shape.join("x")}\n`);
    h.update(float32Bytes(a.data));
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
    arrays: b.arrays.map((a) => ({ name: a.name, shape: a.shape, data: float32ToBase64(a.data) })),
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
  const d = parseModelDocument(text, ENCODER_FORMAT, ENCODER_FORMAT_VERSION, fail);
  const kind = d.kind;
  if (typeof kind !== "string" || !SAFE_NAME.test(kind)) return fail(`"kind" must be a name of letters, digits, '.', '_', '+' or '-', got ${JSON.stringify(kind)}`);
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
    const data = base64ToFloat32(r.data, size, `array "${r.name}"`, fail, `${size} (shape [${shape.join(", ")}])`);
    return { name: r.name, shape, data };
  });
  const bundle: EncoderBundle = { kind, id: d.id, spec: d.spec, meta: d.meta ?? null, arrays };
  const sum = bundleChecksum(bundle);
  if (d.sha256 !== sum) fail(`checksum mismatch (stored ${JSON.stringify(d.sha256)}, computed ${sum}); the file is corrupt`);
  return bundle;
}

/** A `fail(message)` that throws a FileFormatError naming `file`. */
export function bundleFail(file: string): Fail {
  return modelFileFail(file, "trained-encoder");
}

/** Writes a bundle to `path` atomically (parent folders are created). */
export function writeBundle(path: string, b: EncoderBundle): void {
  writeFileAtomic(path, encodeBundle(b));
}

/** Reads and validates the bundle at `path`. @throws FileFormatError (also for a missing file). */
export function readBundle(path: string, expectedKind?: EncoderKind): EncoderBundle {
  return decodeBundle(readModelFile(path, "encoder"), path, expectedKind);
}

/** The array named `name` with exactly `shape`, else a FileFormatError through `fail`. */
export function takeArray(b: EncoderBundle, name: string, shape: number[], fail: Fail): Float32Array {
  const a = b.arrays.find((x) => x.name === name);
  if (a === undefined) return fail(`array "${name}" is missing`);
  if (a.shape.length !== shape.length || a.shape.some((v, i) => v !== shape[i])) {
    return fail(`array "${name}" has shape [${a.shape.join(", ")}], expected [${shape.join(", ")}]`);
  }
  return a.data;
}

/** Every parameter `shapes` names, each with exactly its shape, and no other array; else a FileFormatError through `fail`. */
export function takeArrays(b: EncoderBundle, shapes: ReadonlyArray<{ name: string; shape: number[] }>, fail: Fail): Array<{ name: string; shape: number[]; data: Float32Array }> {
  if (b.arrays.length !== shapes.length) fail(`holds ${b.arrays.length} arrays, the spec needs ${shapes.length}`);
  return shapes.map(({ name, shape }) => ({ name, shape, data: takeArray(b, name, shape, fail) }));
}

/** A softmax training history (loss, train accuracy, seconds per epoch) read from `meta.history`; else `fail`. */
export function takeSoftmaxHistory(history: unknown, fail: Fail): SoftmaxHistory {
  const h = history as SoftmaxHistory | undefined;
  if (!h || !Array.isArray(h.loss) || !Array.isArray(h.trainAccuracy) || !Array.isArray(h.secondsPerEpoch)) return fail(`"meta.history" is missing or malformed`);
  return h;
}

/** What an encoder trained with a joint softmax head (image MLP/CNN, ViT) records of its training. */
export interface SupervisedTrainingInfo {
  /** Training images used. */
  samples: number;
  seconds: number;
  backend: string;
  tfjsVersion: string;
  createdAt: string;
  /** Trained with the quick-mode settings (informational). */
  quick: boolean;
}

/** What such an encoder holds: its spec, every parameter (encoder and head) in a fixed order, history and training info. */
export interface SupervisedEncoderState {
  id: string;
  spec: unknown;
  params: readonly NamedArray[];
  history: SoftmaxHistory;
  training: SupervisedTrainingInfo;
}

/** The file bundle of an encoder trained with a joint softmax head (`kind` "image", "vit"…, `version` its code version). */
export function supervisedBundle(kind: EncoderKind, version: number, e: SupervisedEncoderState): EncoderBundle {
  return {
    kind, id: e.id, spec: e.spec,
    meta: { version, history: e.history, training: e.training },
    arrays: e.params.map((p) => ({ name: p.name, shape: p.shape, data: p.data })),
  };
}

/** The parameters (exactly `shapes`), history and training info of a bundle written by `supervisedBundle`; else `fail`. */
export function takeSupervisedState(b: EncoderBundle, shapes: ReadonlyArray<{ name: string; shape: number[] }>, fail: Fail): { params: NamedArray[]; history: SoftmaxHistory; training: SupervisedTrainingInfo } {
  const meta = (b.meta ?? {}) as { history?: unknown; training?: SupervisedTrainingInfo };
  const params = takeArrays(b, shapes, fail);
  const history = takeSoftmaxHistory(meta.history, fail);
  const t = meta.training;
  if (!t || typeof t.samples !== "number" || typeof t.seconds !== "number") return fail(`"meta.training" is missing or malformed`);
  return { params, history, training: t };
}

/** Short hex digest of any JSON-able value (used in cache file names and embedding-cache versions). */
export function shortHash(value: unknown, length = 10): string {
  return createHash("sha256").update(typeof value === "string" ? value : JSON.stringify(value)).digest("hex").slice(0, length);
}
