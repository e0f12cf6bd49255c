/**
 * Which implementation the numeric kernels use: the one setting every numeric module reads.
 *
 *   "wasm" (default)  the WebAssembly SIMD kernels (wasm/kernels.c): the same bits on every machine
 *                     and runtime — what the committed figures were made with.
 *   "js"              the TypeScript reference code (the tests check both agree; a way out should a
 *                     runtime lack wasm SIMD).
 *   "blas"            the machine's BLAS and LAPACK (OpenBLAS's `cblas_dgemm` and `dgesdd`, the routines
 *                     numpy calls) through the optional package koffi (blas.ts): numpy's speed, and,
 *                     like numpy, last bits that depend on the machine's BLAS build and CPU.
 *
 * Chosen by `setKernels` (the CLI's `--kernels`), else by LATENT_BRIDGE_KERNELS, else "wasm". Read on
 * every call (cheap), so a change takes effect at once.
 */
import { ENV, envSetting } from "../config";
import { InvalidParameterError } from "../errors";

export type KernelChoice = "wasm" | "js" | "blas";
export const KERNEL_CHOICES: readonly KernelChoice[] = ["wasm", "js", "blas"];

let chosen: KernelChoice | undefined;

function parseChoice(value: string, argument: string): KernelChoice {
  const v = value.toLowerCase();
  if ((KERNEL_CHOICES as readonly string[]).includes(v)) return v as KernelChoice;
  throw new InvalidParameterError(argument, `expected one of ${KERNEL_CHOICES.join(", ")}, got ${JSON.stringify(value)}`);
}

/** The kernels in use (see the file comment). An unknown LATENT_BRIDGE_KERNELS value is an error naming it. */
export function kernelChoice(): KernelChoice {
  if (chosen !== undefined) return chosen;
  const env = envSetting("kernels");
  return env === undefined ? "wasm" : parseChoice(env, ENV.kernels);
}

/**
 * Chooses the kernels for this process (overriding LATENT_BRIDGE_KERNELS); undefined goes back to
 * the environment's choice. Choosing "blas" does not load it: the first product or SVD does, and
 * throws `MissingDependencyError` if koffi or the BLAS library is missing (`blasKernels`).
 */
export function setKernels(choice: KernelChoice | undefined): void {
  chosen = choice === undefined ? undefined : parseChoice(choice, "kernels");
}
