/**
 * Fit once, apply many: a fitted translator saved as an `.npz` archive that numpy opens
 * (`np.load(path)`) and loaded back without refitting. Every method has its layout:
 *
 *   every model   meta            uint8 UTF-8 JSON: format, formatVersion, method, options, sourceDim,
 *                                 targetDim, anchors, the arrays' shapes and dtypes, diagnostics
 *                                 (read it in numpy with json.loads(m["meta"].tobytes()))
 *   irp           source_mean (d_x), source_mean_norm, source_magnitude (0-d), the same for target_,
 *                 map (d_x × d_y: the collapsed map on centred, normalised rows),
 *                 unit_source_anchors (k × d_x), subspace_indices (int32, every distinct pruned
 *                 subspace's anchors, concatenated), subspace_sizes (int32), draws (int32, ω: which
 *                 subspace each draw gave), decoders (Σ sizes × d_y: each subspace's pinv(S_Yᵀ))
 *   procrustes    the six space statistics, and rotation (d_x × d_y) or its factors left (d_x × r)
 *                 and right (d_y × r), rotation = left·rightᵀ
 *   lstsq/affine  weights ((d_x [+ 1]) × d_y; affine: the last row is the bias)
 *   absolute      nothing beyond meta
 *
 * Arrays are float64 (int32 for indices), so a loaded translator is the saved one: `transform` gives
 * the same bits. A file of another format version, with another method's arrays, or with arrays of
 * the wrong shape is a FileFormatError naming the file; an input of the wrong width, the usual
 * ShapeMismatchError of `transform`.
 */
import { FileFormatError } from "../errors";
import { Matrix } from "../linalg/matrix";
import { closeSync } from "node:fs";
import type { AnchorSubspace } from "../anchors/farthestPointSample";
import { parseNpy, parseNpyBytes, type NpyArray } from "../io/npy";
import { openNpz, readMemberBytes, serializeNpz, writeNpz, type NpzEntry } from "../io/npz";
import type { SpaceStats } from "../relative/normalize";
import { AbsoluteTranslator } from "./absolute";
import { IRP_OPTION_KEYS, InverseRelativeProjection, drawSubspaceEncoders, type DrawnSubspace, type IrpDiagnostics, type IrpFittedState, type IrpOptions } from "./irp";
import { LeastSquaresTranslator } from "./leastSquares";
import { ProcrustesTranslator, type ProcrustesDiagnostics, type ProcrustesMap } from "./procrustes";
import { TRANSLATION_METHODS, type TranslationMethod, type Translator, type TranslatorDiagnostics } from "./translator";

export const MODEL_FORMAT = "latent-bridge/translator";
/** The layout above. A reader of version N reads version N only (a model says which it is). */
export const MODEL_FORMAT_VERSION = 1;

/** What a model's `meta` entry holds. */
export interface ModelMeta {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  method: TranslationMethod;
  /** The estimator's options (with their defaults filled in). */
  options: Record<string, unknown>;
  sourceDim: number;
  targetDim: number;
  anchors: number;
  /** The archive's arrays, so a reader can check the layout before using it. */
  arrays: Record<string, { shape: number[]; dtype: string }>;
  diagnostics: TranslatorDiagnostics;
  /** Free text about the writer, e.g. "latent-bridge 0.2.0". */
  writtenBy?: string;
}

export interface SaveTranslatorOptions {
  /** Recorded in meta.writtenBy. */
  writtenBy?: string;
}

/** JSON with ±Infinity and NaN kept (as the strings "Infinity", "-Infinity", "NaN"; condition numbers can be infinite). */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v));
}

function fromJson(text: string): unknown {
  const special: Record<string, number> = { Infinity: Infinity, "-Infinity": -Infinity, NaN: NaN };
  return JSON.parse(text, (_k, v: unknown) => (typeof v === "string" && v in special ? special[v] : v));
}

const f64 = (m: Matrix): NpzEntry => ({ shape: [m.rows, m.cols], data: m.data });
const vector = (v: Float64Array): NpzEntry => ({ shape: [v.length], data: v });
const scalar = (x: number): NpzEntry => ({ shape: [], data: new Float64Array([x]) });
const int32 = (v: ArrayLike<number>): NpzEntry => ({ shape: [v.length], data: Int32Array.from(v) });

/** A space's statistics (an absent magnitude is written as 0, which is how centerAndNormalize reads it). */
function statsArrays(prefix: "source" | "target", s: SpaceStats): Record<string, NpzEntry> {
  return {
    [`${prefix}_mean`]: vector(s.mean),
    [`${prefix}_mean_norm`]: scalar(s.meanNorm),
    [`${prefix}_magnitude`]: scalar(s.magnitude ?? 0),
  };
}

/** The arrays and options of a fitted translator, by method. */
function layoutOf(t: Translator): { options: Record<string, unknown>; arrays: Record<string, NpzEntry> } {
  if (t instanceof InverseRelativeProjection) {
    const s = t.fittedState;
    const options: Record<string, unknown> = {};
    for (const k of IRP_OPTION_KEYS) if ((t as unknown as Record<string, unknown>)[k] !== undefined) options[k] = (t as unknown as Record<string, unknown>)[k];
    // The distinct subspaces in order of first draw (as diagnostics.subspaces lists them).
    const distinct: DrawnSubspace[] = [];
    const index = new Map<DrawnSubspace, number>();
    for (const d of s.draws) if (!index.has(d)) index.set(d, distinct.push(d) - 1);
    const sizes = distinct.map((d) => d.indices.length);
    const total = sizes.reduce((a, b) => a + b, 0);
    const dy = s.map.cols;
    const decoders = new Matrix(total, dy);
    const indices = new Int32Array(total);
    let row = 0;
    for (const d of distinct) {
      decoders.data.set(d.decoder.data, row * dy);
      indices.set(d.indices, row);
      row += d.indices.length;
    }
    return {
      options,
      arrays: {
        ...statsArrays("source", s.source), ...statsArrays("target", s.target), map: f64(s.map),
        unit_source_anchors: f64(s.unitX), subspace_indices: int32(indices), subspace_sizes: int32(sizes),
        draws: int32(s.draws.map((d) => index.get(d)!)), decoders: f64(decoders),
      },
    };
  }
  if (t instanceof ProcrustesTranslator) {
    const s = t.fittedState;
    const map: Record<string, NpzEntry> = "rotation" in s.map ? { rotation: f64(s.map.rotation) } : { left: f64(s.map.left), right: f64(s.map.right) };
    return { options: { variant: t.variant }, arrays: { ...statsArrays("source", s.source), ...statsArrays("target", s.target), ...map } };
  }
  if (t instanceof LeastSquaresTranslator) {
    const options: Record<string, unknown> = { affine: t.method === "affine" };
    if (t.rcond !== undefined) options.rcond = t.rcond;
    return { options, arrays: { weights: f64(t.fittedState.weights) } };
  }
  if (t instanceof AbsoluteTranslator) return { options: {}, arrays: {} };
  throw new FileFormatError("translator", `cannot save a ${(t as { method?: string }).method ?? "custom"} translator: saveTranslator knows ${TRANSLATION_METHODS.join(", ")}`);
}

/** The model's meta and arrays, as saveTranslator writes them to the archive. */
export function modelEntries(translator: Translator, options: SaveTranslatorOptions = {}): Record<string, NpzEntry> {
  const d = translator.diagnostics; // NotFittedError before fit
  const { options: estimatorOptions, arrays } = layoutOf(translator);
  const meta: ModelMeta = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    method: translator.method,
    options: estimatorOptions,
    sourceDim: d.sourceDim,
    targetDim: d.targetDim,
    anchors: d.anchors,
    arrays: Object.fromEntries(Object.entries(arrays).map(([k, a]) => [k, { shape: a.shape, dtype: a.data instanceof Int32Array ? "int32" : "float64" }])),
    diagnostics: d,
    ...(options.writtenBy ? { writtenBy: options.writtenBy } : {}),
  };
  const json = new TextEncoder().encode(toJson(meta));
  return { meta: { shape: [json.length], data: json }, ...arrays };
}

/**
 * Writes a fitted translator to `path` (an `.npz` archive, written atomically; see the module
 * comment). @throws NotFittedError before `fit`; FileSystemError when the file cannot be written.
 */
export function saveTranslator(translator: Translator, path: string, options: SaveTranslatorOptions = {}): void {
  writeNpz(path, modelEntries(translator, options));
}

/** The bytes saveTranslator writes (to write them later, e.g. once another output is complete). */
export function serializeModel(translator: Translator, options: SaveTranslatorOptions = {}): Uint8Array {
  return serializeNpz(modelEntries(translator, options));
}

/** A model's meta and arrays, read and checked against its layout (FileFormatErrors name `path`). */
export function readModel(path: string): { meta: ModelMeta; arrays: Record<string, NpyArray> } {
  const fail = (message: string): never => {
    throw new FileFormatError(path, `not a latent-bridge translator model: ${message}`);
  };
  const archive = openNpz(path);
  let meta: ModelMeta;
  const arrays: Record<string, NpyArray> = {};
  try {
    const metaMember = archive.members.find((m) => m.key === "meta");
    if (!metaMember) return fail(`no "meta" entry (the archive holds ${archive.members.map((m) => m.key).join(", ") || "nothing"}); models are written by saveTranslator or latent-bridge fit --save`);
    const bytes = readMemberBytes(archive, metaMember);
    let json: Uint8Array;
    try {
      json = parseNpyBytes(bytes, "meta");
    } catch (e) {
      return fail(`its "meta" entry: ${(e as Error).message.replace(/^meta: /, "")}`);
    }
    let parsed: unknown;
    try {
      parsed = fromJson(new TextDecoder("utf-8", { fatal: true }).decode(json));
    } catch (e) {
      return fail(`its "meta" entry is not UTF-8 JSON (${(e as Error).message})`);
    }
    meta = checkMeta(parsed, fail);
    for (const m of archive.members) {
      if (m.key === "meta") continue;
      if (!(m.key in meta.arrays)) fail(`it holds an array "${m.key}" that its meta does not list`);
      arrays[m.key] = parseNpy(readMemberBytes(archive, m), `${path}:${m.key}`);
    }
  } finally {
    closeSync(archive.fd);
  }
  for (const [key, want] of Object.entries(meta.arrays)) {
    const a = arrays[key];
    if (!a) fail(`its meta lists an array "${key}" that the archive does not hold`);
    if (a.dtype !== want.dtype || a.shape.join(",") !== want.shape.join(",")) {
      fail(`array "${key}" is ${a.dtype} of shape (${a.shape.join(", ")}), its meta says ${want.dtype} (${want.shape.join(", ")})`);
    }
  }
  return { meta, arrays };
}

function checkMeta(value: unknown, fail: (m: string) => never): ModelMeta {
  const m = value as Partial<ModelMeta> | null;
  if (m === null || typeof m !== "object" || Array.isArray(m)) return fail("its meta entry is not a JSON object");
  if (m.format !== MODEL_FORMAT) return fail(`its meta says format ${JSON.stringify(m.format)}, expected "${MODEL_FORMAT}"`);
  if (m.formatVersion !== MODEL_FORMAT_VERSION) {
    return fail(
      `it is format version ${JSON.stringify(m.formatVersion)}, and this latent-bridge reads version ${MODEL_FORMAT_VERSION}; ` +
        (typeof m.formatVersion === "number" && m.formatVersion > MODEL_FORMAT_VERSION
          ? "it was written by a newer latent-bridge: upgrade, or refit with this one"
          : "refit the translator with this latent-bridge (latent-bridge fit … --save)"),
    );
  }
  if (!TRANSLATION_METHODS.includes(m.method as TranslationMethod)) return fail(`unknown method ${JSON.stringify(m.method)}; expected one of ${TRANSLATION_METHODS.join(", ")}`);
  for (const k of ["sourceDim", "targetDim", "anchors"] as const) {
    if (!Number.isSafeInteger(m[k]) || (m[k] as number) < 1) fail(`meta.${k} must be a positive integer, got ${JSON.stringify(m[k])}`);
  }
  if (m.options === null || typeof m.options !== "object") fail("meta.options must be an object");
  if (m.arrays === null || typeof m.arrays !== "object") fail("meta.arrays must be an object");
  if (m.diagnostics === null || typeof m.diagnostics !== "object") fail("meta.diagnostics must be an object");
  return m as ModelMeta;
}

/** The arrays a method's model holds (beyond meta) and their shapes, given the meta's dimensions. */
function expectLayout(meta: ModelMeta, arrays: Record<string, NpyArray>, fail: (m: string) => never): void {
  const dx = meta.sourceDim, dy = meta.targetDim, k = meta.anchors;
  const stats = (p: string) => ({ [`${p}_mean`]: [p === "source" ? dx : dy], [`${p}_mean_norm`]: [], [`${p}_magnitude`]: [] as number[] });
  let want: Record<string, number[] | "any">;
  switch (meta.method) {
    case "irp":
      want = { ...stats("source"), ...stats("target"), map: [dx, dy], unit_source_anchors: [k, dx], subspace_indices: "any", subspace_sizes: "any", draws: "any", decoders: "any" };
      break;
    case "procrustes":
      want = { ...stats("source"), ...stats("target"), ...("rotation" in arrays ? { rotation: [dx, dy] } : { left: "any", right: "any" }) };
      break;
    case "lstsq":
    case "affine":
      want = { weights: [meta.method === "affine" ? dx + 1 : dx, dy] };
      break;
    case "absolute":
      want = {};
      break;
  }
  const present = Object.keys(arrays).sort();
  const expected = Object.keys(want).sort();
  if (present.join(",") !== expected.join(",")) {
    fail(`a ${meta.method} model holds the arrays ${expected.join(", ") || "(none)"}; this one holds ${present.join(", ") || "none"} (another method's layout?)`);
  }
  for (const [key, shape] of Object.entries(want)) {
    if (shape !== "any" && arrays[key].shape.join(",") !== shape.join(",")) {
      fail(`array "${key}" has shape (${arrays[key].shape.join(", ")}), a ${meta.method} model of ${dx} → ${dy} dimensions needs (${shape.join(", ")})`);
    }
  }
}

const matrixOf = (a: NpyArray): Matrix => new Matrix(a.shape[0], a.shape[1], a.data as Float64Array);
const scalarOf = (a: NpyArray): number => (a.data as Float64Array)[0];

function statsOf(arrays: Record<string, NpyArray>, p: "source" | "target"): SpaceStats {
  return { mean: arrays[`${p}_mean`].data as Float64Array, meanNorm: scalarOf(arrays[`${p}_mean_norm`]), magnitude: scalarOf(arrays[`${p}_magnitude`]) };
}

/**
 * Loads a translator saved by `saveTranslator` (or `latent-bridge fit --save`): an instance of its
 * method's class, fitted, without refitting — `transform` gives what the saved one gave, bit for bit.
 * @throws FileFormatError for another format version, another method's layout or a corrupt file;
 *   FileSystemError when it cannot be read.
 */
export function loadTranslator(path: string): Translator {
  const { meta, arrays } = readModel(path);
  const fail = (message: string): never => {
    throw new FileFormatError(path, `not a valid ${meta.method} model: ${message}`);
  };
  expectLayout(meta, arrays, fail);
  const diagnostics = meta.diagnostics;
  switch (meta.method) {
    case "irp":
      return InverseRelativeProjection.fromFittedState(meta.options as IrpOptions, irpState(meta, arrays, diagnostics as IrpDiagnostics, fail));
    case "procrustes": {
      const map: ProcrustesMap = "rotation" in arrays ? { rotation: matrixOf(arrays.rotation) } : { left: matrixOf(arrays.left), right: matrixOf(arrays.right) };
      if ("left" in map && (map.left.rows !== meta.sourceDim || map.right.rows !== meta.targetDim || map.left.cols !== map.right.cols)) {
        fail(`left and right must be ${meta.sourceDim} × r and ${meta.targetDim} × r`);
      }
      return ProcrustesTranslator.fromFittedState(meta.options, {
        source: statsOf(arrays, "source"), target: statsOf(arrays, "target"), map, diagnostics: diagnostics as ProcrustesDiagnostics,
      });
    }
    case "lstsq":
    case "affine":
      return LeastSquaresTranslator.fromFittedState({ ...meta.options, affine: meta.method === "affine" }, { weights: matrixOf(arrays.weights), diagnostics });
    case "absolute":
      return AbsoluteTranslator.fromFittedState(diagnostics);
  }
}

/** IRP's state from its arrays: the distinct subspaces with their decoders, the ω draws pointing at them. */
function irpState(meta: ModelMeta, arrays: Record<string, NpyArray>, diagnostics: IrpDiagnostics, fail: (m: string) => never): IrpFittedState {
  const sizes = arrays.subspace_sizes.data as Int32Array;
  const indices = arrays.subspace_indices.data as Int32Array;
  const drawOf = arrays.draws.data as Int32Array;
  const decoders = arrays.decoders;
  const total = sizes.reduce((a, b) => a + b, 0);
  const perSubspace = diagnostics.subspaces;
  if (!Array.isArray(perSubspace) || perSubspace.length !== sizes.length) fail(`meta.diagnostics.subspaces must list the ${sizes.length} subspaces`);
  if (indices.length !== total || decoders.shape.join(",") !== `${total},${meta.targetDim}`) fail(`subspace_indices and decoders must hold ${total} rows (the sum of subspace_sizes)`);
  if (drawOf.length !== diagnostics.omega) fail(`draws must have ω = ${diagnostics.omega} entries, got ${drawOf.length}`);
  const dy = meta.targetDim;
  const distinct: DrawnSubspace[] = [];
  let row = 0;
  for (let s = 0; s < sizes.length; s++) {
    const n = sizes[s];
    const idx = indices.slice(row, row + n);
    for (const i of idx) if (!(i >= 0 && i < meta.anchors)) fail(`subspace ${s} names anchor ${i}, outside 0..${meta.anchors - 1}`);
    const { multiplicity: _m, ...d } = perSubspace[s];
    distinct.push({ indices: idx, decoder: new Matrix(n, dy, (decoders.data as Float64Array).slice(row * dy, (row + n) * dy)), diagnostics: d });
    row += n;
  }
  const draws = Array.from(drawOf, (i) => distinct[i] ?? fail(`draws names subspace ${i}, outside 0..${distinct.length - 1}`));
  const subspaces: AnchorSubspace[] = distinct.map((d, s) => ({ indices: d.indices, multiplicity: perSubspace[s].multiplicity }));
  const unitX = matrixOf(arrays.unit_source_anchors);
  const options = meta.options as IrpOptions;
  return {
    source: statsOf(arrays, "source"), target: statsOf(arrays, "target"), map: matrixOf(arrays.map), subspaces,
    diagnostics, unitX, draws,
    // Whitened IRP's source encoders polar(S_X) are a function of what is saved: recomputed as fit computed them.
    encoders: options.whiten ? drawSubspaceEncoders(unitX, draws, options.rcond) : undefined,
  };
}
