#!/usr/bin/env node
// Executable of the `latent-bridge` command: runs the compiled command line, dist/cli.js (made by
// `npm run build` from src/cli/; the published package ships it). Plain node, no TypeScript loader,
// so `latent-bridge --help` starts in a fraction of a second. Paths are resolved from this file, not
// the cwd, so it works from anywhere, through npx and node_modules/.bin symlinks.
import { existsSync, readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cli = new URL("../dist/cli.js", import.meta.url);
const src = new URL("../src/cli/main.ts", import.meta.url);

if (!existsSync(cli)) {
  const root = fileURLToPath(new URL("..", import.meta.url));
  process.stderr.write(
    existsSync(src)
      ? `latent-bridge: the compiled command (dist/cli.js) is missing: this checkout has not been built yet.\n` +
        `Build it with:  cd ${root} && npm run build     (npm ci does it too; \`npm run build -- --no-types\` builds only the JavaScript, in about a second)\n` +
        `or run the sources directly:  npx tsx src/cli/main.ts <command> …\n`
      : `latent-bridge: ${fileURLToPath(cli)} is missing; this installation of latent-bridge is incomplete — reinstall it (npm install latent-bridge).\n`,
  );
  process.exit(1);
}

// In a source checkout, a build older than the sources runs old code: say so (a few ms of stat calls).
if (existsSync(src)) {
  const built = statSync(cli).mtimeMs;
  const srcDir = fileURLToPath(new URL("../src", import.meta.url));
  const newer = readdirSync(srcDir, { recursive: true }).find((f) => String(f).endsWith(".ts") && statSync(`${srcDir}/${f}`).mtimeMs > built);
  if (newer !== undefined) {
    process.stderr.write(`latent-bridge: warning: src/${newer} is newer than dist/cli.js; run \`npm run build\` to use the current sources\n`);
  }
}

const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
