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
/** Builds always kept (the newest by last use), beside any used in the last day: a running kernel loads from its own. */
const KEEP_BUILDS = 3;
const DAY_MS = 86_400_000;
/**
 * How long a starting kernel waits for another process's build before compiling src/ the plain tslab way
 * (Jupyter gives a kernel 60 s to answer). `--prebuild` waits as long as the builder lives.
 */
const KERNEL_WAIT_MS = 30_000;

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

/** Every file under `dir`, by absolute path. */
function filesUnder(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) filesUnder(p, out);
    else out.push(p);
  }
  return out;
}

/** The .ts files under src/ (declaration files excluded), sorted. */
export function srcFiles(srcDir) {
  return filesUnder(srcDir).filter((p) => /\.tsx?$/.test(p) && !p.endsWith(".d.ts")).sort();
}

/** Whether the build of `dir` is finished: the build itself, or the report of src/'s type errors. */
const settled = (dir) => existsSync(dir) || existsSync(`${dir}.errors`);

/** What a build depends on: src/'s paths and bytes, TypeScript's and tslab's versions, Node's major, this file. */
function buildKey(repo, files, tslab) {
  const h = createHash("sha256");
  h.update(`${tslab.ts.version}\0${tslab.version}\0${process.versions.node.split(".")[0]}\0`);
  h.update(readFileSync(SELF));
  // The installed packages' types shape the declarations (and whether src/ type-checks at all).
  if (existsSync(join(repo, "package-lock.json"))) h.update(readFileSync(join(repo, "package-lock.json")));
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
    typeRoots: ts.getDefaultTypeRoots(repo, { directoryExists: (p) => existsSync(p) }),
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

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** The pid in a claim directory, or null when it cannot be read. */
function claimOwner(lock) {
  try {
    const pid = Number(readFileSync(join(lock, "pid"), "utf8"));
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Claims the build of `dir`: "mine" when this process must build it, "done" when another process's
 * build (or error report) appeared while waiting, "busy" when `waitMs` ran out with another process
 * still building. A claim is a directory holding its pid, published whole by a rename (which fails
 * while another claim exists). A dead process's claim is moved aside and the claim retried; if two
 * waiters race over one dead claim, both may build, which costs time but not correctness (the second
 * build's rename finds the first's and is dropped).
 */
function claim(dir, waitMs, log) {
  const lock = `${dir}.lock`;
  const mine = `${lock}.${process.pid}.tmp`;
  const started = Date.now();
  let told = false;
  for (;;) {
    rmSync(mine, { recursive: true, force: true });
    mkdirSync(mine);
    writeFileSync(join(mine, "pid"), String(process.pid));
    try {
      renameSync(mine, lock);
      return "mine";
    } catch (e) {
      rmSync(mine, { recursive: true, force: true });
      if (e.code !== "EEXIST" && e.code !== "ENOTEMPTY") throw e;
    }
    if (settled(dir)) return "done";
    const owner = claimOwner(lock);
    if (owner !== null && !isAlive(owner)) {
      const aside = `${lock}.dead.${process.pid}`;
      try {
        renameSync(lock, aside);
        if (claimOwner(aside) === owner) rmSync(aside, { recursive: true, force: true });
        else renameSync(aside, lock); // a live claim replaced the dead one meanwhile: put it back
      } catch {
        // another waiter moved it first
      }
      continue;
    }
    if (Date.now() - started > waitMs) return "busy";
    if (!told) log(`tslab-kernel: waiting for process ${owner ?? "?"} to finish compiling src/`);
    told = true;
    sleep(200);
  }
}

/** Drops our claim (only ours: a claim moved aside as dead and retaken belongs to its new owner). */
function release(dir) {
  const lock = `${dir}.lock`;
  if (claimOwner(lock) === process.pid) rmSync(lock, { recursive: true, force: true });
}

/**
 * Removes builds neither among the newest KEEP_BUILDS (by last use) nor used in the last day, error
 * reports older than a day, and what a builder that died left behind (half-written builds and claims,
 * after an hour).
 */
function prune(root) {
  const now = Date.now();
  const entries = readdirSync(root).map((name) => {
    const path = join(root, name);
    let used = now;
    try {
      used = statSync(path).mtimeMs;
    } catch {
      // removed meanwhile
    }
    return { name, path, used };
  });
  const builds = entries.filter((e) => /^[0-9a-f]{16}$/.test(e.name)).sort((a, b) => b.used - a.used);
  for (const old of builds.slice(KEEP_BUILDS)) if (now - old.used > DAY_MS) rmSync(old.path, { recursive: true, force: true });
  for (const e of entries) {
    if (e.name.endsWith(".errors") && now - e.used > DAY_MS) rmSync(e.path, { force: true });
    if (/\.(tmp|lock)$/.test(e.name) && now - e.used > DAY_MS / 24) {
      if (e.name.endsWith(".lock") && isAlive(claimOwner(e.path) ?? -1)) continue;
      rmSync(e.path, { recursive: true, force: true });
    }
  }
}

/**
 * Compiles src/ once per content: returns { key, dir, built, seconds } with the build's directory,
 * { key, dir: null, errors } when src/ has type errors (kernels then compile src/ themselves, as plain
 * tslab, and a cell shows the errors), or { key, dir: null, busy: true } when another process was still
 * building after `waitMs`.
 */
export function prebuild(repo, { waitMs = Infinity, log = (line) => process.stderr.write(`${line}\n`) } = {}) {
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
  if (settled(dir)) return result(false);
  mkdirSync(root, { recursive: true });
  const claimed = claim(dir, waitMs, log);
  if (claimed === "busy") return { key, dir: null, built: false, busy: true };
  if (claimed === "done") return result(false);
  const tmp = `${dir}.${process.pid}.tmp`;
  try {
    if (settled(dir)) return result(false);
    log(`tslab-kernel: compiling src/ (${files.length} files) for the notebooks' kernels, once per change of src/ ...`);
    const { ts, converter } = tslab;
    const options = tslabOptions(ts, repo);
    const host = ts.createCompilerHost(options);
    host.getCurrentDirectory = () => repo; // not the caller's working directory
    const program = ts.createProgram(files, options, host);
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
    rmSync(tmp, { recursive: true, force: true });
    const emitted = program.emit(undefined, (fileName, data) => {
      const target = join(tmp, relative(options.outDir, fileName));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, fileName.endsWith(".js") ? converter.esModuleToCommonJSModule(data, options.target) : data);
    });
    if (emitted.emitSkipped) throw new Error("TypeScript skipped the emit of src/");
    try {
      renameSync(tmp, dir);
    } catch (e) {
      if (!existsSync(dir)) throw e; // else a racing builder finished first: its build is the same
    }
    prune(root);
    const out = result(true);
    log(`tslab-kernel: compiled src/ in ${out.seconds.toFixed(1)} s -> ${relative(repo, dir)}`);
    return out;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    release(dir);
  }
}

/**
 * Makes this process's TypeScript (tslab's) see src/x.d.ts from `dir` in place of src/x.ts, and Node
 * load src/x.js from `dir` under the path src/x.js. The build's file list is read once: a kernel keeps
 * serving the build it started with, and says so if that build is removed under it.
 */
function serve(repo, dir, ts) {
  const srcDir = join(repo, "src");
  const files = new Set(filesUnder(dir).map((p) => relative(dir, p)));
  const inSrc = (p) => p.startsWith(srcDir + sep);
  const has = (p) => files.has(relative(repo, p));
  const read = (p) => {
    try {
      return readFileSync(join(dir, relative(repo, p)), "utf8");
    } catch (e) {
      throw new Error(`tslab-kernel: ${relative(repo, dir)}, the prebuilt src/ this kernel runs, lost ${relative(repo, p)} (${e.code}); restart the kernel`);
    }
  };
  const sys = ts.sys;
  const { fileExists, readFile } = sys;
  sys.fileExists = (p) => {
    const a = resolve(p);
    if (inSrc(a)) {
      if (a.endsWith(".d.ts")) return has(a) || fileExists(p);
      if (/\.tsx?$/.test(a) && has(a.replace(/\.tsx?$/, ".d.ts"))) return false;
    }
    return fileExists(p);
  };
  sys.readFile = (p, encoding) => {
    const a = resolve(p);
    if (inSrc(a) && a.endsWith(".d.ts") && has(a)) return read(a);
    return readFile(p, encoding);
  };
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, ...rest) {
    if (/^\.\.?(\/|$)/.test(request) || isAbsolute(request)) {
      const a = resolve(parent?.filename ? dirname(parent.filename) : repo, request);
      const candidates = request.endsWith("/") ? [join(a, "index.js")] : [a, `${a}.js`, join(a, "index.js")];
      if (inSrc(a)) for (const c of candidates) if (c.endsWith(".js") && has(c)) return c;
    }
    return resolveFilename.call(this, request, parent, ...rest);
  };
  const loadJs = Module._extensions[".js"];
  Module._extensions[".js"] = function (module, filename) {
    if (inSrc(filename) && has(filename)) return module._compile(read(filename), filename);
    return loadJs(module, filename);
  };
}

function kernel() {
  const repo = process.cwd(); // kernel.json starts the kernel in the repository root
  const tslab = loadTslab(repo);
  if (process.env.LATENT_BRIDGE_TSLAB_PREBUILT !== "0") {
    try {
      const out = prebuild(repo, { waitMs: KERNEL_WAIT_MS });
      if (out.dir) serve(repo, out.dir, tslab.ts);
      else if (out.busy) process.stderr.write("tslab-kernel: another process is still compiling src/; this kernel compiles it itself\n");
      else process.stderr.write(`tslab-kernel: src/ has type errors (${out.errors[0]}${out.errors.length > 1 ? ", …" : ""}); this kernel compiles src/ itself\n`);
    } catch (e) {
      process.stderr.write(`tslab-kernel: could not prebuild src/ (${e?.message ?? e}); this kernel compiles it itself\n`);
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
