import { createRequire } from "node:module";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Where to resolve installed npm packages from, without `import.meta` (tslab compiles every module
 * to CommonJS, where `import.meta` is a syntax error): CommonJS `require` where it exists; a
 * `require` made from this source file's path (read from V8's call-site API — the synchronous
 * equivalent of `createRequire(import.meta.url)`); the working directory; the entry script.
 */
export function requireCandidates(): NodeJS.Require[] {
  const out: NodeJS.Require[] = [];
  if (typeof require === "function") out.push(require);
  const self = thisModuleFile();
  if (self) out.push(createRequire(self));
  out.push(createRequire(join(process.cwd(), "noop.js")));
  const entry = process.argv[1];
  if (entry) out.push(createRequire(resolve(entry)));
  return out;
}

/** Path of this source file, from the current call site (undefined if the runtime hides it). */
function thisModuleFile(): string | undefined {
  const saved = Error.prepareStackTrace;
  try {
    Error.prepareStackTrace = (_error, frames) => frames;
    const frames = new Error().stack as unknown as NodeJS.CallSite[] | undefined;
    const file = Array.isArray(frames) ? frames[0]?.getFileName() : undefined;
    if (!file) return undefined;
    return file.startsWith("file:") ? fileURLToPath(file) : isAbsolute(file) ? file : undefined;
  } catch {
    return undefined;
  } finally {
    Error.prepareStackTrace = saved;
  }
}
