/**
 * Project-wide settings read from the environment: the repository root, the quick-mode switch and
 * where figures go (used by data, caches, encoders, tables and plots alike).
 *
 *   figuresDir():  $LATENT_BRIDGE_FIGURES_DIR if set,
 *                  else <repo root>/build/quick/figures in quick mode (LATENT_BRIDGE_QUICK=1),
 *                  else <repo root>/build/figures.
 *                  Both defaults are ignored by git: only `npm run figures` (full mode) writes the
 *                  committed <repo root>/figures, by setting LATENT_BRIDGE_FIGURES_DIR to it, so a
 *                  notebook run in Jupyter or a script never overwrites the committed results unless
 *                  asked to (`npm run jupyter -- --update-figures`).
 *   repoRoot():    nearest ancestor of process.cwd() whose package.json is named "latent-bridge"
 *                  (process.cwd() itself if there is none).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export const PACKAGE_NAME = "latent-bridge";

/** True when LATENT_BRIDGE_QUICK is "1": notebooks and scripts run on small subsets. */
export function isQuickMode(): boolean {
  return process.env.LATENT_BRIDGE_QUICK === "1";
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
  const env = process.env.LATENT_BRIDGE_FIGURES_DIR;
  if (env) return resolve(env);
  const root = repoRoot();
  return isQuickMode() ? join(root, "build", "quick", "figures") : join(root, "build", "figures");
}
