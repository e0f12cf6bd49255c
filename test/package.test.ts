/**
 * The package as built (issue 14 item 1): package.json's entry points agree with the build's, the
 * tarball holds only what a user needs, the core loads no npm package at all, and the command line
 * starts without TypeScript. (test/pack-install.test.ts installs the tarball and uses it.)
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain-JavaScript build script, without declarations
import { ENTRIES, expectedExports } from "../scripts/build.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const PROBE = join(ROOT, "test", "fixtures", "load-probe.mjs");

/** Every module a fresh node process loaded for `entry` (and, with "core", a fit and an .npy round trip). */
function modulesLoadedBy(entry: string, exercise?: "core"): string[] {
  const out = execFileSync(process.execPath, [PROBE, join(ROOT, entry), ...(exercise ? [exercise] : [])], { encoding: "utf8", timeout: 60_000 });
  const { esm, cjs } = JSON.parse(out) as { esm: string[]; cjs: string[] };
  return [...esm, ...cjs];
}

const packagesIn = (modules: string[]) =>
  [...new Set(modules.filter((m) => m.includes("/node_modules/")).map((m) => m.split("/node_modules/").pop()!.split("/").slice(0, 2).join("/")))];

describe("package.json", () => {
  it("exports the core at '.' and one subpath per experiment layer, as scripts/build.mjs builds them", () => {
    expect(pkg.exports).toEqual(expectedExports());
    expect(Object.keys(ENTRIES)).toEqual(expect.arrayContaining([".", "./stitching", "./scale", "./heads", "./data/images", "./data/text", "./encoders/trained", "./plot", "./table"]));
    expect(pkg.main).toBe("./dist/index.js");
    expect(pkg.types).toBe("./dist/types/index.d.ts");
  });

  it("has no runtime dependencies; the notebook and figure packages are optional peers (and dev dependencies for this repository)", () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    for (const name of ["@tensorflow/tfjs", "danfojs-node", "plotly.js-dist-min", "playwright-core", "tslab", "nsfwjs"]) {
      expect(pkg.peerDependencies[name], name).toBe(pkg.devDependencies[name]);
      expect(pkg.peerDependenciesMeta[name], name).toEqual({ optional: true });
    }
    expect(pkg.peerDependencies.tsx).toBeUndefined();
  });

  it("packs dist, bin, README, LICENSE and CHANGELOG only (no src, tests, notebooks or figures)", () => {
    const r = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const files = (JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path);
    const tops = new Set(files.map((f) => f.split("/")[0]));
    expect([...tops].sort()).toEqual(["CHANGELOG.md", "LICENSE", "README.md", "bin", "dist", "package.json"]);
    expect(files).toContain("dist/index.js");
    expect(files).toContain("dist/cli.js");
    expect(files).toContain("bin/latent-bridge.mjs");
  });
});

describe("the built core", () => {
  it("loads no npm package — no TensorFlow.js, plotly, danfo or playwright — when imported and used", () => {
    const modules = modulesLoadedBy("dist/index.js", "core");
    expect(modules.some((m) => m.endsWith("/dist/index.js"))).toBe(true);
    expect(packagesIn(modules)).toEqual([]);
    expect(modules.filter((m) => /tfjs|plotly|danfo|playwright/.test(m))).toEqual([]);
  });

  it("the probe sees npm packages when an entry does load one (data/images imports pngjs)", () => {
    expect(packagesIn(modulesLoadedBy("dist/data/images.js"))).toContain("pngjs/lib");
  });

  it("the command line loads no npm package either (--help)", () => {
    const r = spawnSync(process.execPath, [join(ROOT, "bin", "latent-bridge.mjs"), "--help"], { encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^latent-bridge \d+\.\d+\.\d+/);
    const bin = readFileSync(join(ROOT, "bin", "latent-bridge.mjs"), "utf8");
    expect(bin).not.toMatch(/(import|from)\s*\(?\s*["']tsx/);
    expect(packagesIn(modulesLoadedBy("dist/cli.js"))).toEqual([]);
  });
});
