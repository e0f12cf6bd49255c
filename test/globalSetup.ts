/**
 * Before any test file: the compiled command line the tests spawn (bin/latent-bridge.mjs runs
 * dist/cli.js) is brought up to date with src/ — built (JavaScript only, about a second) when it is
 * missing or older than a source file. The full build with declarations is `npm run build`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export function distIsCurrent(root = ROOT): boolean {
  const cli = join(root, "dist", "cli.js");
  if (!existsSync(cli)) return false;
  const built = statSync(cli).mtimeMs;
  const src = join(root, "src");
  return !readdirSync(src, { recursive: true }).some((f) => String(f).endsWith(".ts") && statSync(join(src, String(f))).mtimeMs > built);
}

export default function setup(): void {
  if (distIsCurrent()) return;
  execFileSync(process.execPath, [join(ROOT, "scripts", "build.mjs"), "--no-types"], { cwd: ROOT, stdio: "inherit" });
}
