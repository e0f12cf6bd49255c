/**
 * The package as a user gets it (issue 14 item 8): a staging copy of the package is built and packed
 * (`npm pack`), the tarball is installed — offline: it has no dependencies to fetch — into a
 * temporary plain-JavaScript project (no TypeScript, no tsx), which imports it with node, fits IRP on
 * a small matrix, and saves and applies a model through the installed `latent-bridge` command. A
 * TypeScript project with `moduleResolution: nodenext` then type-checks against the installed types.
 *
 * The repository's own dist/ is left alone (other test files spawn bin/ meanwhile): the staging copy
 * is built with `scripts/build.mjs --outdir`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readNpyMatrix } from "../src/io/npy";
import { blasAvailable } from "./helpers";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
let work: string, consumer: string, tarball: string;

const sh = (cmd: string, args: string[], cwd: string) => {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: 240_000, env: { ...process.env, npm_config_update_notifier: "false" } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
};

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "latent-bridge-pack-"));
  const staging = join(work, "staging");
  mkdirSync(staging);
  for (const f of ["package.json", "README.md", "LICENSE", "CHANGELOG.md"]) cpSync(join(ROOT, f), join(staging, f));
  cpSync(join(ROOT, "bin"), join(staging, "bin"), { recursive: true });
  execFileSync(process.execPath, [join(ROOT, "scripts", "build.mjs"), "--outdir", join(staging, "dist")], { cwd: ROOT, stdio: "pipe", timeout: 240_000 });
  const packed = JSON.parse(sh("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], staging)) as Array<{ filename: string }>;
  tarball = join(work, packed[0].filename);
  consumer = join(work, "consumer");
  mkdirSync(consumer);
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true, type: "module" }, null, 2));
  // --offline: nothing may come from the registry (there are no dependencies, and the optional peers are not installed).
  sh("npm", ["install", "--offline", "--no-audit", "--no-fund", tarball], consumer);
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("npm pack → npm install → node", () => {
  it("installs the tarball alone: no dependency, no optional peer, nothing but dist/, bin/ and the docs", () => {
    const installed = join(consumer, "node_modules");
    expect(readdirSync(installed).filter((n) => !n.startsWith(".")).sort()).toEqual(["latent-bridge"]);
    const files = readdirSync(join(installed, "latent-bridge")).sort();
    expect(files).toEqual(["CHANGELOG.md", "LICENSE", "README.md", "bin", "dist", "package.json"]);
    expect(JSON.parse(readFileSync(join(installed, "latent-bridge", "package.json"), "utf8")).version).toBe(pkg.version);
  });

  it("a plain-JavaScript program imports it, fits IRP, saves a model; the installed command applies it with the same bits", () => {
    const program = `
import { InverseRelativeProjection, Matrix, loadTranslator, readNpyMatrix, saveTranslator, writeNpyMatrix } from "latent-bridge";
import { chooseIrpParameters } from "latent-bridge/eval";
const rows = (n, d, f) => Matrix.from(Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) => f(i, j))));
const anchorsX = rows(60, 6, (i, j) => Math.sin(1.3 * i + j * j));
const anchorsY = rows(60, 4, (i, j) => Math.cos(0.7 * i - 2 * j) + Math.sin(1.3 * i + j));
const queries = rows(25, 6, (i, j) => Math.sin(1.3 * (i + 60) + j * j));
const irp = new InverseRelativeProjection({ omega: 8, delta: 0.3 }).fit(anchorsX, anchorsY);
writeNpyMatrix("a.npy", anchorsX); writeNpyMatrix("b.npy", anchorsY); writeNpyMatrix("x.npy", queries);
writeNpyMatrix("y_library.npy", irp.transform(queries));
saveTranslator(irp, "library-model.npz");
const back = loadTranslator("library-model.npz").transform(queries);
const choice = chooseIrpParameters({ anchorsX, anchorsY, omegas: [1, 4], deltas: [0, 0.3], progress: false });
console.log(JSON.stringify({ kept: irp.diagnostics.meanAnchorsKept, same: back.data.every((v, i) => v === irp.transform(queries).data[i]), omega: choice.omega, rows: readNpyMatrix("y_library.npy").rows }));
`;
    writeFileSync(join(consumer, "program.mjs"), program);
    const out = JSON.parse(sh(process.execPath, ["program.mjs"], consumer));
    expect(out).toMatchObject({ same: true, rows: 25 });
    expect(out.kept).toBeGreaterThan(1);
    const bin = join(consumer, "node_modules", ".bin", "latent-bridge");
    const fit = JSON.parse(sh(bin, ["fit", "--method", "irp", "--omega", "8", "--delta", "0.3", "--source-anchors", "a.npy", "--target-anchors", "b.npy", "--save", "model.npz", "--json"], consumer));
    expect(fit).toMatchObject({ command: "fit", method: "irp", sourceDim: 6, targetDim: 4 });
    sh(bin, ["apply", "--model", "model.npz", "--input", "x.npy", "--output", "y_cli.npy"], consumer);
    expect(readFileSync(join(consumer, "y_cli.npy"))).toEqual(readFileSync(join(consumer, "y_library.npy")));
    expect(sh(bin, ["--version"], consumer).trim()).toBe(pkg.version);
  });

  it("importing the core loads nothing from node_modules but latent-bridge itself; a subpath needing an absent optional peer says which", () => {
    const probe = `
import { createRequire } from "node:module";
await import("latent-bridge");
const loaded = Object.keys(createRequire(import.meta.url).cache);
let peer = "";
try { await import("latent-bridge/data/images"); } catch (e) { peer = String(e.code ?? e.name) + " " + String(e.message).split("\\n")[0]; }
console.log(JSON.stringify({ loaded, peer }));`;
    writeFileSync(join(consumer, "probe.mjs"), probe);
    const r = JSON.parse(sh(process.execPath, ["probe.mjs"], consumer));
    expect(r.loaded).toEqual([]);
    // data/images imports pngjs (an optional peer, not installed here): a plain module-not-found naming it.
    expect(r.peer).toMatch(/ERR_MODULE_NOT_FOUND .*pngjs/);
  });

  it("a TypeScript project with moduleResolution nodenext resolves the types (wrong options are type errors, so they are not any)", () => {
    const ts = join(consumer, "typed");
    mkdirSync(ts);
    writeFileSync(join(ts, "package.json"), JSON.stringify({ name: "typed", private: true, type: "module" }));
    writeFileSync(join(ts, "tsconfig.json"), JSON.stringify({
      compilerOptions: {
        module: "nodenext", moduleResolution: "nodenext", target: "es2022", strict: true, noEmit: true, skipLibCheck: false,
        types: ["node"], typeRoots: [join(ROOT, "node_modules", "@types")],
      },
      include: ["main.ts"],
    }));
    writeFileSync(join(ts, "main.ts"), `
import { InverseRelativeProjection, Matrix, loadTranslator, transformFile, type IrpDiagnostics, type Translator } from "latent-bridge";
import { chooseIrpParameters, type ParameterChoice } from "latent-bridge/eval";
const irp = new InverseRelativeProjection({ omega: 4, delta: 0.5 });
const t: Translator = loadTranslator("model.npz");
const d: IrpDiagnostics = irp.fit(Matrix.from([[1, 2], [3, 4], [5, 7]]), Matrix.from([[1], [2], [4]])).diagnostics;
const choice: ParameterChoice = chooseIrpParameters({ anchorsX: [[1, 2], [2, 1], [0, 3]], anchorsY: [[1], [0], [2]] });
const rows: Promise<number> = transformFile(t, "x.npy", "y.npy").then((r) => r.rows);
// @ts-expect-error: no such option (the types are real, not any)
new InverseRelativeProjection({ omgea: 3 });
// @ts-expect-error: delta is a number
new InverseRelativeProjection({ delta: "0.5" });
void d; void choice; void rows;
`);
    // The stricter subpath check: node_modules/latent-bridge's declarations, type-checked (skipLibCheck false).
    const r = spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "."], { cwd: ts, encoding: "utf8", timeout: 120_000 });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  // Last: it installs koffi into the consumer (the tests above hold that nothing else is installed).
  it("--kernels blas: without koffi an error saying to install it; with `npm install koffi` (npm's cache first, else the registry) the BLAS result", () => {
    const bin = join(consumer, "node_modules", ".bin", "latent-bridge");
    const args = ["translate", "--method", "irp", "--omega", "8", "--delta", "0.3", "--source-anchors", "a.npy", "--target-anchors", "b.npy", "--input", "x.npy"];
    const missing = spawnSync(bin, [...args, "--output", "y_missing.npy", "--kernels", "blas"], { cwd: consumer, encoding: "utf8" });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/need the npm package koffi/);
    if (!blasAvailable()) return; // no OpenBLAS here (CI has it: test/linalg-blas.test.ts requires it there)
    // --prefer-offline, not --offline: `npm ci` caches the tarball but not always the registry's metadata, so a fresh
    // machine's cache may not answer `koffi@x.y.z` alone (ENOTCACHED); the npm registry is reachable here and in CI.
    sh("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", `koffi@${pkg.devDependencies.koffi}`], consumer);
    const run = spawnSync(bin, [...args, "--output", "y_blas.npy", "--kernels", "blas", "--json"], { cwd: consumer, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    const wasm = readNpyMatrix(join(consumer, "y_library.npy")).data, blas = readNpyMatrix(join(consumer, "y_blas.npy")).data;
    expect(blas.length).toBe(wasm.length);
    for (let i = 0; i < wasm.length; i++) expect(Math.abs(blas[i] - wasm[i])).toBeLessThan(1e-12);
  }, 120_000);
});
