/**
 * The notebooks' tslab kernel, with src/ served prebuilt (jupyter/kernels/latent-bridge/kernel.json runs it).
 *
 *   node scripts/tslab-kernel.mjs kernel --config-path F    what Jupyter runs (the arguments go to tslab)
 *   node scripts/tslab-kernel.mjs --prebuild [--repo DIR]   build now and print what happened as JSON
 *                                                           (the notebook runner and jupyter.sh, before
 *                                                           any kernel starts)
 *
 * Why: tslab compiles every src/ file a cell imports, in every kernel: it type-checks it (its declaration
 * emit checks each file it emits), emits it and re-transpiles it to CommonJS. That is 7–11 s per import
 * cell, about 20 times in one quick-mode test run. Here src/ is compiled once per change of its content,
 * with tslab's own TypeScript, options and CommonJS conversion. The output is declarations (what a cell is
 * type-checked against) and CommonJS (what the kernel runs), in build/tslab/<hash of src/>/. A kernel then
 * sees src/x.d.ts in place of src/x.ts and loads src/x.js from that build, under its own path in src/, so
 * module paths, stack-based package lookups (src/resolvePackage.ts) and require("tslab") are as before.
 *
 * Falls back to plain tslab (src/ compiled in the kernel, its errors shown in the cell) when src/ has
 * type errors, when the build fails, or with LATENT_BRIDGE_TSLAB_PREBUILT=0. A running kernel keeps the
 * build it started with: restart the kernel after editing src/.
 */
import { createHash } from "node:crypto";
import {
  existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, utimesSync, writeFileSync,
} from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const SELF = fileURLToPath(import.meta.url);
/** Builds kept side by side (a running kernel may still load modules from an older one). */
const KEEP_BUILDS = 3;
/** How long a kernel waits for another process's build of the same src/ before building it itself. */
const WAIT_MS = 300_000;

/** tslab's TypeScript and its ESM → CommonJS conversion, from the repository's own tslab. */
function loadTslab(repo) {
  const tslabRoot = join(repo, "node_modules", "tslab");
  const req = createRequire(join(tslabRoot, "package.json"));
  return {
    tslabRoot,
    ts: req("@tslab/typescript-for-tslab"),
    converter: req("./dist/converter.js"),
    version: req("./package.json").version,
  };
}

/** The .ts files under src/ (declaration files excluded), sorted. */
export function srcFiles(srcDir) {
  const out = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.tsx?$/.test(e.name) && !e.name.endsWith(".d.ts")) out.push(p);
    }
  };
  walk(srcDir);
  return out.sort();
}

/** What a build depends on: src/'s paths and bytes, TypeScript's and tslab's versions, Node's major, this file. */
function buildKey(repo, files, tslab) {
  const h = createHash("sha256");
  h.update(`${tslab.ts.version}\0${tslab.version}\0${process.versions.node.split(".")[0]}\0`);
  h.update(readFileSync(SELF));
  for (const f of files) h.update(`\0${relative(repo, f)}\0`).update(readFileSync(f));
  return h.digest("hex").slice(0, 16);
}

/**
 * tslab's compiler options (converter.js, createConverter), minus `noImplicitUseStrict`, which only
 * matters for CommonJS emit (the conversion below sets it, as tslab does) and is deprecated for a program.
 */
function tslabOptions(ts, repo) {
  return {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    target: ts.ScriptTarget.ES2022, // tslab's choice for Node ≥ 18 (this repository needs Node 20)
    lib: ["lib.es2022.d.ts"],
    declaration: true,
    newLine: ts.NewLineKind.LineFeed,
    experimentalDecorators: true,
    resolveJsonModule: true,
    jsx: ts.JsxEmit.React,
    skipLibCheck: true,
    rootDir: repo,
    outDir: join(repo, "outDir"),
  };
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

function statMs(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return Date.now();
  }
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Claims the build of `dir`: true when this process must build it, false when another process's build
 * (or error report) appeared while waiting. The claim is a directory made atomically, holding its pid.
 */
function claim(dir, log) {
  const lock = `${dir}.lock`;
  const started = Date.now();
  let told = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      return true;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
    }
    if (existsSync(dir) || existsSync(`${dir}.errors`)) return false;
    let owner = NaN;
    try {
      owner = Number(readFileSync(join(lock, "pid"), "utf8"));
    } catch {
      // the pid is written just after the directory: give the owner a moment
    }
    const known = Number.isInteger(owner) && owner > 0;
    const ownerless = !known && Date.now() - statMs(lock) > 10_000; // died before writing its pid
    const stale = (known && !isAlive(owner)) || ownerless || Date.now() - started > WAIT_MS;
    if (stale) rmSync(lock, { recursive: true, force: true });
    else {
      if (!told) log(`tslab-kernel: waiting for process ${owner || "?"} to finish compiling src/`);
      told = true;
      sleep(200);
    }
  }
}

/** Keeps the newest KEEP_BUILDS builds (by last use) and removes the rest with their error reports. */
function prune(root) {
  const builds = readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^[0-9a-f]{16}$/.test(e.name))
    .map((e) => ({ path: join(root, e.name), used: statSync(join(root, e.name)).mtimeMs }))
    .sort((a, b) => b.used - a.used);
  for (const old of builds.slice(KEEP_BUILDS)) {
    rmSync(old.path, { recursive: true, force: true });
    rmSync(`${old.path}.errors`, { force: true });
  }
}

/**
 * Compiles src/ once per content: returns { key, dir, built, seconds } with the build's directory, or
 * { key, dir: null, errors } when src/ has type errors (kernels then compile src/ themselves, as plain
 * tslab, and a cell shows the errors).
 */
export function prebuild(repo, log = (line) => process.stderr.write(`${line}\n`)) {
  const started = Date.now();
  const tslab = loadTslab(repo);
  const srcDir = join(repo, "src");
  const files = srcFiles(srcDir);
  const key = buildKey(repo, files, tslab);
  const root = join(repo, "build", "tslab");
  const dir = join(root, key);
  const result = (built) => {
    if (existsSync(`${dir}.errors`)) return { key, dir: null, built, errors: JSON.parse(readFileSync(`${dir}.errors`, "utf8")) };
    const now = new Date();
    utimesSync(dir, now, now); // last use, for prune
    return { key, dir, built, seconds: (Date.now() - started) / 1000 };
  };
  if (existsSync(dir) || existsSync(`${dir}.errors`)) return result(false);
  mkdirSync(root, { recursive: true });
  if (!claim(dir, log)) return result(false);
  try {
    if (existsSync(dir) || existsSync(`${dir}.errors`)) return result(false);
    log(`tslab-kernel: compiling src/ (${files.length} files) for the notebooks' kernels, once per change of src/ ...`);
    const { ts, converter } = tslab;
    const options = tslabOptions(ts, repo);
    const program = ts.createProgram(files, options);
    const errors = ts.getPreEmitDiagnostics(program)
      .filter((d) => d.category === ts.DiagnosticCategory.Error)
      .map((d) => {
        const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
        if (!d.file) return text;
        const { line, character } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
        return `${relative(repo, d.file.fileName)}:${line + 1}:${character + 1}: ${text}`;
      });
    if (errors.length > 0) {
      writeFileSync(`${dir}.errors.${process.pid}.tmp`, JSON.stringify(errors));
      renameSync(`${dir}.errors.${process.pid}.tmp`, `${dir}.errors`);
      log(`tslab-kernel: src/ has ${errors.length} type error(s); kernels compile src/ themselves and show them`);
      return result(true);
    }
    const tmp = `${dir}.${process.pid}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    const emitted = program.emit(undefined, (fileName, data) => {
      const target = join(tmp, relative(options.outDir, fileName));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, fileName.endsWith(".js") ? converter.esModuleToCommonJSModule(data, options.target) : data);
    });
    if (emitted.emitSkipped) throw new Error("TypeScript skipped the emit of src/");
    renameSync(tmp, dir);
    prune(root);
    const out = result(true);
    log(`tslab-kernel: compiled src/ in ${out.seconds.toFixed(1)} s -> ${relative(repo, dir)}`);
    return out;
  } finally {
    rmSync(`${dir}.lock`, { recursive: true, force: true });
  }
}

/**
 * Makes this process's TypeScript (tslab's) see src/x.d.ts from `dir` in place of src/x.ts, and Node
 * load src/x.js from `dir` under the path src/x.js.
 */
function serve(repo, dir, ts) {
  const srcDir = join(repo, "src");
  const inSrc = (p) => p.startsWith(srcDir + sep);
  const built = (p) => join(dir, relative(repo, p));
  const sys = ts.sys;
  const { fileExists, readFile } = sys;
  sys.fileExists = (p) => {
    const a = resolve(p);
    if (inSrc(a)) {
      if (a.endsWith(".d.ts")) return existsSync(built(a)) || fileExists(p);
      if (/\.tsx?$/.test(a) && existsSync(built(a.replace(/\.tsx?$/, ".d.ts")))) return false;
    }
    return fileExists(p);
  };
  sys.readFile = (p, encoding) => {
    const a = resolve(p);
    if (inSrc(a) && a.endsWith(".d.ts") && existsSync(built(a))) return readFileSync(built(a), "utf8");
    return readFile(p, encoding);
  };
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, ...rest) {
    if (request.startsWith(".") || isAbsolute(request)) {
      const a = resolve(parent?.filename ? dirname(parent.filename) : repo, request);
      if (inSrc(a)) for (const c of [a, `${a}.js`, join(a, "index.js")]) if (c.endsWith(".js") && existsSync(built(c))) return c;
    }
    return resolveFilename.call(this, request, parent, ...rest);
  };
  const loadJs = Module._extensions[".js"];
  Module._extensions[".js"] = function (module, filename) {
    if (inSrc(filename) && existsSync(built(filename))) return module._compile(readFileSync(built(filename), "utf8"), filename);
    return loadJs(module, filename);
  };
}

function kernel() {
  const repo = process.cwd(); // kernel.json starts the kernel in the repository root
  const tslab = loadTslab(repo);
  if (process.env.LATENT_BRIDGE_TSLAB_PREBUILT !== "0") {
    try {
      const out = prebuild(repo);
      if (out.dir) serve(repo, out.dir, tslab.ts);
    } catch (e) {
      process.stderr.write(`tslab-kernel: could not prebuild src/ (${e?.message ?? e}); the kernel compiles it itself\n`);
    }
  }
  createRequire(join(tslab.tslabRoot, "package.json"))("./dist/main.js").main();
}

if (process.argv[1] && realpathSync(process.argv[1]) === SELF) { // run, not imported
  const args = process.argv.slice(2);
  if (args[0] === "--prebuild") {
    const at = args.indexOf("--repo");
    const repo = resolve(at >= 0 ? args[at + 1] ?? "" : dirname(dirname(SELF)));
    process.stdout.write(`${JSON.stringify(prebuild(repo))}\n`);
  } else kernel();
}
