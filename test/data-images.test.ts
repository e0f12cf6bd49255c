import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import { FileFormatError, InvalidParameterError, LatentBridgeError } from "../src/errors";
import { MissingDataError } from "../src/errors";
import {
  FASHION_MNIST_CLASS_NAMES, FASHION_MNIST_DIR_ENV, FASHION_MNIST_LICENSE, fashionMnistBatch, fashionMnistPixels,
  fnv1a32, loadFashionMnist, parseIdxImages, parseIdxLabels,
} from "../src/data/images/fashionMnist";
import { classCounts, stratifiedSubset } from "../src/data/subset";
import { greyToRgb, resizeBilinear } from "../src/data/images/resize";
import {
  alignEmojiSets, decodePng, EMOJI_LICENSE, EMOJI_TEST_FRACTION, emojiBatch, emojiImagePath, emojiPixels, loadEmoji,
} from "../src/data/images/emoji";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const FIXTURE = join(ROOT, "data", "fixtures", "fashion-mnist");
const DEBIAN = "/usr/share/datasets/fashion-mnist";
const hasDebian = existsSync(join(DEBIAN, "train-images-idx3-ubyte.gz"));

/** First labels of the official Fashion-MNIST test split (t10k-labels-idx1-ubyte). */
const TEST_LABELS = [9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5, 7, 3, 4, 1, 2, 4, 8, 0];
const TRAIN_LABELS = [9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 0, 9, 5, 5, 7, 9, 1, 0, 6, 4];
/** Printed by scripts/make-data-fixtures.ts from the Debian file (and checked with Python's gzip). */
const TEST_IMAGE0_SUM = 33456;
const TEST_IMAGE0_FNV = 0x993077db;
const TRAIN_IMAGE0_SUM = 76247;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "lb-data-images-"));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the call to throw");
}

/** A copy of the fixture folder in tmp, with `mutate` applied to the named file's bytes. */
function brokenCopy(name: string, file: string, mutate: (bytes: Uint8Array) => Uint8Array): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const f of ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]) copyFileSync(join(FIXTURE, f), join(dir, f));
  writeFileSync(join(dir, file), mutate(new Uint8Array(readFileSync(join(FIXTURE, file)))));
  return dir;
}

function minOf(a: ArrayLike<number>): number {
  let m = Infinity;
  for (let i = 0; i < a.length; i++) m = Math.min(m, a[i]);
  return m;
}

function maxOf(a: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < a.length; i++) m = Math.max(m, a[i]);
  return m;
}

function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

describe("Fashion-MNIST", () => {
  it("parses the committed 20-image fixture (real test split) with the known first labels", () => {
    const d = loadFashionMnist({ split: "test", dir: FIXTURE });
    expect(d.count).toBe(20);
    expect(d.height).toBe(28);
    expect(d.width).toBe(28);
    expect(d.images).toBeInstanceOf(Uint8Array);
    expect(d.images.length).toBe(20 * 784);
    expect(Array.from(d.labels)).toEqual(TEST_LABELS);
    expect(d.classNames).toEqual([...FASHION_MNIST_CLASS_NAMES]);
    expect(d.classNames).toHaveLength(10);
    expect(d.classNames[9]).toBe("Ankle boot");
    expect(d.license).toBe(FASHION_MNIST_LICENSE);
    expect(d.license).toContain("MIT");
  });

  it("image 0's pixel checksum equals the one printed from the Debian file", () => {
    const d = loadFashionMnist({ split: "test", dir: FIXTURE });
    const img0 = d.images.subarray(0, 784);
    expect(sum(img0)).toBe(TEST_IMAGE0_SUM);
    expect(fnv1a32(img0)).toBe(TEST_IMAGE0_FNV);
    // Not a blank or constant image: a real picture with background and foreground.
    expect(img0[0]).toBe(0);
    expect(maxOf(img0)).toBeGreaterThan(200);
  });

  it("reads the train fixture and honours limit (first items, in file order)", () => {
    const d = loadFashionMnist({ split: "train", dir: FIXTURE });
    expect(Array.from(d.labels)).toEqual(TRAIN_LABELS);
    expect(sum(d.images.subarray(0, 784))).toBe(TRAIN_IMAGE0_SUM);
    const five = loadFashionMnist({ split: "train", dir: FIXTURE, limit: 5 });
    expect(five.count).toBe(5);
    expect(Array.from(five.labels)).toEqual(TRAIN_LABELS.slice(0, 5));
    expect(Array.from(five.images)).toEqual(Array.from(d.images.subarray(0, 5 * 784)));
    expect(loadFashionMnist({ split: "train", dir: FIXTURE, limit: 1000 }).count).toBe(20);
  });

  it("a gz file cut in half gives a FileFormatError naming the file", () => {
    const file = "t10k-images-idx3-ubyte.gz";
    const dir = brokenCopy("half", file, (b) => b.subarray(0, b.length >> 1));
    const e = catchError(() => loadFashionMnist({ split: "test", dir }));
    expect(e).toBeInstanceOf(FileFormatError);
    expect((e as FileFormatError).argument).toBe(join(dir, file));
    expect(e.message).toContain(join(dir, file));
    expect(e.message).toMatch(/gzip/);
  });

  it("a wrong magic number gives a FileFormatError naming the file and the expected magic", () => {
    const file = "t10k-images-idx3-ubyte.gz";
    const dir = brokenCopy("magic", file, (b) => {
      const raw = new Uint8Array(gunzipSync(b));
      raw[3] = 0x01; // 2051 → 2049: a labels header on an images file
      return gzipSync(raw);
    });
    const e = catchError(() => loadFashionMnist({ split: "test", dir }));
    expect(e).toBeInstanceOf(FileFormatError);
    expect((e as FileFormatError).argument).toBe(join(dir, file));
    expect(e.message).toContain("2051");
    expect(e.message).toContain("found 2049");
  });

  it("a count that does not match the data, or labels that do not match the images, is a FileFormatError", () => {
    const images = "t10k-images-idx3-ubyte.gz";
    const dir = brokenCopy("count", images, (b) => {
      const raw = new Uint8Array(gunzipSync(b));
      raw[7] = 21; // header says 21 images, data holds 20
      return gzipSync(raw);
    });
    const e = catchError(() => loadFashionMnist({ split: "test", dir }));
    expect(e).toBeInstanceOf(FileFormatError);
    expect(e.message).toContain(join(dir, images));
    expect(e.message).toContain("21 images");

    const labels = "t10k-labels-idx1-ubyte.gz";
    const dir2 = brokenCopy("labelcount", labels, (b) => {
      const raw = new Uint8Array(gunzipSync(b)).slice(0, 8 + 19);
      raw[7] = 19;
      return gzipSync(raw);
    });
    const e2 = catchError(() => loadFashionMnist({ split: "test", dir: dir2 }));
    expect(e2).toBeInstanceOf(FileFormatError);
    expect((e2 as FileFormatError).argument).toBe(join(dir2, labels));
    expect(e2.message).toMatch(/20/);
  });

  it("parses uncompressed IDX bytes too, and rejects a header-only stub", () => {
    const raw = new Uint8Array(gunzipSync(readFileSync(join(FIXTURE, "t10k-labels-idx1-ubyte.gz"))));
    expect(Array.from(parseIdxLabels(raw, "x"))).toEqual(TEST_LABELS);
    const e = catchError(() => parseIdxImages(raw.subarray(0, 6), "stub.idx"));
    expect(e).toBeInstanceOf(FileFormatError);
    expect(e.message).toContain("stub.idx");
  });

  it("a missing directory names the setup command (scripts/setup.sh)", () => {
    const missing = join(tmp, "no-such-dir");
    const e = catchError(() => loadFashionMnist({ split: "train", dir: missing }));
    expect(e).toBeInstanceOf(MissingDataError);
    expect(e).toBeInstanceOf(LatentBridgeError);
    expect(e.message).toContain("bash scripts/setup.sh");
    expect(e.message).toContain("dataset-fashion-mnist");
    expect(e.message).toContain(missing);

    const saved = process.env[FASHION_MNIST_DIR_ENV];
    process.env[FASHION_MNIST_DIR_ENV] = missing;
    try {
      const e2 = catchError(() => loadFashionMnist({ split: "test" }));
      expect((e2 as MissingDataError).argument).toBe(FASHION_MNIST_DIR_ENV);
      expect(e2.message).toContain("scripts/setup.sh");
      // The environment variable is the default folder.
      process.env[FASHION_MNIST_DIR_ENV] = FIXTURE;
      expect(loadFashionMnist({ split: "test" }).count).toBe(20);
    } finally {
      if (saved === undefined) delete process.env[FASHION_MNIST_DIR_ENV];
      else process.env[FASHION_MNIST_DIR_ENV] = saved;
    }
  });

  it("rejects a bad split or limit with InvalidParameterError", () => {
    expect(() => loadFashionMnist({ split: "val" as "train", dir: FIXTURE })).toThrow(InvalidParameterError);
    expect(() => loadFashionMnist({ split: "test", dir: FIXTURE, limit: -1 })).toThrow(InvalidParameterError);
    expect(() => loadFashionMnist({ split: "test", dir: FIXTURE, limit: 2.5 })).toThrow(InvalidParameterError);
  });

  it("fashionMnistPixels gives grey RGB in [0,1], resized on request", () => {
    const d = loadFashionMnist({ split: "test", dir: FIXTURE });
    const rgb = fashionMnistPixels(d, 0);
    expect(rgb.length).toBe(28 * 28 * 3);
    expect(sum(rgb)).toBeCloseTo((3 * TEST_IMAGE0_SUM) / 255, 2);
    for (let i = 0; i < 784; i++) {
      expect(rgb[3 * i]).toBe(rgb[3 * i + 1]);
      expect(rgb[3 * i]).toBe(rgb[3 * i + 2]);
    }
    const big = fashionMnistPixels(d, 3, 224);
    expect(big.length).toBe(224 * 224 * 3);
    expect(minOf(big)).toBeGreaterThanOrEqual(0);
    expect(maxOf(big)).toBeLessThanOrEqual(1);
    expect(fashionMnistBatch(d, [3, 0], 56).length).toBe(2 * 56 * 56 * 3);
    expect(() => fashionMnistPixels(d, 20)).toThrow(InvalidParameterError);
  });

  it.skipIf(!hasDebian)("the real Debian split is the official one: 60000 train / 10000 test (skipped when dataset-fashion-mnist is not installed)", () => {
    const train = loadFashionMnist({ split: "train", dir: DEBIAN });
    expect(train.count).toBe(60000);
    expect(train.images.length).toBe(60000 * 784);
    expect(classCounts(train.labels, 10)).toEqual(new Array(10).fill(6000));
    expect(Array.from(train.labels.subarray(0, 20))).toEqual(TRAIN_LABELS);
    const test = loadFashionMnist({ split: "test", dir: DEBIAN });
    expect(test.count).toBe(10000);
    expect(classCounts(test.labels, 10)).toEqual(new Array(10).fill(1000));
    // The fixture is exactly the first 20 test images of the Debian file.
    const fixture = loadFashionMnist({ split: "test", dir: FIXTURE });
    expect(Buffer.from(test.images.subarray(0, 20 * 784)).equals(Buffer.from(fixture.images))).toBe(true);
  });
});

describe("stratifiedSubset", () => {
  // Unbalanced classes 0..4: class c has 10 + 7c items, interleaved.
  const labels: number[] = [];
  for (let c = 0; c < 5; c++) for (let i = 0; i < 10 + 7 * c; i++) labels.push(c);
  const rngOrder = stratifiedSubset(labels, { total: labels.length }, 99); // a fixed shuffle of all
  const shuffled = Array.from(rngOrder, (i) => labels[i]);

  it("takes exactly perClass items of every class, without repeating an index", () => {
    const idx = stratifiedSubset(shuffled, { perClass: 6 }, 1);
    expect(idx).toBeInstanceOf(Int32Array);
    expect(idx.length).toBe(30);
    expect(new Set(idx).size).toBe(30);
    expect(classCounts(shuffled, 5, idx)).toEqual([6, 6, 6, 6, 6]);
    for (const i of idx) expect(i >= 0 && i < shuffled.length).toBe(true);
    expect(Array.from(stratifiedSubset(shuffled, 6, 1))).toEqual(Array.from(idx));
  });

  it("is deterministic per seed and different across seeds (selection and order)", () => {
    const a = Array.from(stratifiedSubset(shuffled, { perClass: 6 }, 1));
    const b = Array.from(stratifiedSubset(shuffled, { perClass: 6 }, 1));
    const c = Array.from(stratifiedSubset(shuffled, { perClass: 6 }, 2));
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    expect([...c].sort((x, y) => x - y)).not.toEqual([...a].sort((x, y) => x - y));
    // Order is shuffled across classes, not class after class.
    const classesInOrder = a.map((i) => shuffled[i]);
    expect(classesInOrder).not.toEqual([...classesInOrder].sort((x, y) => x - y));
  });

  it("spreads a total as evenly as possible, filling up from larger classes when one runs out", () => {
    const even = stratifiedSubset(shuffled, { total: 23 }, 5);
    const counts = classCounts(shuffled, 5, even);
    expect(sum(counts)).toBe(23);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(new Set(even).size).toBe(23);

    // Class 0 has 10 items: 60 over 5 classes → class 0 gives 10, the others 12 or 13.
    const filled = classCounts(shuffled, 5, stratifiedSubset(shuffled, { total: 60 }, 5));
    expect(filled[0]).toBe(10);
    expect(sum(filled)).toBe(60);
    for (const k of filled.slice(1)) expect(k === 12 || k === 13).toBe(true);
  });

  it("rejects impossible requests and bad labels", () => {
    expect(() => stratifiedSubset(shuffled, { perClass: 11 }, 0)).toThrow(InvalidParameterError);
    expect(() => stratifiedSubset(shuffled, { total: shuffled.length + 1 }, 0)).toThrow(InvalidParameterError);
    expect(() => stratifiedSubset([0, 1, -1], 1, 0)).toThrow(InvalidParameterError);
    expect(() => stratifiedSubset([0, 1, 1.5], 1, 0)).toThrow(InvalidParameterError);
  });

  it("takes one item of each of the 10 classes from the real 20-image fixture", () => {
    const d = loadFashionMnist({ split: "test", dir: FIXTURE });
    const idx = stratifiedSubset(d.labels, { perClass: 1 }, 0);
    expect(classCounts(d.labels, 10, idx)).toEqual(new Array(10).fill(1));
  });
});

describe("emoji", () => {
  it("google set: > 1500 items, 9 categories (Component dropped), lower-case names, real files", () => {
    const t0 = performance.now();
    const all = loadEmoji({ set: "google", split: "all" });
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(5000);
    expect(all.count).toBeGreaterThan(1500);
    expect(all.items).toHaveLength(all.count);
    expect(all.classNames.length).toBeLessThanOrEqual(9);
    expect(all.classNames).toEqual([
      "Smileys & Emotion", "People & Body", "Animals & Nature", "Food & Drink", "Travel & Places",
      "Activities", "Objects", "Symbols", "Flags",
    ]);
    expect(all.classNames).not.toContain("Component");
    expect(all.license).toBe(EMOJI_LICENSE);
    expect(all.license).toMatch(/Apache-2\.0/);
    const grinning = all.items.find((it) => it.unified === "1F600")!;
    expect(grinning.name).toBe("grinning face");
    expect(grinning.shortNames).toContain("grinning");
    expect(grinning.category).toBe("Smileys & Emotion");
    expect(grinning.subcategory).toBe("face-smiling");
    expect(all.classNames[grinning.label]).toBe("Smileys & Emotion");
    for (let i = 0; i < all.count; i++) {
      const it = all.items[i];
      expect(it.name).toBe(it.name.toLowerCase());
      expect(all.labels[i]).toBe(it.label);
      expect(all.classNames[it.label]).toBe(it.category);
      expect(all.paths[i].endsWith(join("img", "google", "64", it.image))).toBe(true);
    }
    expect(all.paths.every((p) => existsSync(p))).toBe(true);
    expect(new Set(all.items.map((it) => it.unified)).size).toBe(all.count);
    expect(classCounts(all.labels, 9).every((k) => k >= 50)).toBe(true);
  });

  it("split is fixed, disjoint, covers all items, ~20 % test per category and the same for both sets", () => {
    const all = loadEmoji({ set: "google", split: "all" });
    const train = loadEmoji({ set: "google", split: "train" });
    const test = loadEmoji({ set: "google", split: "test" });
    const trainIds = new Set(train.items.map((it) => it.unified));
    const testIds = test.items.map((it) => it.unified);
    expect(testIds.some((u) => trainIds.has(u))).toBe(false);
    expect(train.count + test.count).toBe(all.count);
    expect(new Set([...trainIds, ...testIds])).toEqual(new Set(all.items.map((it) => it.unified)));
    const allCounts = classCounts(all.labels, 9);
    const testCounts = classCounts(test.labels, 9);
    allCounts.forEach((n, c) => expect(testCounts[c]).toBe(Math.round(n * EMOJI_TEST_FRACTION)));
    // Deterministic: a second load gives the same split, and the twitter set agrees.
    expect(loadEmoji({ set: "google", split: "test" }).items.map((it) => it.unified)).toEqual(testIds);
    expect(loadEmoji({ set: "twitter", split: "test" }).items.map((it) => it.unified)).toEqual(testIds);
    // Not simply "the last 20 %" of each category.
    const smileys = all.items.filter((it) => it.label === 0);
    const tail = smileys.slice(smileys.length - testCounts[0]).map((it) => it.unified);
    expect(test.items.filter((it) => it.label === 0).map((it) => it.unified)).not.toEqual(tail);
  });

  it("limit gives a class-balanced deterministic subset in catalog order", () => {
    const a = loadEmoji({ set: "twitter", split: "train", limit: 90 });
    expect(a.count).toBe(90);
    expect(classCounts(a.labels, 9)).toEqual(new Array(9).fill(10));
    expect(a.items.map((it) => it.unified)).toEqual(loadEmoji({ set: "twitter", split: "train", limit: 90 }).items.map((it) => it.unified));
    const orders = a.items.map((it) => it.sortOrder);
    expect(orders).toEqual([...orders].sort((x, y) => x - y));
    expect(() => loadEmoji({ set: "apple" as "google", split: "all" })).toThrow(InvalidParameterError);
    expect(() => loadEmoji({ set: "google", split: "dev" as "all" })).toThrow(InvalidParameterError);
  });

  it("alignEmojiSets pairs the same emoji in both sets, in the same order", () => {
    const al = alignEmojiSets();
    expect(al.count).toBeGreaterThan(1500);
    expect(al.googlePaths).toHaveLength(al.count);
    expect(al.twitterPaths).toHaveLength(al.count);
    for (let i = 0; i < al.count; i++) {
      expect(basename(al.googlePaths[i])).toBe(al.items[i].image);
      expect(basename(al.twitterPaths[i])).toBe(al.items[i].image);
      expect(al.googlePaths[i]).toContain(join("img", "google", "64"));
      expect(al.twitterPaths[i]).toContain(join("img", "twitter", "64"));
    }
    const test = alignEmojiSets({ split: "test" });
    expect(test.items.map((it) => it.unified)).toEqual(loadEmoji({ set: "google", split: "test" }).items.map((it) => it.unified));
    // Same emoji, different artwork.
    const g = readFileSync(emojiImagePath(al.items[0], "google"));
    const t = readFileSync(emojiImagePath(al.items[0], "twitter"));
    expect(g.equals(t)).toBe(false);
  });

  it("decodePng reads a real emoji as 64×64 RGBA; emojiPixels composites on white and resizes", () => {
    const item = loadEmoji({ set: "google", split: "all" }).items.find((it) => it.unified === "1F600")!;
    const png = decodePng(emojiImagePath(item, "google"));
    expect(png.width).toBe(64);
    expect(png.height).toBe(64);
    expect(png.rgba.length).toBe(64 * 64 * 4);
    expect(png.rgba[3]).toBe(0); // transparent corner

    const rgb = emojiPixels(item, "google");
    expect(rgb.length).toBe(64 * 64 * 3);
    expect([rgb[0], rgb[1], rgb[2]]).toEqual([1, 1, 1]); // transparent → white
    const centre = (32 * 64 + 32) * 3;
    expect(rgb[centre + 2]).toBeLessThan(0.6); // the yellow face: little blue
    expect(minOf(rgb)).toBeGreaterThanOrEqual(0);
    expect(maxOf(rgb)).toBeLessThanOrEqual(1);

    const big = emojiPixels(item, "twitter", 224);
    expect(big.length).toBe(224 * 224 * 3);
    expect([big[0], big[1], big[2]]).toEqual([1, 1, 1]);
    expect(emojiBatch([item, item], "google", 32).length).toBe(2 * 32 * 32 * 3);
  });

  it("a truncated PNG gives a FileFormatError naming the file", () => {
    const item = loadEmoji({ set: "google", split: "all" }).items[0];
    const bytes = readFileSync(emojiImagePath(item, "google"));
    const file = join(tmp, "truncated.png");
    writeFileSync(file, bytes.subarray(0, bytes.length >> 1));
    const e = catchError(() => decodePng(file));
    expect(e).toBeInstanceOf(FileFormatError);
    expect((e as FileFormatError).argument).toBe(file);
    const junk = join(tmp, "junk.png");
    writeFileSync(junk, "not a png at all");
    expect(() => decodePng(junk)).toThrow(FileFormatError);
    expect(() => decodePng(join(tmp, "absent.png"))).toThrow(MissingDataError);
  });
});

describe("resizeBilinear / greyToRgb", () => {
  it("keeps a constant image constant, up and down", () => {
    const w = 5;
    const h = 3;
    const img = new Float32Array(w * h * 3);
    for (let i = 0; i < img.length; i++) img[i] = [0.25, 0.5, 0.75][i % 3];
    for (const [ow, oh] of [[11, 7], [2, 2], [1, 1], [224, 224]]) {
      const out = resizeBilinear(img, w, h, ow, oh);
      expect(out.length).toBe(ow * oh * 3);
      let worst = 0;
      for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i] - [0.25, 0.5, 0.75][i % 3]));
      expect(worst).toBeLessThan(1e-6);
    }
  });

  it("resizes a 2×2 checker to 4×4 with the known half-pixel-centre bilinear values", () => {
    const out = resizeBilinear([0, 1, 1, 0], 2, 2, 4, 4, 1);
    const expected = [
      0, 0.25, 0.75, 1,
      0.25, 0.375, 0.625, 0.75,
      0.75, 0.625, 0.375, 0.25,
      1, 0.75, 0.25, 0,
    ];
    expect(Array.from(out)).toEqual(expected);
    // Same size is the identity.
    expect(Array.from(resizeBilinear([1, 2, 3, 4, 5, 6], 3, 2, 3, 2, 1))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("checks sizes", () => {
    expect(() => resizeBilinear([0, 1, 2], 2, 2, 4, 4, 1)).toThrow(LatentBridgeError);
    expect(() => resizeBilinear([0, 1, 1, 0], 2, 2, 0, 4, 1)).toThrow(InvalidParameterError);
  });

  it("greyToRgb triples each channel (and scales)", () => {
    expect(Array.from(greyToRgb(new Uint8Array([0, 128, 255])))).toEqual([0, 0, 0, 128, 128, 128, 255, 255, 255]);
    expect(Array.from(greyToRgb([0, 255], 1 / 255))).toEqual([0, 0, 0, 1, 1, 1]);
  });
});
