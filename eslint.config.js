// ESLint 9 flat config (npm run lint, part of npm test): typescript-eslint's recommended rules over
// src/, test/, benchmark/ and scripts/, with the few that fight this codebase's deliberate style off
// (each says why). Layering is a separate check: npm run lint:layers (dependency-cruiser).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "build/**", "node_modules/**", "data/**", "figures/**", "notebooks/**", "jupyter/**", "src/linalg/wasm/kernelsBinary.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: {
        process: "readonly", console: "readonly", Buffer: "readonly", performance: "readonly", setTimeout: "readonly",
        clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", setImmediate: "readonly",
        URL: "readonly", TextEncoder: "readonly", TextDecoder: "readonly", require: "readonly", globalThis: "readonly",
        structuredClone: "readonly", queueMicrotask: "readonly", AbortController: "readonly", NodeJS: "readonly",
      },
    },
    rules: {
      // Unused bindings are errors, except the deliberate ones: `_`-prefixed names (destructuring a
      // key away, an unused parameter a signature requires), the siblings of a rest element (`const { id, ...rest } = spec`
      // drops id), and caught errors that are ignored on purpose.
      "@typescript-eslint/no-unused-vars": ["error", {
        argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", destructuredArrayIgnorePattern: "^_", ignoreRestSiblings: true,
      }],
      // `const self = this` is how an object literal's getters reach the instance that made them (encoders' per-language views).
      "@typescript-eslint/no-this-alias": ["error", { allowedNames: ["self"] }],
      // tslab compiles notebooks to CommonJS and its kernel hands modules a `require`; the few
      // `require(...)` calls (engine/notebook.ts, plot/show.ts, resolvePackage.ts) are how src/
      // reaches tslab and installed packages without import.meta (see src/io/resolvePackage.ts).
      "@typescript-eslint/no-require-imports": "off",
      // Numeric kernels use `let` for accumulators assigned in unrolled blocks and `a = b, c = d`
      // declarations; prefer-const stays on, but only where every binding can be const.
      "prefer-const": ["error", { destructuring: "all" }],
    },
  },
  {
    // Tests state mathematics on purpose with non-null assertions on known-present values and `as`
    // casts to reach private state; `any` appears where fast-check's generators are untyped.
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
  {
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: { module: "writable", require: "readonly", __dirname: "readonly" } },
  },
);
