/**
 * Finding an installed package's files without `import.meta`.
 *
 * tslab (the notebook kernel) compiles our TypeScript to CommonJS, and `import.meta` is a syntax
 * error there, so no file it loads may contain it. We therefore resolve, in order, with: the
 * module-scope `require` (CommonJS: tslab, vitest), a require made from `__filename` (CommonJS),
 * then from the repository root (nearest latent-bridge package.json above the working directory)
 * and from the working directory itself (plain ESM under tsx / node).
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { repoRoot } from "../config";

export interface ResolveFrom {
  /** A CommonJS require to try first; null to skip (default: the module-scope require, if any). */
  require?: NodeJS.Require | null;
  /** A file to make a require from; null to skip (default: __filename, if any). */
  filename?: string | null;
  /** Directory for the last two fallbacks (default process.cwd()). */
  cwd?: string;
}

interface Resolver {
  from: string;
  resolve: (id: string) => string;
}

function ambientRequire(): NodeJS.Require | null {
  return typeof require === "function" && typeof require.resolve === "function" ? require : null;
}

function ambientFilename(): string | null {
  return typeof __filename === "string" && __filename ? __filename : null;
}

function resolvers(o: ResolveFrom): Resolver[] {
  const out: Resolver[] = [];
  const req = o.require === undefined ? ambientRequire() : o.require;
  if (req) out.push({ from: "require", resolve: (id) => req.resolve(id) });
  const file = o.filename === undefined ? ambientFilename() : o.filename;
  if (file) out.push({ from: file, resolve: (id) => createRequire(file).resolve(id) });
  const cwd = o.cwd ?? process.cwd();
  const root = repoRoot(cwd);
  out.push({ from: root, resolve: (id) => createRequire(join(root, "package.json")).resolve(id) });
  if (root !== cwd) out.push({ from: cwd, resolve: (id) => createRequire(join(cwd, "noop.js")).resolve(id) });
  return out;
}

/** Absolute path of `id` (e.g. "plotly.js-dist-min/plotly.min.js"), or undefined; `tried` lists where we looked. */
export function resolveInstalled(id: string, o: ResolveFrom = {}): { path?: string; tried: string[] } {
  const tried: string[] = [];
  for (const r of resolvers(o)) {
    tried.push(r.from);
    try {
      return { path: r.resolve(id), tried };
    } catch {
      // not resolvable from here; try the next place
    }
  }
  return { tried };
}
