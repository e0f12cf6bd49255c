/**
 * scripts/tslab-kernel.mjs, the notebooks' kernel with src/ prebuilt: one build per content of src/
 * (declarations + CommonJS), reused, rebuilt after an edit, never made from a src/ with type errors,
 * made once when two processes ask at once; and a real kernel that type-checks cells against the
 * build's declarations and runs its CommonJS — or compiles src/ itself when told to or when src/ does
 * not type-check. Each case works in its own small repository (node_modules linked to this one's).
 */
import { describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "./notebookHarness";

const LAUNCHER = join(REPO, "scripts", "tslab-kernel.mjs");
const hasJupyter = spawnSync("/usr/bin/python3", ["-c", "import nbclient, nbformat"], { encoding: "utf8" }).status === 0;

interface Prebuilt { key: string; dir: string | null; built: boolean; errors?: string[] }

/** A repository with these src/ files, this repository's node_modules, scripts and kernelspec, an ES-module package like this one. */
function repoWith(files: Record<string, string>): string {
  const repo = mkdtempSync(join(tmpdir(), "lb-tslab-kernel-"));
  for (const [path, text] of Object.entries(files)) writeSrc(repo, path, text);
  writeFileSync(join(repo, "package.json"), JSON.stringify({ name: "tmp", private: true, type: "module" }));
  symlinkSync(join(REPO, "node_modules"), join(repo, "node_modules"));
  symlinkSync(join(REPO, "scripts"), join(repo, "scripts"));
  cpSync(join(REPO, "jupyter"), join(repo, "jupyter"), { recursive: true });
  return repo;
}

function writeSrc(repo: string, path: string, text: string) {
  mkdirSync(join(repo, "src", path, ".."), { recursive: true });
  writeFileSync(join(repo, "src", path), text);
}

function prebuild(repo: string): Prebuilt {
  const r = spawnSync("node", [LAUNCHER, "--prebuild", "--repo", repo], { encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Prebuilt;
}

const TWICE = "/** Doubles x. */\nexport const twice = (x: number): number => 2 * x;\n";
const QUADRUPLE = 'import { twice } from "../a";\nexport function quadruple(x: number): number {\n  return twice(twice(x));\n}\n';

describe("prebuilding src/ for the kernels", () => {
  it("compiles every src/ file into declarations and CommonJS once per content, and again after an edit", () => {
    const repo = repoWith({ "a.ts": TWICE, "b/index.ts": QUADRUPLE });
    const first = prebuild(repo);
    expect(first.built).toBe(true);
    expect(first.key).toMatch(/^[0-9a-f]{16}$/);
    expect(first.dir).toBe(join(repo, "build", "tslab", first.key));
    const dir = first.dir!;
    const declaration = readFileSync(join(dir, "src", "a.d.ts"), "utf8");
    expect(declaration).toContain("/** Doubles x. */");
    expect(declaration).toContain("export declare const twice: (x: number) => number;");
    expect(readFileSync(join(dir, "src", "b", "index.d.ts"), "utf8")).toContain("export declare function quadruple(x: number): number;");
    const js = readFileSync(join(dir, "src", "b", "index.js"), "utf8");
    expect(js).not.toMatch(/^\s*(import|export)\s/m); // CommonJS, as tslab runs it (the kernel test below runs it)
    expect(js).toContain('require("../a")');
    expect(js).toMatch(/exports\.quadruple = quadruple/);

    const again = prebuild(repo);
    expect(again).toMatchObject({ key: first.key, dir, built: false });

    writeSrc(repo, "a.ts", TWICE.replace("2 * x", "3 * x"));
    const edited = prebuild(repo);
    expect(edited.built).toBe(true);
    expect(edited.key).not.toBe(first.key);
    expect(readFileSync(join(edited.dir!, "src", "a.js"), "utf8")).toContain("3 * x");
    expect(existsSync(dir)).toBe(true); // an older build stays for a kernel still running on it
  }, 60_000);

  it("does not build a src/ with type errors: it names each error's file, line and column, once per content", () => {
    const repo = repoWith({ "a.ts": 'export const n: number = "x";\n' });
    const out = prebuild(repo);
    expect(out.dir).toBeNull();
    expect(out.errors).toEqual(["src/a.ts:1:14: Type 'string' is not assignable to type 'number'."]);
    expect(existsSync(join(repo, "build", "tslab", out.key))).toBe(false);
    expect(prebuild(repo)).toMatchObject({ key: out.key, dir: null, built: false, errors: out.errors });
  }, 60_000);

  it("two processes asking at once: one compiles, the other waits for its build", async () => {
    const repo = repoWith({ "a.ts": TWICE, "b/index.ts": QUADRUPLE });
    const ask = () => new Promise<Prebuilt>((done, fail) => {
      const child = spawn("node", [LAUNCHER, "--prebuild", "--repo", repo], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.on("error", fail);
      child.on("close", (code) => (code === 0 ? done(JSON.parse(out) as Prebuilt) : fail(new Error(`exit ${code}`))));
    });
    const [a, b] = await Promise.all([ask(), ask()]);
    expect([a.built, b.built].sort()).toEqual([false, true]);
    expect(a.dir).toBe(b.dir);
    expect(existsSync(`${a.dir}.lock`)).toBe(false);
  }, 60_000);

  it("takes over the claim of a builder that died, and builds", () => {
    const repo = repoWith({ "a.ts": TWICE });
    const { key } = prebuild(repo);
    rmSync(join(repo, "build", "tslab", key), { recursive: true });
    const dead = spawnSync("true").pid!; // exited: its pid names no live process (barring reuse within the test)
    mkdirSync(join(repo, "build", "tslab", `${key}.lock`));
    writeFileSync(join(repo, "build", "tslab", `${key}.lock`, "pid"), String(dead));
    expect(prebuild(repo)).toMatchObject({ key, built: true, dir: join(repo, "build", "tslab", key) });
    expect(existsSync(join(repo, "build", "tslab", `${key}.lock`))).toBe(false);
  }, 60_000);
});

/** Runs `cells` in a real kernel of `repo`'s kernelspec; returns each cell's text output or error. */
function runCells(repo: string, cells: string[], env: Record<string, string> = {}): string[] {
  const script = [
    "import json, sys, nbformat",
    "from nbclient import NotebookClient",
    "cells = json.loads(sys.argv[2])",
    "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])",
    'client = NotebookClient(nb, kernel_name="latent-bridge", timeout=120, allow_errors=True)',
    "with client.setup_kernel(cwd=sys.argv[1]):",
    "    for i, cell in enumerate(nb.cells): client.execute_cell(cell, i)",
    'out = lambda o: o.get("text") or (o.get("data") or {}).get("text/plain") or (o.get("ename", "") + ": " + o.get("evalue", ""))',
    'print(json.dumps([" ".join(out(o) for o in c.outputs).strip() for c in nb.cells]))',
  ].join("\n");
  const r = spawnSync("/usr/bin/python3", ["-c", script, repo, JSON.stringify(cells)], {
    encoding: "utf8", timeout: 240_000,
    env: { ...process.env, ...env, JUPYTER_PATH: join(repo, "jupyter"), JUPYTER_DATA_DIR: mkdtempSync(join(tmpdir(), "lb-tslab-jupyter-")) },
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as string[];
}

describe.runIf(hasJupyter)("the kernel on a prebuilt src/", () => {
  const cells = ['import { quadruple } from "./src/b/index";\nquadruple(3)', 'quadruple("3")'];

  it("type-checks cells against the build's declarations and runs the build's CommonJS", () => {
    const repo = repoWith({ "a.ts": TWICE, "b/index.ts": QUADRUPLE });
    const { dir } = prebuild(repo);
    // Mark the build, code and declarations: a kernel that compiled src/ itself would say 12, and refuse a string.
    const edit = (path: string, from: string, to: string) => writeFileSync(join(dir!, path), readFileSync(join(dir!, path), "utf8").replace(from, to));
    edit("src/a.js", "2 * x", "1000 * x");
    edit("src/b/index.d.ts", "quadruple(x: number)", "quadruple(x: number | string)");
    expect(runCells(repo, cells)).toEqual(["3000000", "3000000"]); // 1000 · 1000 · 3, and "3" coerced the same way
    const [value, misuse] = runCells(repo, cells, { LATENT_BRIDGE_TSLAB_PREBUILT: "0" }); // plain tslab
    expect(value).toBe("12");
    expect(misuse).toContain("Argument of type 'string' is not assignable to parameter of type 'number'");
  }, 240_000);

  it("compiles src/ itself when src/ does not type-check, so the cell shows the error", () => {
    const repo = repoWith({ "a.ts": TWICE + 'export const n: number = "x";\n', "b/index.ts": QUADRUPLE });
    const [value] = runCells(repo, cells.slice(0, 1));
    expect(value).toContain("Type 'string' is not assignable to type 'number'");
  }, 240_000);
});
