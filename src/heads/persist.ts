/**
 * The head file format: ONE JSON document holding the resolved spec, the dimensions, the weights as
 * base64 little-endian float32 arrays, a SHA-256 of those bytes, the training history and metadata.
 *
 *   {
 *     "format": "latent-bridge/classification-head", "version": 1,
 *     "spec": {...}, "inputDim": 1280, "numClasses": 100,
 *     "layers": [{ "inputDim": 1280, "outputDim": 256, "weight": "<base64 f32>", "bias": "<base64 f32>" | null }, ...],
 *     "standardization": null | { "mean": "<base64 f32>", "std": "<base64 f32>" },
 *     "sha256": "<hex of every array's bytes, in order>",
 *     "history": {...}, "training": {...}
 *   }
 *
 * `saveHead` / `loadHead` write and read such files (atomically; every problem is a FileFormatError
 * naming the file) and `cachedHead` keeps heads in the fitted-model cache (data/loadOrFit.ts).
 */
import { createHash } from "node:crypto";
import { loadOrFit, sameSpec } from "../data/loadOrFit";
import { base64ToFloat32, float32Bytes, float32ToBase64, modelFileFail, parseModelDocument, readModelFile } from "../data/modelFile";
import { getTf } from "../engine/tf";
import { LatentBridgeError } from "../errors";
import { writeFileAtomic } from "../io/atomicWrite";
import { isPositiveInteger } from "../validate";
import { ClassificationHead } from "./classifier";
import {
  layerWidths, resolveHeadSpec, type HeadHistory, type HeadSpec, type HeadState, type LayerState, type ResolvedHeadSpec,
  type TrainingInfo,
} from "./spec";

export const HEAD_FORMAT = "latent-bridge/classification-head";
export const HEAD_FORMAT_VERSION = 1;

function stateArrays(state: HeadState): Float32Array[] {
  const out: Float32Array[] = [];
  for (const l of state.layers) {
    out.push(l.weight);
    if (l.bias) out.push(l.bias);
  }
  if (state.standardization) out.push(state.standardization.mean, state.standardization.std);
  return out;
}

function checksum(arrays: Float32Array[]): string {
  const h = createHash("sha256");
  for (const a of arrays) h.update(float32Bytes(a));
  return h.digest("hex");
}

/** The JSON text of a head file. */
export function encodeHead(state: HeadState): string {
  const doc = {
    format: HEAD_FORMAT,
    version: HEAD_FORMAT_VERSION,
    spec: state.spec,
    inputDim: state.inputDim,
    numClasses: state.numClasses,
    layers: state.layers.map((l) => ({
      inputDim: l.inputDim, outputDim: l.outputDim, weight: float32ToBase64(l.weight), bias: l.bias ? float32ToBase64(l.bias) : null,
    })),
    standardization: state.standardization
      ? { mean: float32ToBase64(state.standardization.mean), std: float32ToBase64(state.standardization.std) }
      : null,
    sha256: checksum(stateArrays(state)),
    history: state.history,
    training: state.training,
  };
  return JSON.stringify(doc) + "\n";
}

/**
 * Parses and validates a head file's text. Every problem (not JSON, truncated, wrong format, missing
 * field, wrong array length, non-finite weight, checksum mismatch) is a FileFormatError naming `file`.
 */
export function decodeHead(text: string, file: string): HeadState {
  const fail = modelFileFail(file, "classification-head");
  const d = parseModelDocument(text, HEAD_FORMAT, HEAD_FORMAT_VERSION, fail);

  let spec: ResolvedHeadSpec;
  try {
    spec = resolveHeadSpec(d.spec as HeadSpec, "spec");
  } catch (e) {
    return fail(e instanceof LatentBridgeError ? e.message : String(e));
  }
  const posInt = (v: unknown, name: string): number =>
    isPositiveInteger(v) ? v : fail(`"${name}" must be a positive integer, got ${JSON.stringify(v)}`);
  const inputDim = posInt(d.inputDim, "inputDim");
  const numClasses = posInt(d.numClasses, "numClasses");
  if (numClasses < 2) fail(`"numClasses" must be ≥ 2, got ${numClasses}`);

  const widths = layerWidths(spec, inputDim, numClasses);
  if (!Array.isArray(d.layers)) return fail(`"layers" must be an array`);
  if (d.layers.length !== widths.length - 1) {
    return fail(`"layers" has ${d.layers.length} entries, the spec (${spec.kind}, hidden ${JSON.stringify(spec.hidden)}) needs ${widths.length - 1}`);
  }
  const layers: LayerState[] = d.layers.map((raw: unknown, i: number) => {
    if (raw === null || typeof raw !== "object") return fail(`layers[${i}] must be an object`);
    const l = raw as Record<string, unknown>;
    if (l.inputDim !== widths[i] || l.outputDim !== widths[i + 1]) {
      return fail(`layers[${i}] is ${JSON.stringify(l.inputDim)}→${JSON.stringify(l.outputDim)}, expected ${widths[i]}→${widths[i + 1]}`);
    }
    const weight = base64ToFloat32(l.weight, widths[i] * widths[i + 1], `layers[${i}].weight`, fail);
    let bias: Float32Array | null = null;
    if (spec.useBias) bias = base64ToFloat32(l.bias, widths[i + 1], `layers[${i}].bias`, fail);
    else if (l.bias !== null && l.bias !== undefined) fail(`layers[${i}].bias must be null when spec.useBias is false`);
    return { inputDim: widths[i], outputDim: widths[i + 1], weight, bias };
  });

  let standardization: HeadState["standardization"] = null;
  if (spec.standardize) {
    const s = d.standardization as Record<string, unknown> | null | undefined;
    if (s === null || s === undefined || typeof s !== "object") return fail(`"standardization" is missing although spec.standardize is true`);
    const mean = base64ToFloat32(s.mean, inputDim, "standardization.mean", fail);
    const std = base64ToFloat32(s.std, inputDim, "standardization.std", fail);
    for (let j = 0; j < inputDim; j++) if (!(std[j] > 0)) fail(`standardization.std[${j}] is ${std[j]}, expected > 0`);
    standardization = { mean, std };
  } else if (d.standardization !== null && d.standardization !== undefined) {
    fail(`"standardization" must be null when spec.standardize is false`);
  }

  const state: HeadState = {
    spec, inputDim, numClasses, layers, standardization,
    history: decodeHistory(d.history, fail),
    training: decodeTraining(d.training, fail),
  };
  const sum = checksum(stateArrays(state));
  if (d.sha256 !== sum) fail(`checksum mismatch (stored ${JSON.stringify(d.sha256)}, computed ${sum}); the weights are corrupt`);
  return state;
}

/** JSON has no NaN: a diverged epoch's loss is written as null and read back as NaN. */
function numberArray(v: unknown, name: string, fail: (m: string) => never): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === "number" || x === null)) return fail(`${name} must be an array of numbers`);
  return v.map((x) => (x === null ? NaN : (x as number)));
}

function decodeHistory(v: unknown, fail: (m: string) => never): HeadHistory {
  if (v === null || typeof v !== "object") return fail(`"history" must be an object`);
  const h = v as Record<string, unknown>;
  const out: HeadHistory = {
    loss: numberArray(h.loss, "history.loss", fail),
    trainAccuracy: numberArray(h.trainAccuracy, "history.trainAccuracy", fail),
    secondsPerEpoch: numberArray(h.secondsPerEpoch, "history.secondsPerEpoch", fail),
  };
  if (h.validationAccuracy !== undefined) out.validationAccuracy = numberArray(h.validationAccuracy, "history.validationAccuracy", fail);
  return out;
}

function decodeTraining(v: unknown, fail: (m: string) => never): TrainingInfo {
  if (v === null || typeof v !== "object") return fail(`"training" must be an object`);
  const t = v as Record<string, unknown>;
  const num = (x: unknown, name: string): number => (typeof x === "number" ? x : fail(`training.${name} must be a number`));
  const str = (x: unknown, name: string): string => (typeof x === "string" ? x : fail(`training.${name} must be a string`));
  const out: TrainingInfo = {
    samples: num(t.samples, "samples"),
    seconds: num(t.seconds, "seconds"),
    backend: str(t.backend, "backend"),
    tfjsVersion: str(t.tfjsVersion, "tfjsVersion"),
    createdAt: str(t.createdAt, "createdAt"),
  };
  if (t.label !== undefined) out.label = str(t.label, "label");
  return out;
}

// ---------------------------------------------------------------------------------------------
// Files and the cache

/** Writes the head to ONE JSON file (the format above), atomically. */
export function saveHead(head: ClassificationHead, path: string): void {
  writeFileAtomic(path, encodeHead(head.state));
}

/**
 * Reads a head written by `saveHead`; it predicts identically to the head that was saved.
 * @throws FileFormatError naming the file if it is missing, unreadable, truncated or inconsistent.
 */
export async function loadHead(path: string): Promise<ClassificationHead> {
  const state = decodeHead(readModelFile(path, "head"), path);
  const { tf } = await getTf();
  return new ClassificationHead(tf, state);
}

/** What a cached head must match to be reused (anything omitted is not checked). */
export interface CachedHeadExpectation {
  spec?: HeadSpec;
  inputDim?: number;
  numClasses?: number;
}

function mismatch(head: ClassificationHead, expected: CachedHeadExpectation): string | undefined {
  if (expected.inputDim !== undefined && head.inputDim !== expected.inputDim) {
    return `has input dimension ${head.inputDim}, expected ${expected.inputDim}`;
  }
  if (expected.numClasses !== undefined && head.numClasses !== expected.numClasses) {
    return `has ${head.numClasses} classes, expected ${expected.numClasses}`;
  }
  if (expected.spec !== undefined) {
    if (expected.spec.numClasses !== undefined && head.numClasses !== expected.spec.numClasses) {
      return `has ${head.numClasses} classes, expected ${expected.spec.numClasses}`;
    }
    const want = resolveHeadSpec(expected.spec);
    if (!sameSpec(want, head.spec)) return `was trained with spec ${JSON.stringify(head.spec)}, expected ${JSON.stringify(want)}`;
  }
  return undefined;
}

/**
 * The head saved at `path` if that file is a valid head (matching `expected`, when given); otherwise
 * `train()`'s head, which is then saved there (data/loadOrFit.ts: an unreadable or mismatching file
 * is reported on stderr and replaced). For notebooks: heads live next to the embedding cache.
 */
export async function cachedHead(
  path: string, train: () => Promise<ClassificationHead>, expected: CachedHeadExpectation = {},
): Promise<ClassificationHead> {
  return loadOrFit({
    path, what: "head", load: loadHead, mismatch: (head) => mismatch(head, expected), fit: train, save: saveHead,
    dispose: (head) => head.dispose(),
  });
}
