/**
 * The shared encoder lifecycle (src/encoders/trained/lifecycle.ts), on a toy family defined here
 * the way a new family is written — a spec type and resolver, a fit function, a (de)serialiser and
 * an embed method, nothing else — and on the real families' cache checks (the multilingual
 * encoder's cache once returned an encoder of another spec).
 *
 * The toy family "toy-diag": fit on an n × d matrix X, the encoder's weights are w_j = s_j · mean_i
 * |X_ij| for its first `dim` columns, with signs s_j = ±1 drawn from Random(seed); embed(x) = x_j · w_j.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Fail } from "../src/data/modelFile";
import { LOCALE_DIR } from "../src/data/text/gettext";
import { FileFormatError, InvalidParameterError } from "../src/errors";
import { Matrix } from "../src/linalg/matrix";
import { Random } from "../src/linalg/random";
import { assertInteger, assertSafeName, assertSeed } from "../src/validate";
import {
  cachedEncoder, cachedEncoderEmbeddings, cachedLanguageEncoder, cachedMultilingualEncoder, effectiveSpec, loadEncoder,
  loadParallelCorpus, saveEncoder, specCachePath, type EncoderBundle, type EncoderFamily, type ParallelCorpus,
} from "../src/encoders/trained/index";
import { shortHash, takeArray } from "../src/encoders/trained/persist";

interface ToySpec { id: string; seed: number; dim: number }

class ToyEncoder {
  disposed = 0;
  constructor(readonly spec: ToySpec, readonly w: Float32Array, readonly trainedOn: string) {}
  get id(): string {
    return `${this.spec.id}.${this.trainedOn}`;
  }
  get cacheVersion(): string {
    return `1-${shortHash(Array.from(this.w))}`;
  }
  embed(x: Matrix): Matrix {
    const out = new Matrix(x.rows, this.spec.dim);
    for (let i = 0; i < x.rows; i++) for (let j = 0; j < this.spec.dim; j++) out.data[i * this.spec.dim + j] = x.data[i * x.cols + j] * this.w[j];
    return out;
  }
  dispose(): void {
    this.disposed++;
  }
}

let fits = 0;
function toyFamily(version = 1): EncoderFamily<ToySpec, ToySpec, ToyEncoder, { x: Matrix; name: string }> {
  return {
    kind: "toy-diag",
    title: "toy encoder",
    version,
    resolve: (spec, prefix = "spec") => {
      if (spec === null || typeof spec !== "object") throw new InvalidParameterError(prefix, "expected a spec");
      assertInteger(spec.dim, `${prefix}.dim`, 1);
      return { id: assertSafeName(spec.id, `${prefix}.id`), seed: assertSeed(spec.seed, `${prefix}.seed`), dim: spec.dim };
    },
    quick: (s) => ({ ...s, dim: Math.min(s.dim, 2) }),
    fit: async (s, data) => {
      fits++;
      const rng = new Random(s.seed);
      const w = new Float32Array(s.dim);
      for (let j = 0; j < s.dim; j++) {
        let m = 0;
        for (let i = 0; i < data.x.rows; i++) m += Math.abs(data.x.data[i * data.x.cols + j]);
        w[j] = (rng.uniform() < 0.5 ? -1 : 1) * (m / data.x.rows);
      }
      return new ToyEncoder(s, w, data.name);
    },
    toBundle: (e) => ({ kind: "toy-diag", id: e.spec.id, spec: e.spec, meta: { version, trainedOn: e.trainedOn }, arrays: [{ name: "w", shape: [e.spec.dim], data: e.w }] }),
    fromBundle: (b: EncoderBundle, spec: ToySpec, fail: Fail) => new ToyEncoder(spec, takeArray(b, "w", [spec.dim], fail), String((b.meta as { trainedOn: unknown }).trainedOn)),
  };
}

let dir: string;
const savedCacheDir = process.env.LATENT_BRIDGE_CACHE_DIR;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "encoders-lifecycle-"));
  process.env.LATENT_BRIDGE_CACHE_DIR = join(dir, "cache");
});
afterAll(() => {
  if (savedCacheDir === undefined) delete process.env.LATENT_BRIDGE_CACHE_DIR;
  else process.env.LATENT_BRIDGE_CACHE_DIR = savedCacheDir;
  rmSync(dir, { recursive: true, force: true });
});

const X = new Matrix(3, 4, Float64Array.from([1, -2, 3, 4, -1, 2, -3, 0, 1, 2, 0, 4]));
const data = () => ({ x: X, name: "toyset" });

describe("a family through the lifecycle", () => {
  it("is fitted once per spec, saved under <id>-<hash>.json, read back identically; quick and full specs get their own files", async () => {
    const family = toyFamily();
    const spec = { id: "toy-a", seed: 1, dim: 4 };
    const full = effectiveSpec(family, spec, false), quick = effectiveSpec(family, spec, true);
    expect(quick.dim).toBe(2);
    const pathFull = specCachePath(family, full, join(dir, "toy")), pathQuick = specCachePath(family, quick, join(dir, "toy"));
    expect(pathFull).toMatch(/toy-a-[0-9a-f]{8}\.json$/);
    expect(pathQuick).not.toBe(pathFull);
    fits = 0;
    const first = await cachedEncoder(family, { spec: full, path: pathFull, data, trainedOn: "toyset" });
    // mean |X| per column: 1, 2, 2, 8/3; signs from Random(1).
    expect(Array.from(first.w, Math.abs)).toEqual(Array.from(Float32Array.from([1, 2, 2, 8 / 3])));
    const again = await cachedEncoder(family, { spec: full, path: pathFull, data, trainedOn: "toyset" });
    expect(fits).toBe(1);
    expect(again).not.toBe(first);
    expect(again.embed(X).data).toEqual(first.embed(X).data);
    await cachedEncoder(family, { spec: quick, path: pathQuick, data });
    expect(fits).toBe(2);
    const loaded = await loadEncoder<ToyEncoder>(family, pathFull);
    expect(loaded.spec).toEqual(full);
    expect(loaded.trainedOn).toBe("toyset");
  });

  it("refits, and says why, an entry of another spec, another corpus, another code version, or a corrupt one", async () => {
    const family = toyFamily();
    const a = { id: "toy-b", seed: 1, dim: 3 }, b = { id: "toy-b", seed: 2, dim: 3 };
    const path = join(dir, "toy", "shared.json");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      fits = 0;
      await cachedEncoder(family, { spec: a, path, data, trainedOn: "toyset" });
      const wrongSpec = await cachedEncoder(family, { spec: b, path, data, trainedOn: "toyset" });
      expect(wrongSpec.spec).toEqual(b);
      expect(String(warn.mock.calls.at(-1)![0])).toMatch(/toy encoder cache: .*holds another spec.*"seed":1.*"seed":2.*refitting/);
      const wrongCorpus = await cachedEncoder(family, { spec: b, path, data: () => ({ x: X, name: "other" }), trainedOn: "other" });
      expect(wrongCorpus.trainedOn).toBe("other");
      expect(String(warn.mock.calls.at(-1)![0])).toMatch(/was fitted on "toyset", not "other"/);
      const v2 = await cachedEncoder(toyFamily(2), { spec: b, path, data, trainedOn: "toyset" });
      expect(String(warn.mock.calls.at(-1)![0])).toMatch(/written by toy encoder code version 1, this is 2/);
      expect(v2.spec).toEqual(b);
      writeFileSync(path, readFileSync(path, "utf8").replace('"toyset"', '"toysex"'));
      await cachedEncoder(toyFamily(2), { spec: b, path, data, trainedOn: "toyset" });
      expect(String(warn.mock.calls.at(-1)![0])).toMatch(/checksum mismatch/);
      expect(fits).toBe(5);
      expect(warn).toHaveBeenCalledTimes(4);
    } finally {
      warn.mockRestore();
    }
  });

  it("reads a file with the family of its kind; another kind or a bad stored spec is a FileFormatError", async () => {
    const toy = toyFamily();
    const other: typeof toy = { ...toy, kind: "toy-other", title: "other encoder" };
    const path = join(dir, "toy", "kinds.json");
    saveEncoder(toy, await toy.fit({ id: "toy-c", seed: 0, dim: 2 }, data(), {}), path);
    expect((await loadEncoder<ToyEncoder>([other, toy], path)).spec.id).toBe("toy-c");
    await expect(loadEncoder(other, path)).rejects.toThrow(/holds a "toy-diag" encoder, expected "toy-other"/);
    await expect(loadEncoder([other], path)).rejects.toBeInstanceOf(FileFormatError);
    const bad = join(dir, "toy", "bad-spec.json");
    saveEncoder(toy, new ToyEncoder({ id: "../escape", seed: 0, dim: 2 }, new Float32Array(2), "toyset"), bad);
    await expect(loadEncoder(toy, bad)).rejects.toThrow(/bad spec: spec\.id/);
    await expect(loadEncoder(toy, join(dir, "toy", "absent.json"))).rejects.toThrow(/no such file/);
  });

  it("embeds through the embedding cache keyed by the encoder's id, version and seed", async () => {
    const family = toyFamily();
    const e = await family.fit({ id: "toy-d", seed: 4, dim: 4 }, data(), {});
    let calls = 0;
    const items = { dataset: "toy-rows", split: "train", subset: "all", count: 3, chunkSize: 2, embed: (s: number, t: number) => {
      calls++;
      return e.embed(new Matrix(t - s, 4, X.data.slice(s * 4, t * 4)));
    } };
    const first = await cachedEncoderEmbeddings(e, items);
    expect(calls).toBe(2);
    expect(first.data).toEqual(Float64Array.from(e.embed(X).data, Math.fround));
    expect((await cachedEncoderEmbeddings(e, items)).data).toEqual(first.data);
    expect(calls).toBe(2);
    const refit = await family.fit({ id: "toy-d", seed: 5, dim: 4 }, data(), {}); // same id, other weights and seed
    await cachedEncoderEmbeddings(refit, { ...items, embed: (s: number, t: number) => {
      calls++;
      return refit.embed(new Matrix(t - s, 4, X.data.slice(s * 4, t * 4)));
    } });
    expect(calls).toBe(4);
  });
});

const hasGettext = ["es", "fr", "ja"].every((l) => existsSync(join(LOCALE_DIR, l, "LC_MESSAGES")));

describe.skipIf(!hasGettext)("the multilingual and per-language caches compare what they hold with what is asked", () => {
  let train: ParallelCorpus;
  beforeAll(() => {
    train = loadParallelCorpus("gettext", { split: "train", limit: 600 });
  });

  it("an encoder cached for other languages is refitted, not returned (the same file name)", async () => {
    const cacheDir = join(dir, "parallel");
    const enEs = { ...train, languages: ["en", "es"], texts: { en: train.texts.en, es: train.texts.es } };
    const enFr = { ...train, languages: ["en", "fr"], texts: { en: train.texts.en, fr: train.texts.fr } };
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const a = await cachedMultilingualEncoder("gettext", { quick: true, dir: cacheDir, train: enEs, dim: 16 });
      expect(a.spec.languages).toEqual(["en", "es"]);
      const again = await cachedMultilingualEncoder("gettext", { quick: true, dir: cacheDir, train: enEs, dim: 16 });
      expect(again.digest).toBe(a.digest);
      expect(warn).not.toHaveBeenCalled();
      const b = await cachedMultilingualEncoder("gettext", { quick: true, dir: cacheDir, train: enFr, dim: 16 });
      expect(b.spec.languages).toEqual(["en", "fr"]);
      expect(String(warn.mock.calls[0][0])).toMatch(/multilingual encoder cache: .*holds another spec/);
      expect(await b.embed(["Open file"], "fr")).toBeInstanceOf(Matrix);
    } finally {
      warn.mockRestore();
    }
  });

  it("a per-language encoder is cached per language and checked against its spec", async () => {
    const cacheDir = join(dir, "parallel-lang");
    const es = await cachedLanguageEncoder("gettext", "es", { quick: true, dir: cacheDir, train, dim: 16 });
    expect(es.spec.id).toBe("lsa-es-16-s0");
    expect(es.trainedOn).toBe("gettext");
    const again = await cachedLanguageEncoder("gettext", "es", { quick: true, dir: cacheDir, train, dim: 16 });
    expect(again.digest).toBe(es.digest);
    const fr = await cachedLanguageEncoder("gettext", "fr", { quick: true, dir: cacheDir, train, dim: 16 });
    expect(fr.spec.id).toBe("lsa-fr-16-s0");
    expect(fr.digest).not.toBe(es.digest);
  });
});
