#!/usr/bin/env node
// Executable shim of the `latent-bridge` command: registers tsx's ESM loader in this process and
// runs src/cli/main.ts (the library ships TypeScript sources; tsx is a runtime dependency).
// Paths are resolved from this file, not the cwd, so it works from anywhere, through npx and
// through node_modules/.bin symlinks (Node resolves the symlink to this real file).
import { register } from "tsx/esm/api";

// tsconfig: false — do not pick up whatever tsconfig.json happens to be in the user's cwd.
register({ tsconfig: false });

const { main } = await import(new URL("../src/cli/main.ts", import.meta.url).href);
process.exitCode = await main(process.argv.slice(2));
