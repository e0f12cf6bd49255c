/**
 * Project-wide settings. Every environment variable latent-bridge reads is read here (`ENV` lists
 * them), so a user finds all the switches in one file:
 *
 *   figuresDir():  $LATENT_BRIDGE_FIGURES_DIR if set,
 *                  else <repo root>/build/quick/figures in quick mode (LATENT_BRIDGE_QUICK=1),
 *                  else <repo root>/build/figures.
 *                  Both defaults are ignored by git: only `npm run figures` (full mode) writes the
 *                  committed <repo root>/figures, by setting LATENT_BRIDGE_FIGURES_DIR to it, so a
 *                  notebook run in Jupyter or a script never overwrites the committed results unless
 *                  asked to (`npm run jupyter -- --update-figures`).
 *   cacheDir():    $LATENT_BRIDGE_CACHE_DIR if set, else <repo root>/data/cache (git-ignored).
 *   repoRoot():    nearest ancestor of process.cwd() whose package.json is named "latent-bridge"
 *                  (process.cwd() itself if there is none).
 *   envSetting():  the raw value of one of `ENV`'s variables (progress bars, kernels, TensorFlow.js
 *                  backend, Fashion-MNIST folder, Chromium path), interpreted by the module that uses it.
 *
 * A leaf module: it imports nothing from latent-bridge, so every layer may use it.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export const PACKAGE_NAME = "latent-bridge";

/** The environment variables latent-bridge reads, by what they set. */
export const ENV = Object.freeze({
  /** "1": notebooks and scripts run on small subsets. */
  quick: "LATENT_BRIDGE_QUICK",
  /** Where figures and tables are saved. */
  figuresDir: "LATENT_BRIDGE_FIGURES_DIR",
  /** Where embeddings, trained encoders and heads are cached. */
  cacheDir: "LATENT_BRIDGE_CACHE_DIR",
  /** Seconds a process waits for another one computing the same cache entry (io/claim.ts; default 3 h). */
  lockTimeout: "LATENT_BRIDGE_LOCK_TIMEOUT",
  /** Seconds between two checkpoints of a long encoder training (heads/trainingCheckpoint.ts; default 120, 0: every step). */
  checkpointSeconds: "LATENT_BRIDGE_CHECKPOINT_SECONDS",
  /** Progress bars: 0/off/silent, log, tty, notebook (default: chosen by the output). */
  progress: "LATENT_BRIDGE_PROGRESS",
  /** Numeric kernels: wasm (default), js (the TypeScript reference) or blas (the machine's BLAS; linalg/kernelChoice.ts). */
  kernels: "LATENT_BRIDGE_KERNELS",
  /** The BLAS/LAPACK shared library for kernels=blas (default: the first of linalg/blas.ts's BLAS_LIBRARIES that loads). */
  blasLibrary: "LATENT_BRIDGE_BLAS_LIBRARY",
  /** TensorFlow.js backend: wasm, cpu or tensorflow (default: the best that loads). */
  tfBackend: "LATENT_BRIDGE_TF_BACKEND",
  /** "0": keep tfjs-wasm's own transposed BatchMatMul kernel (see engine/tf.ts). */
  matmulFix: "LATENT_BRIDGE_MATMUL_FIX",
  /** A folder holding Fashion-MNIST's four *-ubyte.gz files. */
  fashionMnistDir: "LATENT_BRIDGE_FASHION_MNIST_DIR",
  /** The Chromium binary used to export figures. */
  chromiumPath: "CHROMIUM_PATH",
});

export type EnvSetting = keyof typeof ENV;

/** The value of one of latent-bridge's environment variables, or undefined when unset or empty. */
export function envSetting(setting: EnvSetting): string | undefined {
  const v = process.env[ENV[setting]];
  return v === undefined || v === "" ? undefined : v;
}

/** True when LATENT_BRIDGE_QUICK is "1": notebooks and scripts run on small subsets. */
export function isQuickMode(): boolean {
  return envSetting("quick") === "1";
}

function isOurPackageJson(file: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

/** The nearest ancestor of `from` (default process.cwd()) holding latent-bridge's package.json, else `from`. */
export function repoRoot(from: string = process.cwd()): string {
  let dir = resolve(from);
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && isOurPackageJson(pkg)) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(from);
    dir = parent;
  }
}

/** The directory figures are saved to (not created here; saveFigure creates it). */
export function figuresDir(): string {
  const env = envSetting("figuresDir");
  if (env) return resolve(env);
  const root = repoRoot();
  return isQuickMode() ? join(root, "build", "quick", "figures") : join(root, "build", "figures");
}

/** The data cache: `$LATENT_BRIDGE_CACHE_DIR`, else `<repo root>/data/cache` (git-ignored). */
export function cacheDir(): string {
  const env = envSetting("cacheDir");
  return env ? resolve(env) : join(repoRoot(), "data", "cache");
}
