/**
 * The one TensorFlow.js entry point. Everything in latent-bridge that needs tfjs calls `getTf()`,
 * which picks a backend once per process:
 *
 *   1. `@tensorflow/tfjs-node` (native TensorFlow) — only if that package resolves AND really is the
 *      native binding, i.e. its import registers the "tensorflow" backend. In this repository npm
 *      `overrides` alias `@tensorflow/tfjs-node` to plain `@tensorflow/tfjs` (for danfojs), so it
 *      resolves but is not native; we check the package name first and never load a fake twice.
 *   2. the WebAssembly backend (`@tensorflow/tfjs-backend-wasm`, SIMD build in Node), with the wasm
 *      binaries located next to the package's own JS (works from any cwd, in tsx, vitest and tslab),
 *      and the BatchMatMul / _FusedMatMul kernels re-registered so that transposed products are an
 *      explicit transpose followed by a plain product (the wasm kernel's transposed path is 15–20×
 *      slower; training's backward pass uses it for every Dense layer).
 *   3. the pure-JS "cpu" backend, if wasm cannot start.
 *
 * `tf.enableProdMode()` is set before any tensor exists, which also silences tfjs's Node banner.
 * Environment overrides: `LATENT_BRIDGE_TF_BACKEND=wasm|cpu|tensorflow` forces a backend,
 * `LATENT_BRIDGE_MATMUL_FIX=0` starts with the transpose fix off.
 */
import { envSetting } from "../config";
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import type * as TF from "@tensorflow/tfjs";
import { InvalidParameterError, ShapeMismatchError } from "../errors";
import { requireCandidates } from "../resolvePackage";
import { Matrix } from "../linalg/matrix";

export type Tf = typeof TF;

export interface TfHandle {
  tf: Tf;
  /** The active backend: "wasm", "tensorflow" (native) or "cpu". */
  backend: string;
  /** One line for notebooks and logs, e.g. "tfjs 4.22.0 · wasm (SIMD, 1 thread) · transposed-matmul fix on". */
  description: string;
}

export interface EngineInfo {
  backend: string;
  tfjsVersion: string;
  /** Whether the wasm backend runs its SIMD build (null when the backend is not wasm). */
  simd: boolean | null;
  /** wasm worker threads (null when not wasm); always 1 in Node, where the threaded build cannot load. */
  threads: number | null;
  /** Folder the wasm binaries were loaded from (null when not wasm). */
  wasmDir: string | null;
  /** Whether transposed BatchMatMul/_FusedMatMul currently run as explicit transpose + plain product. */
  batchMatMulFix: boolean;
  /** What happened to `@tensorflow/tfjs-node`: "not installed", "alias of @tensorflow/tfjs (not native)", … */
  nativeBinding: string;
  /** Why a preferred backend was skipped, if one was (e.g. the wasm start-up error). */
  fallbackReason: string | null;
  description: string;
}

// Kept on globalThis so that a module reloaded by tslab (which recompiles edited files) reuses the
// original kernels instead of wrapping its own wrappers.
interface EngineState {
  originals: Map<string, TF.KernelConfig>;
  fixEnabled: boolean;
  fixInstalled: boolean;
}
const STATE_KEY = Symbol.for("latent-bridge.engine.tf");
function state(): EngineState {
  const g = globalThis as unknown as Record<symbol, EngineState | undefined>;
  let s = g[STATE_KEY];
  if (s === undefined) {
    s = { originals: new Map(), fixEnabled: envSetting("matmulFix") !== "0", fixInstalled: false };
    g[STATE_KEY] = s;
  }
  return s;
}

let pending: Promise<TfHandle> | undefined;
let loaded: { tf: Tf; info: EngineInfo } | undefined;

/** Loads TensorFlow.js and selects the backend (once; later calls return the same promise). */
export function getTf(): Promise<TfHandle> {
  if (pending === undefined) {
    pending = init().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
  }
  return pending;
}

/** What `getTf()` chose. Initialises the engine if needed; print it at the top of a notebook. */
export async function engineInfo(): Promise<EngineInfo> {
  await getTf();
  return { ...loaded!.info, batchMatMulFix: fixActive(), description: describe(loaded!.info) };
}

/** The tfjs module if `getTf()` has already finished, else undefined (for synchronous callers). */
export function loadedTf(): Tf | undefined {
  return loaded?.tf;
}

/**
 * Turns the transposed-matmul fix on or off (it is on by default on wasm). Results are the same
 * either way up to float32 rounding; this exists for benchmarks and tests.
 */
export function setBatchMatMulFix(enabled: boolean): void {
  state().fixEnabled = enabled;
}

function fixActive(): boolean {
  const s = state();
  return s.fixInstalled && s.fixEnabled && loaded?.info.backend === "wasm";
}

// ---------------------------------------------------------------------------------------------

/** The first place packages resolve from (src/io/resolvePackage.ts: tslab's CommonJS require, or this source tree's). */
function nodeRequire(): NodeJS.Require {
  return requireCandidates()[0].require;
}

function packageName(req: NodeJS.Require, pkg: string): string | undefined {
  try {
    const json = JSON.parse(readFileSync(req.resolve(`${pkg}/package.json`), "utf8")) as { name?: unknown };
    return typeof json.name === "string" ? json.name : undefined;
  } catch {
    return undefined;
  }
}

async function init(): Promise<TfHandle> {
  const req = nodeRequire();
  const forced = envSetting("tfBackend")?.trim().toLowerCase() || undefined;
  if (forced !== undefined && !["wasm", "cpu", "tensorflow"].includes(forced)) {
    throw new InvalidParameterError("LATENT_BRIDGE_TF_BACKEND", `expected wasm, cpu or tensorflow, got "${forced}"`);
  }
  const reasons: string[] = [];

  // 1. Native binding, if really installed.
  let nativeBinding = "not installed";
  const nodePkg = packageName(req, "@tensorflow/tfjs-node");
  if (nodePkg !== undefined && nodePkg !== "@tensorflow/tfjs-node") {
    nativeBinding = `alias of ${nodePkg} (not native)`;
  } else if (nodePkg === "@tensorflow/tfjs-node" && (forced === undefined || forced === "tensorflow")) {
    try {
      const tfn = req("@tensorflow/tfjs-node") as Tf;
      tfn.enableProdMode();
      if (tfn.findBackendFactory("tensorflow") != null && (await tfn.setBackend("tensorflow"))) {
        await tfn.ready();
        nativeBinding = "native";
        return finish(tfn, {
          backend: "tensorflow", simd: null, threads: null, wasmDir: null, nativeBinding, fallbackReason: null,
        });
      }
      nativeBinding = "installed but the \"tensorflow\" backend did not register (not native)";
    } catch (err) {
      nativeBinding = `failed to load: ${errorText(err)}`;
    }
  }
  if (forced === "tensorflow") {
    throw new InvalidParameterError("LATENT_BRIDGE_TF_BACKEND", `backend "tensorflow" is unavailable: @tensorflow/tfjs-node ${nativeBinding}`);
  }
  if (nativeBinding !== "not installed") reasons.push(`tfjs-node ${nativeBinding}`);

  const tf = req("@tensorflow/tfjs") as Tf;
  tf.enableProdMode();

  // 2. WebAssembly.
  if (forced !== "cpu") {
    try {
      const wasm = req("@tensorflow/tfjs-backend-wasm") as typeof import("@tensorflow/tfjs-backend-wasm");
      const wasmDir = dirname(req.resolve("@tensorflow/tfjs-backend-wasm")) + "/";
      wasm.setWasmPaths(wasmDir); // read when the backend first initialises (in setBackend)
      const listenersBefore = processListeners();
      try {
        if (!(await tf.setBackend("wasm"))) throw new Error("tf.setBackend(\"wasm\") returned false");
        await tf.ready();
      } finally {
        removeEmscriptenListeners(listenersBefore);
      }
      installTransposeFix(tf);
      const simd = Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"));
      return finish(tf, {
        backend: "wasm", simd, threads: wasm.getThreadsCount(), wasmDir, nativeBinding,
        fallbackReason: reasons.length ? reasons.join("; ") : null,
      });
    } catch (err) {
      if (forced === "wasm") throw err;
      reasons.push(`wasm failed: ${errorText(err)}`);
    }
  }

  // 3. Plain JavaScript.
  await tf.setBackend("cpu");
  await tf.ready();
  return finish(tf, {
    backend: "cpu", simd: null, threads: null, wasmDir: null, nativeBinding,
    fallbackReason: reasons.length ? reasons.join("; ") : null,
  });
}

interface ProcessListeners {
  uncaught: Set<unknown>;
  rejection: Set<unknown>;
}

function processListeners(): ProcessListeners {
  return {
    uncaught: new Set<unknown>(process.listeners("uncaughtException")),
    rejection: new Set<unknown>(process.listeners("unhandledRejection")),
  };
}

function isEmscriptenRethrow(fn: unknown): boolean {
  const src = String(fn);
  return src.includes("ExitStatus") || /throw\s+reason/.test(src);
}

/**
 * The wasm module's Emscripten loader adds process listeners that re-throw every uncaught exception
 * and unhandled rejection from inside its minified bundle, so any later crash (ours, a notebook's,
 * a test's) is reported at a 10 kB line of tfjs-backend-wasm.js. Remove the listeners it added.
 */
function removeEmscriptenListeners(before: ProcessListeners): void {
  for (const fn of process.listeners("uncaughtException")) {
    if (!before.uncaught.has(fn) && isEmscriptenRethrow(fn)) process.removeListener("uncaughtException", fn);
  }
  for (const fn of process.listeners("unhandledRejection")) {
    if (!before.rejection.has(fn) && isEmscriptenRethrow(fn)) process.removeListener("unhandledRejection", fn);
  }
}

function finish(tf: Tf, partial: Omit<EngineInfo, "tfjsVersion" | "batchMatMulFix" | "description">): TfHandle {
  const info: EngineInfo = {
    ...partial,
    tfjsVersion: tf.version_core ?? "unknown",
    batchMatMulFix: false,
    description: "",
  };
  loaded = { tf, info };
  info.batchMatMulFix = fixActive();
  info.description = describe(info);
  return { tf, backend: info.backend, description: info.description };
}

function describe(info: EngineInfo): string {
  let text = `tfjs ${info.tfjsVersion} · ${info.backend}`;
  if (info.backend === "wasm") {
    text += ` (${info.simd ? "SIMD" : "no SIMD"}, ${info.threads ?? 1} thread${info.threads === 1 ? "" : "s"})`;
    text += ` · transposed-matmul fix ${fixActive() ? "on" : "off"}`;
  }
  if (info.backend !== "tensorflow") text += ` · tfjs-node: ${info.nativeBinding}`;
  return text;
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === "object" && err !== null && "message" in err) return String((err as { message: unknown }).message);
  return String(err);
}

// ---------------------------------------------------------------------------------------------
// The transposed-matmul fix.

const FIXED_KERNELS = ["BatchMatMul", "_FusedMatMul"];

/**
 * Re-registers the wasm BatchMatMul and _FusedMatMul kernels: when `transposeA`/`transposeB` is set,
 * the operand is first transposed by the wasm Transpose kernel (swapping its last two axes) and the
 * original kernel runs with both flags false. The products are mathematically the same; the
 * accumulation order inside the product is the plain kernel's.
 */
function installTransposeFix(tf: Tf): void {
  const s = state();
  if (s.fixInstalled) return;
  const transposeKernel = tf.getKernel("Transpose", "wasm");
  if (transposeKernel === undefined) return;
  for (const name of FIXED_KERNELS) {
    const current = tf.getKernel(name, "wasm");
    if (current === undefined) continue;
    const original = s.originals.get(name) ?? current;
    s.originals.set(name, original);
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel({ ...original, kernelFunc: transposingKernel(original, transposeKernel) });
  }
  s.fixInstalled = true;
}

function transposingKernel(original: TF.KernelConfig, transposeKernel: TF.KernelConfig): TF.KernelFunc {
  return (args) => {
    const attrs = (args.attrs ?? {}) as { transposeA?: boolean; transposeB?: boolean };
    const tA = attrs.transposeA === true, tB = attrs.transposeB === true;
    if ((!tA && !tB) || !state().fixEnabled) return original.kernelFunc(args);
    const backend = args.backend as TF.KernelBackend;
    const { a, b } = args.inputs;
    if (a === undefined || b === undefined) return original.kernelFunc(args);
    const temps: TF.TensorInfo[] = [];
    const swapLastTwo = (x: TF.TensorInfo): TF.TensorInfo => {
      const r = x.shape.length;
      const perm = Array.from({ length: r }, (_, i) => i);
      perm[r - 2] = r - 1;
      perm[r - 1] = r - 2;
      const out = transposeKernel.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as TF.TensorInfo;
      temps.push(out);
      return out;
    };
    try {
      const inputs = { ...args.inputs };
      if (tA) inputs.a = swapLastTwo(a);
      if (tB) inputs.b = swapLastTwo(b);
      return original.kernelFunc({ inputs, backend, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Large products through tfjs.

/** Output elements per tfjs call; bounds the float32 staging buffers (64 MB at 2^24). */
const BLOCK_ELEMENTS = 1 << 24;

function checkProductArgs(a: ArrayLike<number>, m: number, k: number, b: ArrayLike<number>, n: number): void {
  for (const [name, v] of [["m", m], ["k", k], ["n", n]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new InvalidParameterError(name, `expected a non-negative integer, got ${v}`);
  }
  if (a.length !== m * k) throw new ShapeMismatchError("a", `expected ${m}×${k} = ${m * k} values, got ${a.length}`);
  if (b.length !== k * n) throw new ShapeMismatchError("b", `expected ${k}×${n} = ${k * n} values, got ${b.length}`);
}

function toFloat32(x: ArrayLike<number>, start: number, end: number): Float32Array {
  if (x instanceof Float32Array) return x.subarray(start, end);
  const out = new Float32Array(end - start);
  for (let i = start; i < end; i++) out[i - start] = x[i];
  return out;
}

function productWith(tf: Tf, a: ArrayLike<number>, m: number, k: number, b: ArrayLike<number>, n: number): Float64Array {
  checkProductArgs(a, m, k, b, n);
  const out = new Float64Array(m * n);
  if (m === 0 || n === 0 || k === 0) return out;
  const rowsPerBlock = Math.max(1, Math.floor(BLOCK_ELEMENTS / Math.max(k, n)));
  const bt = tf.tensor2d(toFloat32(b, 0, k * n), [k, n], "float32");
  try {
    for (let r0 = 0; r0 < m; r0 += rowsPerBlock) {
      const r1 = Math.min(m, r0 + rowsPerBlock);
      const block = tf.tidy(() => tf.matMul(tf.tensor2d(toFloat32(a, r0 * k, r1 * k), [r1 - r0, k], "float32"), bt));
      try {
        out.set(block.dataSync() as Float32Array, r0 * n);
      } finally {
        block.dispose();
      }
    }
  } finally {
    bt.dispose();
  }
  return out;
}

/**
 * C = A·B in float32 through tfjs (wasm SIMD: several times the float64 `matmul`'s throughput),
 * returned as float64. A is m×k and B is k×n, both row-major. Relative error is float32's (~1e-7·√k);
 * use it for large n×d by d×d products where that is acceptable (translating embeddings, scoring).
 */
export async function matmulFloat32(
  a: Float32Array | Float64Array, m: number, k: number, b: Float32Array | Float64Array, n: number,
): Promise<Float64Array> {
  const { tf } = await getTf();
  return productWith(tf, a, m, k, b, n);
}

/** `matmulFloat32` for callers that cannot await; throws unless `await getTf()` has completed. */
export function matmulFloat32Sync(
  a: Float32Array | Float64Array, m: number, k: number, b: Float32Array | Float64Array, n: number,
): Float64Array {
  if (loaded === undefined) throw new Error("matmulFloat32Sync: the TensorFlow.js engine is not loaded yet; call `await getTf()` first");
  return productWith(loaded.tf, a, m, k, b, n);
}

/** `matmulFloat32` on Matrices: A·B in float32, as a float64 Matrix. */
export async function matmulMatrixFloat32(a: Matrix, b: Matrix): Promise<Matrix> {
  if (a.cols !== b.rows) throw new ShapeMismatchError("b", `cannot multiply ${a.rows}×${a.cols} by ${b.rows}×${b.cols}`);
  return new Matrix(a.rows, b.cols, await matmulFloat32(a.data, a.rows, a.cols, b.data, b.cols));
}
