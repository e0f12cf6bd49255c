/**
 * The WebAssembly kernels (src/linalg/wasm/kernels.c, SIMD128, double precision; one single-precision product): loading, memory layout
 * and the calls. The numeric modules (svd.ts, product.ts) use them when available and fall back to
 * their TypeScript reference code otherwise — or always, with LATENT_BRIDGE_KERNELS=js (used by the
 * tests that check both paths agree, and a way out should a runtime lack wasm SIMD).
 *
 * Memory: operands are copied into the module's linear memory, which grows to the largest call
 * seen and is then reused (it never shrinks; a 2,048×2,048 SVD keeps ~100 MB). Calls are
 * synchronous and JavaScript is single-threaded, so one bump allocator reset per call is enough.
 */
import { kernelChoice } from "../kernelChoice";
import { KERNELS_WASM_BASE64 } from "./kernelsBinary";
import { blasKernels, resetBlas } from "../blas";

// The few WebAssembly types used here, declared locally: tslab compiles notebooks without the
// WebAssembly lib declarations, though its Node runtime has the API.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

export interface Exports {
  memory: WasmMemory;
  __heap_base: { value: unknown };
  householder_qr(c: number, m: number, n: number, tau: number, scratch: number): void;
  apply_q(v: number, m: number, nref: number, tau: number, u: number, ncols: number, scratch: number): void;
  qr_scratch_size(m: number, n: number): number;
  svd_columns(At: number, m: number, n: number, want: number, s: number, e: number, work: number, Ut: number, Vt: number,
    csV: number, snV: number, csU: number, snU: number, Vr: number, tau: number, scratch: number, logMem: number, dcMem: number): number;
  log_scratch_size(n: number): number;
  dc_scratch_size(n: number): number;
  dc_fallback_count(): number;
  dc_secular(K: number, i: number, P: number, Z: number, out: number, dif: number): number;
  dgemm(A: number, B: number, C: number, m: number, k: number, n: number, packA: number, packB: number): void;
  dgemm_pack_a_size(): number;
  inverse_cholesky(g: number, p: number, l: number, w: number): number;
  sgemm_f64(A: number, B: number, C: number, m: number, k: number, n: number, packA: number, packB: number): void;
  pinv_from_rows(P: number, lp: number, Q: number, lq: number, s: number, rank: number, C: number, packA: number, packB: number): void;
  warm_up(mem: number, what: number): void;
  warm_up_size(): number;
  dgemm_pack_b_size(): number;
}

let loaded: Exports | null | undefined;

/** Groups of kernels `warm_up` runs (WARM_* in kernels.c). */
export const WARM = { products: 1, singularValues: 2, singularVectors: 4 } as const;
let warmed = 0;

/**
 * Runs the kernels of `what` (a sum of WARM flags) once on a small problem unless done already, so
 * that V8 compiles them with its optimising tier before their first real call (see `warm_up` in
 * kernels.c). Only what a process uses gets compiled: the products on loading, the SVD's kernels
 * before the first SVD (svd.ts). Call it before `reserve`: it reserves memory itself.
 */
export function warmKernels(k: Exports, what: number): void {
  const missing = what & ~warmed;
  if (missing === 0) return;
  k.warm_up(reserve(k, [k.warm_up_size()]).ptr[0], missing);
  warmed |= missing;
}

/**
 * The instantiated module, or null when disabled (kernel choice "js") or unavailable. With "blas" it
 * stays available for what the BLAS does not replace (the Gram pseudo-inverse's inverse Cholesky
 * factor, the float32 product).
 */
export function wasmKernels(): Exports | null {
  if (kernelChoice() === "js") return null;
  if (loaded !== undefined) return loaded;
  try {
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const module = new wasm.Module(Buffer.from(KERNELS_WASM_BASE64, "base64"));
    const k = new wasm.Instance(module, {}).exports as unknown as Exports;
    warmed = 0;
    warmKernels(k, WARM.products);
    loaded = k;
  } catch {
    loaded = null;
  }
  return loaded;
}

/**
 * Which implementation the numeric kernels use right now: "blas" names the library ("blas
 * libopenblas.so.0"); throws `MissingDependencyError` when "blas" is chosen but cannot be loaded.
 */
export function kernelBackend(): "wasm-simd" | "js" | `blas ${string}` {
  const blas = blasKernels();
  if (blas) return `blas ${blas.library}`;
  return wasmKernels() ? "wasm-simd" : "js";
}

/** Forget the loaded module and BLAS (tests). */
export function resetKernels(): void {
  loaded = undefined;
  resetBlas();
}

/**
 * Reserves `counts[i]` doubles per operand (16-byte aligned) in the module's memory, growing it if
 * needed, and returns their byte offsets with Float64Array views. Views are created after growing,
 * so none is detached; they stay valid until the next `reserve`.
 */
export function reserve(k: Exports, counts: readonly number[]): { ptr: number[]; view: Float64Array[] } {
  const base = Math.ceil((k.__heap_base.value as number) / 16) * 16;
  const ptr: number[] = [];
  let at = base;
  for (const c of counts) {
    ptr.push(at);
    at += Math.ceil((c * 8) / 16) * 16;
  }
  const have = k.memory.buffer.byteLength;
  if (at > have) k.memory.grow(Math.ceil((at - have) / 65536));
  const buffer = k.memory.buffer;
  return { ptr, view: counts.map((c, i) => new Float64Array(buffer, ptr[i], c)) };
}
