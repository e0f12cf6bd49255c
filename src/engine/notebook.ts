/**
 * Talking to the tslab Jupyter kernel when we run inside one — and staying inert everywhere else.
 *
 * tslab compiles every module to CommonJS and hooks `require("tslab")` to hand out the kernel's own
 * instance, so inside the kernel a module-scope `require` exists and `require("tslab")` is cheap.
 * Outside a kernel (tsx, vitest, the CLI: ES modules) we never load tslab, which would pull in
 * zeromq and a TypeScript compiler for nothing.
 */

/** The part of tslab's public API we use (tslab 1.0.22: display with html/text/…, newDisplay for updatable outputs). */
export interface TslabDisplay {
  html(s: string): void;
  markdown(s: string): void;
  text(s: string): void;
}
export interface TslabModule {
  display: TslabDisplay;
  /** A display that replaces its own output (Jupyter `update_display_data`) on every call after the first. */
  newDisplay(): TslabDisplay;
}

/** Whether this process is a tslab Jupyter kernel. */
export function inTslabKernel(): boolean {
  const argv = process.argv;
  if (/[\\/]tslab([\\/]bin[\\/]tslab(\.js)?)?$/.test(argv[1] ?? "") && argv.slice(2).includes("kernel")) return true;
  if (typeof require !== "function" || require.cache === undefined) return false;
  return Object.keys(require.cache).some((k) => /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(k));
}

/** tslab's module when running inside its kernel, else undefined (never throws). */
export function tslabModule(): TslabModule | undefined {
  if (typeof require !== "function" || !inTslabKernel()) return undefined;
  try {
    const mod = require("tslab") as Partial<TslabModule>;
    return mod && typeof mod.newDisplay === "function" && mod.display ? (mod as TslabModule) : undefined;
  } catch {
    return undefined;
  }
}
