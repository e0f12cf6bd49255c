#!/usr/bin/env node
/**
 * `npm run build`: src/ → dist/, what the published package runs (src/ stays what notebooks, tests and
 * tsx run). Plain JavaScript, so it runs with node alone.
 *
 *   dist/<entry>.js (+ .js.map)   ESM bundles, one per entry of ENTRIES (shared code in dist/chunks/),
 *                                 made by esbuild; npm packages stay external (imports, not copies)
 *   dist/cli.js                   the command line (bin/latent-bridge.mjs imports it)
 *   dist/types/**\/*.d.ts          declarations by tsc (tsconfig.build.json), one per source file, with
 *                                 their relative imports given explicit `.js` / `/index.js` endings so
 *                                 that `moduleResolution: node16 | nodenext | bundler` all resolve them
 *
 * Checks, each failing the build: package.json's `exports` equal the ones ENTRIES imply (so the two
 * cannot drift: `node scripts/build.mjs --print-exports` prints them), every relative import of a
 * declaration file resolves, and the core entry "." imports no npm package at all (its bundle's
 * imports are node: built-ins and its own chunks only).
 *
 * Options: --print-exports (print the exports object and stop); --no-types (JavaScript only, about a
 * second, keeping the declarations of an earlier build: what the tests need to spawn bin/); --outdir DIR
 * (build into DIR instead of dist/, e.g. a staging copy of the package: test/package.test.ts).
 */
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The package's entry points: subpath → source file. "." is the core; the rest are the experiment layers. */
export const ENTRIES = {
  ".": "src/index.ts",
  "./eval": "src/eval/index.ts",
  "./stitching": "src/eval/stitching/index.ts",
  "./scale": "src/scale/index.ts",
  "./scale/layerwise": "src/scale/layerwise/index.ts",
  "./heads": "src/heads/index.ts",
  "./data/images": "src/data/images/index.ts",
  "./data/text": "src/data/text/index.ts",
  "./encoders/pretrained": "src/encoders/pretrained/index.ts",
  "./encoders/trained": "src/encoders/trained/index.ts",
  "./plot": "src/plot/index.ts",
  "./table": "src/table/index.ts",
  "./catalogue": "src/catalogue.ts",
};

/** The command line: bundled beside the entries, not exported. */
const CLI = { name: "cli", source: "src/cli/main.ts" };

const outName = (subpath) => (subpath === "." ? "index" : subpath.slice(2));
const typesOf = (source) => `./dist/types/${source.replace(/^src\//, "").replace(/\.ts$/, ".d.ts")}`;

/** package.json's `exports`, as ENTRIES imply them. */
export function expectedExports() {
  const out = {};
  for (const [subpath, source] of Object.entries(ENTRIES)) {
    out[subpath] = { types: typesOf(source), default: `./dist/${outName(subpath)}.js` };
  }
  out["./package.json"] = "./package.json";
  return out;
}

function fail(message) {
  console.error(`build: ${message}`);
  process.exit(1);
}

function checkPackageJson() {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const want = JSON.stringify(expectedExports(), null, 2);
  if (JSON.stringify(pkg.exports, null, 2) !== want) {
    fail(`package.json "exports" differ from what scripts/build.mjs's ENTRIES imply; set them to:\n${want}`);
  }
  const types = expectedExports()["."].types;
  if (pkg.types !== types || pkg.main !== "./dist/index.js") fail(`package.json needs "main": "./dist/index.js" and "types": "${types}"`);
}

async function bundle(outDir) {
  const entryPoints = Object.fromEntries(Object.entries(ENTRIES).map(([subpath, source]) => [outName(subpath), source]));
  entryPoints[CLI.name] = CLI.source;
  const result = await build({
    absWorkingDir: root,
    entryPoints,
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    sourcemap: true,
    chunkNames: "chunks/[name]-[hash]",
    metafile: true,
    logLevel: "warning",
    legalComments: "none",
  });
  // The core must not pull in any npm package, however indirectly (static imports: what `import` loads).
  const outputs = result.metafile.outputs;
  const seen = new Set();
  const external = [];
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imp of outputs[file].imports) {
      if (imp.kind === "dynamic-import") continue;
      if (imp.external) {
        if (!imp.path.startsWith("node:")) external.push(imp.path);
      } else visit(imp.path);
    }
  };
  visit(relative(root, join(outDir, "index.js")));
  if (external.length > 0) fail(`the core entry (src/index.ts) imports npm packages: ${[...new Set(external)].join(", ")}`);
}

function listFiles(dir, suffix) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listFiles(p, suffix));
    else if (name.endsWith(suffix)) out.push(p);
  }
  return out;
}

/**
 * src/ imports without extensions (tslab compiles notebooks that import ./src/... and needs them so);
 * node16/nodenext resolution does not accept that in an ESM package's declarations, so each relative
 * specifier gets the ending of the file it names: "./errors" → "./errors.js", "./plot" → "./plot/index.js".
 */
function fixDeclarationImports(typesDir) {
  const unresolved = [];
  const pattern = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.\.?\/[^"']*)\2/g;
  for (const file of listFiles(typesDir, ".d.ts")) {
    const text = readFileSync(file, "utf8");
    // Line by line, leaving comment lines alone (doc comments quote imports such as "./src/plot").
    const fixLine = (line) => (/^\s*(\*|\/\/|\/\*)/.test(line) ? line : line.replace(pattern, (all, lead, quote, spec) => {
      if (/\.(js|mjs|cjs|json)$/.test(spec)) return all;
      const base = resolve(dirname(file), spec);
      if (existsSync(`${base}.d.ts`)) return `${lead}${quote}${spec}.js${quote}`;
      if (existsSync(join(base, "index.d.ts"))) return `${lead}${quote}${spec.replace(/\/$/, "")}/index.js${quote}`;
      unresolved.push(`${relative(root, file)}: ${spec}`);
      return all;
    }));
    const fixed = text.split("\n").map(fixLine).join("\n");
    if (fixed !== text) writeFileSync(file, fixed);
  }
  if (unresolved.length > 0) fail(`declaration imports that resolve to no declaration file:\n  ${unresolved.join("\n  ")}`);
}

function declarations(outDir) {
  // The pinned TypeScript by path: node_modules/.bin/tsc may be tslab's bundled 5.0 (both packages ship a "tsc" bin).
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", join(outDir, "types")], { cwd: root, stdio: "inherit" });
  } catch {
    fail("tsc could not emit the declarations (errors above)");
  }
  fixDeclarationImports(join(outDir, "types"));
}

async function main() {
  const args = process.argv.slice(2);
  if (args.includes("--print-exports")) {
    console.log(JSON.stringify(expectedExports(), null, 2));
    return;
  }
  const t0 = performance.now();
  checkPackageJson();
  const withTypes = !args.includes("--no-types");
  const at = args.indexOf("--outdir");
  if (at >= 0 && !args[at + 1]) fail("--outdir needs a directory");
  const outDir = at >= 0 ? resolve(args[at + 1]) : join(root, "dist");
  // --no-types keeps the declarations of an earlier full build (they describe src/, not the bundles).
  for (const name of existsSync(outDir) ? readdirSync(outDir) : []) {
    if (withTypes || name !== "types") rmSync(join(outDir, name), { recursive: true, force: true });
  }
  await bundle(outDir);
  if (withTypes) declarations(outDir);
  console.log(`build: ${relative(root, outDir) || "."}/ written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

if (resolve(process.argv[1] ?? "") === fileURLToPath(import.meta.url)) await main();
