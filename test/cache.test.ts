import { describe, expect, it, vi } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { cachedEmbeddings, embeddingPaths, listCachedEmbeddings, readCachedEmbeddings, type EmbeddingKey } from "../src/data/cache";
import { Matrix } from "../src/linalg/matrix";
import { FileFormatError, InvalidParameterError } from "../src/errors";
import { loadOrFit, oneAtATime, sameSpec, type LoadOrFitOptions } from "../src/data/loadOrFit";
import { writeFileAtomic } from "../src/io/atomicWrite";

const KEY: EmbeddingKey = { dataset: "toy", split: "train", subset: "all", encoder: "slow", version: 1, seed: 0 };
const value = (i: number, j: number) => i * 10 + j + 0.25;
const REPO = resolve(import.meta.dirname, "..");

function embedder(calls: number[]) {
  return (start: number, end: number) => {
    calls.push(start);
    const m = new Matrix(end - start, 3);
    for (let i = start; i < end; i++) for (let j = 0; j < 3; j++) m.set(i - start, j, value(i, j));
    return m;
  };
}

function expectValues(m: Matrix, count: number) {
  expect(m.shape).toEqual([count, 3]);
  for (let i = 0; i < count; i++) for (let j = 0; j < 3; j++) expect(m.get(i, j)).toBe(value(i, j));
}

describe("embedding cache", () => {
  it("computes once, then reads back the same values without calling the encoder", async () => {
    const root = mkdtempSync(join(tmpdir(), "lb-cache-"));
    const calls: number[] = [];
    expectValues(await cachedEmbeddings(KEY, { count: 10, chunkSize: 4, root, embed: embedder(calls) }), 10);
    expect(calls).toEqual([0, 4, 8]);
    expectValues(await cachedEmbeddings(KEY, { count: 10, chunkSize: 4, root, embed: embedder(calls) }), 10);
    expect(calls).toEqual([0, 4, 8]);
    expect(listCachedEmbeddings(root).map((m) => m.key.encoder)).toEqual(["slow"]);
    // Another version is another entry.
    await cachedEmbeddings({ ...KEY, version: 2 }, { count: 10, chunkSize: 4, root, embed: embedder(calls) });
    expect(calls).toEqual([0, 4, 8, 0, 4, 8]);
  });

  it("survives a kill during the run: finished chunks are kept, no partial file is read", async () => {
    const root = mkdtempSync(join(tmpdir(), "lb-cache-kill-"));
    const child = spawn(process.execPath, [join(REPO, "node_modules", "tsx", "dist", "cli.mjs"), join(REPO, "test", "fixtures", "cache-child.ts"), root, "40", "4", "150", "4"], { cwd: REPO });
    let out = "";
    await new Promise<void>((done, fail) => {
      child.stdout.on("data", (d) => {
        out += String(d);
        if ((out.match(/chunk/g) ?? []).length >= 3 && !child.killed) {
          // The script's own process (tsx's child) holds the entry's claim: kill it, not just tsx.
          process.kill(Number(/pid (\d+)/.exec(out)![1]), "SIGKILL");
          child.kill("SIGKILL");
        }
      });
      child.on("exit", () => done());
      child.on("error", fail);
    });
    expect(out).not.toContain("finished");
    const p = embeddingPaths(KEY, root);
    expect(existsSync(p.npy)).toBe(false);
    expect(readCachedEmbeddings(KEY, root)).toBeUndefined();
    const parts = readdirSync(p.parts).filter((f) => f.endsWith(".npy"));
    // "chunk N" is printed before that chunk is written, so at least the first two are on disk.
    expect(parts.length).toBeGreaterThanOrEqual(2);
    // The killed process's claim is still on disk; its pid is gone, so the lock is taken over.
    expect(existsSync(`${p.npy}.lock`)).toBe(true);
    const calls: number[] = [];
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      expectValues(await cachedEmbeddings(KEY, { count: 40, chunkSize: 4, root, embed: embedder(calls) }), 40);
      expect(String(warn.mock.calls.map((c) => c[0]).join("\n"))).toMatch(/cache lock: taking over .*slow@1-s0\.npy: .*stale \(its process \d+ is gone\)/);
    } finally {
      warn.mockRestore();
    }
    expect(calls.length).toBe(10 - parts.length); // resumed: only the missing chunks were embedded
    expect(existsSync(p.parts)).toBe(false);
    expect(existsSync(`${p.npy}.lock`)).toBe(false);
  }, 60_000);

  it("detects a corrupt entry (bad checksum, truncated data, unreadable metadata) and recomputes it", async () => {
    const root = mkdtempSync(join(tmpdir(), "lb-cache-corrupt-"));
    const calls: number[] = [];
    await cachedEmbeddings(KEY, { count: 6, root, embed: embedder(calls) });
    const p = embeddingPaths(KEY, root);
    const bytes = readFileSync(p.npy);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(p.npy, bytes);
    expectValues(await cachedEmbeddings(KEY, { count: 6, root, embed: embedder(calls) }), 6);
    expect(calls.length).toBe(2);
    writeFileSync(p.npy, readFileSync(p.npy).subarray(0, 100));
    expectValues(await cachedEmbeddings(KEY, { count: 6, root, embed: embedder(calls) }), 6);
    expect(calls.length).toBe(3);
    writeFileSync(p.meta, "{ not json");
    expectValues(await cachedEmbeddings(KEY, { count: 6, root, embed: embedder(calls) }), 6);
    expect(calls.length).toBe(4);
  });

  it("computes an entry once when two requests for it run at the same time", async () => {
    const root = mkdtempSync(join(tmpdir(), "lb-cache-concurrent-"));
    const calls: number[] = [];
    const slow = async (start: number, end: number) => {
      await new Promise((r) => setTimeout(r, 5));
      return embedder(calls)(start, end);
    };
    const [a, b] = await Promise.all([
      cachedEmbeddings(KEY, { count: 12, chunkSize: 4, root, embed: slow }),
      cachedEmbeddings(KEY, { count: 12, chunkSize: 4, root, embed: slow }),
    ]);
    expect(calls).toEqual([0, 4, 8]); // the second request read what the first wrote
    expectValues(a, 12);
    expectValues(b, 12);
  });

  it("refuses unsafe key parts and an encoder that returns the wrong number of rows", async () => {
    const root = mkdtempSync(join(tmpdir(), "lb-cache-bad-"));
    expect(() => embeddingPaths({ ...KEY, dataset: "../etc" }, root)).toThrow(InvalidParameterError);
    await expect(cachedEmbeddings(KEY, { count: 5, root, embed: () => new Matrix(2, 3) })).rejects.toThrow(/returned 2 rows/);
  });
});

/** A toy fitted model: its spec and one number; files are "<spec>:<value>" (corruptible, checked). */
interface Toy { spec: { id: string; seed: number }; value: number; disposed: boolean }

function toyCache(path: string, spec: Toy["spec"], fits: Toy[], disposed: Toy[] = []): LoadOrFitOptions<Toy> {
  return {
    path, what: "toy",
    load: (p) => {
      const m = /^(\{.*\}):(\d+)$/.exec(readFileSync(p, "utf8"));
      if (!m) throw new FileFormatError(p, "not a toy file");
      return { spec: JSON.parse(m[1]), value: Number(m[2]), disposed: false };
    },
    mismatch: (t) => (sameSpec(t.spec, spec) ? undefined : `holds spec ${JSON.stringify(t.spec)}`),
    fit: async () => {
      await new Promise((r) => setTimeout(r, 5));
      const t = { spec, value: 100 + spec.seed, disposed: false };
      fits.push(t);
      return t;
    },
    save: (t, p) => writeFileAtomic(p, `${JSON.stringify(t.spec)}:${t.value}`),
    dispose: (t) => {
      t.disposed = true;
      disposed.push(t);
    },
  };
}

describe("fitted-model cache (loadOrFit)", () => {
  it("fits once and saves; later requests read the file without fitting", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "lb-fit-")), "sub", "toy.txt");
    const fits: Toy[] = [];
    const spec = { id: "a", seed: 1 };
    const first = await loadOrFit(toyCache(path, spec, fits));
    expect(first.value).toBe(101);
    expect(readFileSync(path, "utf8")).toBe('{"id":"a","seed":1}:101');
    const second = await loadOrFit(toyCache(path, spec, fits));
    expect(second.value).toBe(101);
    expect(second).not.toBe(first); // read back, not the object in memory
    expect(fits.length).toBe(1);
    expect(readdirSync(join(path, "..")).filter((f) => f.startsWith(".lb-tmp-"))).toEqual([]); // atomic write left no temp file
  });

  it("refits (and says so) a corrupt entry and one fitted for another spec; the rejected entry is disposed", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "lb-fit-bad-")), "toy.txt");
    const fits: Toy[] = [], disposed: Toy[] = [];
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      writeFileSync(path, "garbage");
      expect((await loadOrFit(toyCache(path, { id: "a", seed: 1 }, fits))).value).toBe(101);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/toy cache: .*not a toy file; refitting/);
      // Same file, another spec: never used silently.
      expect((await loadOrFit(toyCache(path, { id: "a", seed: 2 }, fits, disposed))).value).toBe(102);
      expect(warn).toHaveBeenCalledTimes(2);
      expect(String(warn.mock.calls[1][0])).toMatch(/holds spec \{"id":"a","seed":1\}; refitting/);
      expect(disposed.map((t) => t.value)).toEqual([101]);
      expect(fits.map((t) => t.value)).toEqual([101, 102]);
      expect(readFileSync(path, "utf8")).toBe('{"id":"a","seed":2}:102');
    } finally {
      warn.mockRestore();
    }
  });

  it("fits an entry once when requests for it overlap, and lets other errors through", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "lb-fit-overlap-")), "toy.txt");
    const fits: Toy[] = [];
    const spec = { id: "a", seed: 3 };
    const all = await Promise.all([1, 2, 3].map(() => loadOrFit(toyCache(path, spec, fits))));
    expect(fits.length).toBe(1);
    expect(all.map((t) => t.value)).toEqual([103, 103, 103]);
    // An error that is not a FileFormatError (here: from load) is not mistaken for a corrupt entry.
    const broken = { ...toyCache(path, spec, fits), load: () => { throw new RangeError("disk on fire"); } };
    await expect(loadOrFit(broken)).rejects.toThrow(RangeError);
    // A failed task does not block the next one on the same path.
    expect((await loadOrFit(toyCache(path, spec, fits))).value).toBe(103);
    expect(fits.length).toBe(1);
  });

  it("oneAtATime runs tasks on one path in order and tasks on other paths independently", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lb-fit-order-"));
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`${name}+`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`${name}-`);
      return name;
    };
    await Promise.all([
      oneAtATime(join(dir, "x"), task("a", 20)), oneAtATime(join(dir, "x"), task("b", 1)), oneAtATime(join(dir, "y"), task("c", 1)),
    ]);
    expect(log.indexOf("b+")).toBeGreaterThan(log.indexOf("a-")); // same path: b waited for a
    expect(log.indexOf("c-")).toBeLessThan(log.indexOf("a-")); // other path: c did not
  });

  it("sameSpec compares specs as data, whatever the key order", () => {
    expect(sameSpec({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 })).toBe(true);
    expect(sameSpec({ a: 1, b: [1, 2] }, { a: 1, b: [2, 1] })).toBe(false);
    expect(sameSpec({ a: 1 }, { a: 1, b: undefined })).toBe(true); // JSON drops undefined, as the files do
    expect(sameSpec({ a: 1 }, { a: 1, b: null })).toBe(false);
  });
});
