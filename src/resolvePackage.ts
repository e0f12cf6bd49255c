/**
 * Finding installed npm packages without `import.meta` — the one place that does it.
 *
 * tslab (the notebook kernel) compiles our TypeScript to CommonJS, and `import.meta` is a syntax
 * error there, so no file it loads may contain it. Packages are therefore resolved, in order, with:
 * the module-scope `require` (CommonJS: tslab), a `require` made from this source file's path (read
 * from V8's call-site API — the synchronous equivalent of `createRequire(import.meta.url)`, for
 * tsx, vitest and node), then from the repository root (nearest latent-bridge package.json above
 * the working directory) and from the working directory itself.
 */
import { createRequire } from "node:module";
import { isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { repoRoot } from "./config";

export interface ResolveFrom {
  /** A CommonJS require to try first; null to skip (default: the module-scope require, if any). */
  require?: NodeJS.Require | null;
  /** A file to make a require from; null to skip (default: this source file). */
  filename?: string | null;
  /** Directory for the last two places (default process.cwd()). */
  cwd?: string;
}

export interface RequireCandidate {
  /** Where it resolves from (for error messages). */
  from: string;
  require: NodeJS.Require;
}

/** The `require`s to resolve installed packages with, in the order above. */
export function requireCandidates(o: ResolveFrom = {}): RequireCandidate[] {
  const out: RequireCandidate[] = [];
  const req = o.require === undefined ? ambientRequire() : o.require;
  if (req) out.push({ from: "require", require: req });
  const file = o.filename === undefined ? thisModuleFile() : o.filename;
  if (file) out.push({ from: file, require: createRequire(file) });
  const cwd = o.cwd ?? process.cwd();
  const root = repoRoot(cwd);
  out.push({ from: root, require: createRequire(join(root, "package.json")) });
  if (root !== cwd) out.push({ from: cwd, require: createRequire(join(cwd, "noop.js")) });
  return out;
}

/** Absolute path of `id` (e.g. "plotly.js-dist-min/plotly.min.js"), or undefined; `tried` lists where we looked. */
export function resolveInstalled(id: string, o: ResolveFrom = {}): { path?: string; tried: string[] } {
  const tried: string[] = [];
  for (const c of requireCandidates(o)) {
    tried.push(c.from);
    try {
      return { path: c.require.resolve(id), tried };
    } catch {
      // not resolvable from here; try the next place
    }
  }
  return { tried };
}

function ambientRequire(): NodeJS.Require | null {
  return typeof require === "function" && typeof require.resolve === "function" ? require : null;
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
