/**
 * Locating installed npm packages' folders and versions (resolved through src/io/resolvePackage.ts,
 * which works under tslab's CommonJS as well as ESM).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { LatentBridgeError } from "../../errors";
import { requireCandidates } from "../../resolvePackage";

/** A pretrained model or its package is missing, has an unexpected version or unexpected contents. */
export class PretrainedModelError extends LatentBridgeError {}

export interface InstalledPackage {
  name: string;
  version: string;
  /** Absolute folder holding the package's package.json. */
  dir: string;
}

const found = new Map<string, InstalledPackage>();

/**
 * The installed package `name` (its folder and version). Resolves the package's entry point (a
 * package's `exports` may hide `package.json`) and walks up to the package.json naming it.
 */
export function installedPackage(name: string): InstalledPackage {
  const hit = found.get(name);
  if (hit) return hit;
  const errors: string[] = [];
  for (const { require: req } of requireCandidates()) {
    let entry: string;
    try {
      entry = req.resolve(name);
    } catch (e) {
      errors.push((e as Error).message.split("\n")[0]);
      continue;
    }
    let dir = dirname(entry);
    for (;;) {
      const pj = join(dir, "package.json");
      if (existsSync(pj)) {
        try {
          const json = JSON.parse(readFileSync(pj, "utf8")) as { name?: unknown; version?: unknown };
          if (json.name === name && typeof json.version === "string") {
            const pkg = { name, version: json.version, dir };
            found.set(name, pkg);
            return pkg;
          }
        } catch {
          // not a readable package.json: keep walking up
        }
      }
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new PretrainedModelError(
    name,
    `npm package not found (looked from ${process.cwd()}: ${errors[0] ?? "no package.json above its entry point"}); ` +
      'run "npm ci" in the latent-bridge folder',
  );
}

