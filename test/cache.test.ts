import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { cachedEmbeddings, embeddingPaths, listCachedEmbeddings, readCachedEmbeddings, type EmbeddingKey } from "../src/data/cache";
import { Matrix } from "../src/linalg/matrix";
import { InvalidParameterError } from "../src/errors";

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
        if ((out.match(/chunk/g) ?? []).length >= 3 && !child.killed) child.kill("SIGKILL");
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
    const calls: number[] = [];
    expectValues(await cachedEmbeddings(KEY, { count: 40, chunkSize: 4, root, embed: embedder(calls) }), 40);
    expect(calls.length).toBe(10 - parts.length); // resumed: only the missing chunks were embedded
    expect(existsSync(p.parts)).toBe(false);
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

  it("refuses unsafe key parts and an encoder that returns the wrong number of rows", async () => {
    const root = mkdtempSync(join(tmpdir(), "lb-cache-bad-"));
    expect(() => embeddingPaths({ ...KEY, dataset: "../etc" }, root)).toThrow(InvalidParameterError);
    await expect(cachedEmbeddings(KEY, { count: 5, root, embed: () => new Matrix(2, 3) })).rejects.toThrow(/returned 2 rows/);
  });
});
