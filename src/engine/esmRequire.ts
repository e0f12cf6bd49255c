/**
 * A CommonJS `require` for ES-module callers (tsx, vitest). Kept in its own file because
 * `import.meta` is a syntax error in CommonJS: tslab compiles every imported file to CommonJS, so
 * src/engine/tf.ts only loads this module (dynamically) when no CommonJS `require` is in scope.
 */
import { createRequire } from "node:module";

export const esmRequire: NodeJS.Require = createRequire(import.meta.url);
