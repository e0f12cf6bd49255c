/**
 * The machine's BLAS and LAPACK — the routines numpy calls (`cblas_dgemm` for `@`, `dgesdd` for
 * `svd` and `pinv`; `dpotrf` and `dtrtri` for the Gram pseudo-inverse's inverse Cholesky factor) — for the kernel choice "blas" (kernelChoice.ts). Why it exists: on x86 an
 * optimised BLAS runs 256- or 512-bit fused multiply-adds, while WebAssembly has 128-bit SIMD without
 * FMA (Node 20 rejects relaxed SIMD without a flag), so the products, which decide IRP's time, run at
 * numpy's speed only here. Why it is not the default: its last bits depend on the BLAS build, the CPU
 * and the thread count, where the WebAssembly kernels give the same bits everywhere.
 *
 * Loaded through koffi (an optional npm package with prebuilt binaries, no compiler needed), from
 * $LATENT_BRIDGE_BLAS_LIBRARY if set, else the first of `BLAS_LIBRARIES` that loads and exports
 * every routine used here. Threads: the library's own setting (OPENBLAS_NUM_THREADS; all cores by
 * default, as in numpy).
 *
 * Arrays are passed as typed arrays; koffi hands the C function their memory (no copy).
 */
import { envSetting, ENV } from "../config";
import { MissingDependencyError } from "../errors";
import { requireCandidates } from "../resolvePackage";
import { kernelChoice } from "./kernelChoice";

/** Shared-library names tried in order when LATENT_BRIDGE_BLAS_LIBRARY is unset. */
export const BLAS_LIBRARIES: readonly string[] = [
  "libopenblas.so.0", "libopenblas.so", "libopenblas64_.so.0", "libopenblas.dylib", "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
  "/usr/local/opt/openblas/lib/libopenblas.dylib", "libopenblas.dll",
];

export interface Blas {
  /** The library loaded (its name or path as given to the loader). */
  readonly library: string;
  /**
   * C = op(A)·op(B) for row-major operands: op(A) is m×k (A is k×m when `transA`), op(B) k×n (B n×k
   * when `transB`), C m×n, leading dimensions the row lengths as stored.
   */
  dgemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float64Array, b: Float64Array, c: Float64Array): void;
  /**
   * LAPACK's dgesdd on the column-major rows×cols matrix `a` (overwritten): its singular values into
   * `s` (min(rows, cols)), with `vectors` the thin U (rows×r, column-major) and Vᵀ (r×cols,
   * column-major). Returns LAPACK's `info` (0: converged; > 0: did not converge).
   */
  dgesdd(vectors: boolean, rows: number, cols: number, a: Float64Array, s: Float64Array, u: Float64Array, vt: Float64Array): number;
  /**
   * L⁻¹ of the Cholesky factor L (G = L·Lᵀ) of the symmetric positive definite p×p row-major `g`
   * (overwritten), row-major lower triangular with zeros above; false when a pivot is not positive.
   * LAPACK's dpotrf and dtrtri (blocked), as `inverse_cholesky` in the kernels does unblocked.
   */
  inverseCholesky(g: Float64Array, p: number): boolean;
}

type Koffi = {
  load(path: string): { func(signature: string): (...args: unknown[]) => unknown };
};

let loaded: Blas | undefined;
let failure: MissingDependencyError | undefined;

/** The BLAS when the kernel choice is "blas", else null; throws `MissingDependencyError` when chosen but missing. */
export function blasKernels(): Blas | null {
  if (kernelChoice() !== "blas") return null;
  if (loaded) return loaded;
  if (failure) throw failure;
  try {
    loaded = loadBlas();
    return loaded;
  } catch (e) {
    failure = e instanceof MissingDependencyError ? e : new MissingDependencyError("blas", String(e), "npm install koffi");
    throw failure;
  }
}

/** Forget a loaded library or a failure to load one, so the next call looks again (tests). */
export function resetBlas(): void {
  loaded = undefined;
  failure = undefined;
}

function loadKoffi(): Koffi {
  const tried: string[] = [];
  for (const c of requireCandidates()) {
    tried.push(c.from);
    try {
      return c.require("koffi") as Koffi;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw e;
    }
  }
  throw new MissingDependencyError("koffi",
    `the BLAS kernels (--kernels blas, ${ENV.kernels}=blas) need the npm package koffi, which is not installed (looked from: ${tried.join(", ")})`, "npm install koffi");
}

function loadBlas(): Blas {
  const koffi = loadKoffi();
  const own = envSetting("blasLibrary");
  const names = own !== undefined ? [own] : BLAS_LIBRARIES;
  const reasons: string[] = [];
  for (const name of names) {
    try {
      return bind(koffi, name);
    } catch (e) {
      reasons.push(`${name}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    }
  }
  throw new MissingDependencyError("blas",
    `the BLAS kernels (--kernels blas, ${ENV.kernels}=blas) found no library exporting cblas_dgemm, dgesdd_, dpotrf_ and dtrtri_${own !== undefined ? ` at ${ENV.blasLibrary}=${own}` : ""}: ${reasons.join("; ")}`,
    "apt-get install libopenblas0-pthread (Debian, Ubuntu) or brew install openblas (macOS); or set " + ENV.blasLibrary + " to a library exporting them");
}

const ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

function bind(koffi: Koffi, name: string): Blas {
  const lib = koffi.load(name);
  const gemm = lib.func("void cblas_dgemm(int, int, int, int, int, int, double, const double *, int, const double *, int, double, double *, int)");
  // Fortran: every argument by reference; gfortran appends the character argument's length.
  const gesdd = lib.func("void dgesdd_(const char *, const int *, const int *, double *, const int *, double *, double *, const int *, " +
    "double *, const int *, double *, const int *, int *, int *, size_t)");
  const potrf = lib.func("void dpotrf_(const char *, const int *, double *, const int *, int *, size_t)");
  const trtri = lib.func("void dtrtri_(const char *, const char *, const int *, double *, const int *, int *, size_t, size_t)");
  const int = (v: number) => new Int32Array([v]);
  return {
    library: name,
    dgemm(transA, transB, m, n, k, a, b, c) {
      gemm(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, 1, a, transA ? m : k, b, transB ? k : n, 0, c, n);
    },
    dgesdd(vectors, rows, cols, a, s, u, vt) {
      const r = Math.min(rows, cols), job = vectors ? "S" : "N";
      const info = new Int32Array(1), iwork = new Int32Array(8 * Math.max(1, r)), query = new Float64Array(1);
      const args = [int(rows), int(cols), a, int(Math.max(1, rows)), s, u, int(Math.max(1, rows)), vt, int(Math.max(1, r))] as const;
      gesdd(job, ...args, query, int(-1), iwork, info, 1);
      if (info[0] !== 0) return info[0];
      const work = new Float64Array(Math.max(1, Math.ceil(query[0])));
      gesdd(job, ...args, work, int(work.length), iwork, info, 1);
      return info[0];
    },
    inverseCholesky(g, p) {
      // Row-major g is column-major gᵀ = g; its upper factor U (G = Uᵀ·U), read row-major, is L = Uᵀ,
      // and U⁻¹ read row-major is (U⁻¹)ᵀ = L⁻¹. The other triangle keeps g's entries: zeroed below.
      const info = new Int32Array(1), n = int(p);
      potrf("U", n, g, n, info, 1);
      if (info[0] !== 0) return false;
      trtri("U", "N", n, g, n, info, 1, 1);
      if (info[0] !== 0) return false;
      for (let i = 0; i < p; i++) g.fill(0, i * p + i + 1, (i + 1) * p);
      return true;
    },
  };
}
