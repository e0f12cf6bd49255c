/**
 * The verdicts the notebooks print about the transformers (src/experiments/reports): Fig. 2's
 * layer-wise tolerance per encoder and its pre- vs post-LN sentence; Table 2's transformer-only
 * pairs against Table 2's encoders; Fig. 5's anisotropy lines; the transformers each notebook's
 * spaces get.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { WORDNET_DIR } from "../src/data/text/wordnet";
import { cacheDir } from "../src/config";
import { encoderCacheDir } from "../src/data/cache";
import { alignEmojiSets } from "../src/data/images/index";
import { FASHION_MNIST_DEFAULT_DIR, FASHION_MNIST_FILES, loadFashionMnist } from "../src/data/images/fashionMnist";
import { BERT_ENCODER_IDS, bertEncoderPath, bertEncoderSpec, loadBertEncoder } from "../src/encoders/trained/bert/index";
import { loadVitEncoder, vitEncoderPath, vitEncoderSpec } from "../src/encoders/trained/vit/index";
import type { Matrix } from "../src/linalg/matrix";
import { EMOJI_ENCODERS, EMOJI_NAMES_BERTS, EMOJI_VIT_SPECS, emojiGreyImages, emojiStitchingSpaces } from "../src/experiments/emojiSpaces";
import { FASHION_MNIST_ENCODERS, fashionMnistSpaces, fashionMnistStitchingSpaces } from "../src/experiments/fashionMnistSpaces";
import { CROSS_MODAL_TRANSFORMER_ENCODERS, STITCHING_DATASETS, transformerEncoders } from "../src/experiments/stitchingSpaces";
import { textStitchingSpaces } from "../src/experiments/textSpaces";
import { anisotropySummary, transformerLayerwiseConclusion, transformerLayerwiseVerdict, type TransformerGrid } from "../src/experiments/reports/scale";
import { TABLE2_LABELS, type StitchingStudy } from "../src/experiments/stitchingStudy";
import { transformerGapRows, transformerGapVerdict } from "../src/experiments/reports/transformers";

/** A grid from per-layer accuracies over the α values [0.1, 1, 10]. */
function grid(encoder: string, norm: "pre" | "post", byLayer: number[][], unrescaled = 0.8): TransformerGrid {
  const alphas = [0.1, 1, 10];
  return { encoder, norm, depth: byLayer.length - 1, unrescaledAccuracy: unrescaled, rows: byLayer.flatMap((accs, layer) => accs.map((accuracy, k) => ({ layer, alpha: alphas[k], accuracy }))) };
}

describe("Fig. 2 on transformers", () => {
  it("a layer tolerates rescaling at ≥ 80 % of the α grid within 0.05; the paper's claim needs half the layers", () => {
    const pre = grid("vit-pre", "pre", [[0.2, 0.8, 0.1], [0.5, 0.79, 0.6], [0.7, 0.8, 0.77], [0.8, 0.8, 0.8]]);
    const post = grid("vit-post", "post", [[0.5, 0.8, 0.78], [0.76, 0.8, 0.8], [0.8, 0.8, 0.8], [0.6, 0.8, 0.8]]);
    const v = transformerLayerwiseVerdict([pre, post]);
    expect(v.perEncoder[0]).toMatchObject({ encoder: "vit-pre", norm: "pre-LN", toleratingLayers: "1/4 (3)", paperClaim: "does not hold" });
    expect(v.perEncoder[0].toleratedShareByLayer).toBe("0: 0.33, 1: 0.33, 2: 0.67, 3: 1.00");
    // Inner layers are 1 and 2: (1/3 + 2/3) / 2.
    expect(v.perEncoder[0].innerMeanShare).toBeCloseTo(0.5, 12);
    expect(v.perEncoder[1]).toMatchObject({ toleratingLayers: "2/4 (1, 2)", paperClaim: "holds", innerMeanShare: 1 });
    expect(v.prePost).toBe("inner layers keep the accuracy within 0.05 over 100 % of the α grid in post-LN encoders and 50 % in pre-LN ones: post-LN tolerates rescaling better");
  });

  it("gives no verdict for an encoder near chance, and leaves it out of the pre/post comparison", () => {
    const flat = [[0.15, 0.15, 0.15], [0.15, 0.15, 0.15], [0.15, 0.15, 0.15]];
    const v = transformerLayerwiseVerdict([{ ...grid("weak", "post", flat, 0.15), chance: 0.1 }, grid("ok", "pre", flat, 0.15)]);
    expect(v.perEncoder.map((p) => p.paperClaim)).toEqual(["untestable (near chance)", "holds"]);
    expect(v.prePost).toBe("only one LayerNorm placement was measured");
  });

  it("says so when only one placement was measured, and when the placements are within 0.1 of each other", () => {
    const flat = [[0.8, 0.8, 0.8], [0.8, 0.8, 0.8], [0.8, 0.8, 0.8]];
    expect(transformerLayerwiseVerdict([grid("a", "post", flat)]).prePost).toBe("only one LayerNorm placement was measured");
    expect(transformerLayerwiseVerdict([grid("a", "post", flat), grid("b", "pre", flat)]).prePost).toMatch(/no clear difference$/);
  });

  it("the conclusion follows the measured grids: which placement wins, the RoBERTa claim, which one the CNN resembles", () => {
    const tolerant = [[0.8, 0.8, 0.8], [0.8, 0.8, 0.8], [0.8, 0.8, 0.8]]; // inner layer 1: share 1
    const fragile = [[0.1, 0.8, 0.1], [0.1, 0.8, 0.1], [0.8, 0.8, 0.8]]; // inner layer 1: share 1/3
    const cnnLike = (share: number) => ({ name: "CNN", perLayer: [{ share }, { share }, { share: 1 }] }); // last block left out
    // Post-LN tolerant, pre-LN fragile: as the architecture predicts; a fragile CNN resembles pre-LN.
    let v = transformerLayerwiseVerdict([grid("vit-pre", "pre", fragile), grid("bert", "post", tolerant)]);
    expect(v.innerShare.pre).toBeCloseTo(1 / 3, 12);
    expect(v.innerShare.post).toBe(1);
    let lines = transformerLayerwiseConclusion(v, cnnLike(0.1));
    expect(lines[0]).toBe("post-LN inner layers tolerate rescaling better than pre-LN ones (100 % vs 33 % of the α grid), as the architecture predicts: post-LN re-normalises the residual stream after every block, pre-LN never does");
    expect(lines[1]).toBe("bert (post-LN, like RoBERTa): the paper's claim holds — 3/3 (0, 1, 2) layers tolerate rescaling");
    expect(lines[2]).toBe("CNN's inner blocks keep the accuracy within 0.05 over 10 % of the α grid: like the pre-LN transformers' inner layers (33 %), not the post-LN ones' (100 %)");
    // The same code, the opposite measurement: the sentences turn round (nothing is assumed).
    v = transformerLayerwiseVerdict([grid("vit-pre", "pre", tolerant), grid("bert", "post", fragile)]);
    lines = transformerLayerwiseConclusion(v, cnnLike(0.1));
    expect(lines[0]).toMatch(/^pre-LN inner layers tolerate rescaling better than post-LN ones \(100 % vs 33 % .*against the argument/);
    expect(lines[1]).toBe("bert (post-LN, like RoBERTa): the paper's claim does not hold — 1/3 (2) layers tolerate rescaling");
    expect(lines[2]).toMatch(/like the post-LN transformers' inner layers \(33 %\), not the pre-LN ones' \(100 %\)$/);
    // Equal placements; a CNN half-way; an untestable post-LN encoder.
    v = transformerLayerwiseVerdict([grid("vit-pre", "pre", tolerant), grid("bert", "post", tolerant)]);
    expect(transformerLayerwiseConclusion(v, cnnLike(1))[0]).toMatch(/^pre- and post-LN inner layers tolerate rescaling alike \(100 % vs 100 %/);
    v = transformerLayerwiseVerdict([grid("vit-pre", "pre", fragile), grid("bert", "post", tolerant)]);
    expect(transformerLayerwiseConclusion(v, cnnLike(2 / 3))[2]).toMatch(/: no closer to the pre-LN transformers' 33 % than to the post-LN ones' 100 %$/);
    v = transformerLayerwiseVerdict([grid("vit-pre", "pre", fragile), { ...grid("bert", "post", tolerant, 0.15), chance: 0.1 }]);
    lines = transformerLayerwiseConclusion(v);
    expect(lines[0]).toMatch(/^only one LayerNorm placement was measured/);
    expect(lines[1]).toBe("bert (post-LN, like RoBERTa): too close to chance (unrescaled 0.150) to test the paper's claim");
    expect(lines).toHaveLength(2);
  });
});


/** A study with only what `studyNumbers` reads: the data set, chance levels and Table 2's entries. */
function study(dataset: string, means: Record<string, number>): StitchingStudy {
  const entries = Object.entries(means).map(([key, mean]) => ({ dataset, label: TABLE2_LABELS[key], mean, std: 0, seeds: 1, achievable: 12, pairs: 12, method: key, omega: 0, delta: 0 }));
  return { dataset, entries, chance: { uniform: 0.1, majority: 0.1, classes: 10 } } as unknown as StitchingStudy;
}

describe("Table 2: transformer-only pairs against Table 2's encoders", () => {
  it("compares IRP's share of non-stitch and its distance to Procrustes, per data set and overall", () => {
    const base = [study("fashion-mnist", { "irp-tuned": 0.4, procrustes: 0.6, lstsq: 0.55, "non-stitch": 0.8 }), study("wordnet", { "irp-tuned": 0.2, procrustes: 0.25, lstsq: 0.2, "non-stitch": 0.4 })];
    const tr = [study("fashion-mnist", { "irp-tuned": 0.6, procrustes: 0.62, lstsq: 0.6, "non-stitch": 0.8 }), study("wordnet", { "irp-tuned": 0.1, procrustes: 0.2, lstsq: 0.1, "non-stitch": 0.4 })];
    const rows = transformerGapRows(base, tr);
    expect(rows.map((r) => `${r.dataset}/${r.encoders}`)).toEqual(["fashion-mnist/Table 2's", "fashion-mnist/transformers only", "wordnet/Table 2's", "wordnet/transformers only"]);
    expect(rows[1].irpShareOfNonStitch).toBeCloseTo(0.75, 12);
    expect(rows[1].irpMinusProcrustes).toBeCloseTo(-0.02, 12);
    const lines = transformerGapVerdict(rows);
    expect(lines[0]).toBe("fashion-mnist: IRP reaches 50 % of non-stitch with Table 2's encoders, 75 % on transformer-only pairs (the gap shrinks); IRP − Procrustes -0.200 → -0.020 (closer to or past Procrustes)");
    expect(lines[1]).toMatch(/^wordnet: IRP reaches 50 % .* 25 % .*does not shrink.*no closer to Procrustes\)$/);
    expect(lines[2]).toBe("over 2 data sets: IRP / non-stitch 50 % → 50 %, IRP − Procrustes -0.125 → -0.060 (Table 2's encoders → transformers only)");
    // A data set without transformers is left out.
    expect(transformerGapRows(base, tr.slice(0, 1)).length).toBe(2);
  });
});


describe("Fig. 5: anisotropy", () => {
  it("one line per group: ranges before and after centring, the most anisotropic encoder, the paper's numbers", () => {
    const lines = anisotropySummary([
      { encoder: "a", group: "ours", meanCosine: 0.2, meanCosineCentred: -0.001 },
      { encoder: "b", group: "ours", meanCosine: 0.5, meanCosineCentred: -0.002 },
      { encoder: "v", group: "transformers", meanCosine: 0.9, meanCosineCentred: 0 },
    ]);
    expect(lines).toEqual([
      "ours (2 encoders): mean cosine between different items 0.200–0.500 before centring (highest: b, 0.500), -0.002–-0.001 after; the paper quotes 0.93 (English encoder) and 0.98 (XLM-R) before centring",
      "transformers (1 encoder): mean cosine between different items 0.900–0.900 before centring (highest: v, 0.900), 0.000–0.000 after; the paper quotes 0.93 (English encoder) and 0.98 (XLM-R) before centring",
    ]);
  });
});

describe("the notebooks' transformer encoders", () => {
  it("every data set gets ≥ 4 transformers in full mode (2 in quick), ids its space builder knows", () => {
    const known = { "fashion-mnist": FASHION_MNIST_ENCODERS, emoji: EMOJI_ENCODERS, wordnet: BERT_ENCODER_IDS, debian: BERT_ENCODER_IDS };
    for (const d of STITCHING_DATASETS) {
      expect(transformerEncoders(d, false).length, d).toBeGreaterThanOrEqual(4);
      expect(transformerEncoders(d, true).length, d).toBe(2);
      for (const e of [...transformerEncoders(d, false), ...transformerEncoders(d, true)]) expect(known[d], `${d}: ${e}`).toContain(e);
    }
    for (const e of CROSS_MODAL_TRANSFORMER_ENCODERS) expect(EMOJI_ENCODERS).toContain(e);
    expect(() => transformerEncoders("cifar" as "emoji")).toThrow(/dataset/);
  });

  it.skipIf(!["noun", "verb", "adj", "adv"].every((p) => existsSync(join(WORDNET_DIR, `data.${p}`))))("text spaces embed the glosses with a (quick-mode) text transformer, aligned with GloVe", async () => {
    // In the data cache, as the notebooks build them: GloVe's conversion and the quick-mode transformer are made once in a run.
    const s = await textStitchingSpaces({ corpus: "wordnet", encoders: ["glove-100d", "bert-word-d128-l2-s0"], train: 40, test: 20, classes: 4, seed: 3, quick: true });
    expect(s.info.map((i) => [i.name, i.dim, i.kind])).toEqual([["glove-100d", 100, "pretrained"], ["bert-word-d128-l2-s0", 128, "self-trained"]]);
    expect(s.info[1].description).toMatch(/pretrained on wordnet train texts \(quick/);
    expect(Array.from(s.encoders[1].itemIds!.train)).toEqual(s.itemIds.train);
  }, 120_000);
});

const hasFashionMnist = existsSync(join(FASHION_MNIST_DEFAULT_DIR, FASHION_MNIST_FILES.train.images));

/** Runs `f` with a fresh cache dir holding copies of `files` (path in the cache → source path) and the given quick setting in the environment. */
async function withCache<T>(files: Record<string, string>, quickEnv: "0" | "1", f: (dir: string) => Promise<T>): Promise<T> {
  const saved = { cache: process.env.LATENT_BRIDGE_CACHE_DIR, quick: process.env.LATENT_BRIDGE_QUICK };
  const dir = mkdtempSync(join(tmpdir(), "transformer-quick-"));
  for (const [to, from] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, to)), { recursive: true });
    copyFileSync(from, join(dir, to));
  }
  process.env.LATENT_BRIDGE_CACHE_DIR = dir;
  process.env.LATENT_BRIDGE_QUICK = quickEnv;
  try {
    return await f(dir);
  } finally {
    for (const [k, v] of [["LATENT_BRIDGE_CACHE_DIR", saved.cache], ["LATENT_BRIDGE_QUICK", saved.quick]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every encoder file under `<dir>/encoders`, relative to `dir`. */
function encoderFiles(dir: string): string[] {
  const root = join(dir, "encoders");
  return existsSync(root) ? readdirSync(root).flatMap((d) => readdirSync(join(root, d)).map((f) => `encoders/${d}/${f}`)).sort() : [];
}

function maxAbsDiff(a: Matrix, b: Matrix): number {
  expect([a.rows, a.cols]).toEqual([b.rows, b.cols]);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

describe("the spaces builders pass the caller's quick flag to every transformer (not the environment's)", () => {
  // The full-mode files of vit-pre-cls-d64-l4-s0 and vit-post-cls-d128-l6-s3 (trained in 17 and 12 min) and the
  // quick-mode emoji ViT and WordNet text transformer, as the local cache has them; without them the tests are skipped.
  const vitSpecs = [vitEncoderSpec("vit-pre-cls-d64-l4-s0"), vitEncoderSpec("vit-post-cls-d128-l6-s3")];
  const vitFull = vitSpecs.map((spec) => vitEncoderPath(spec, { quick: false }));
  const emojiVitQuick = vitEncoderPath(EMOJI_VIT_SPECS[0], { quick: true, dir: encoderCacheDir("emoji-google-aligned") });
  const bertQuick = bertEncoderPath(bertEncoderSpec(EMOJI_NAMES_BERTS["bert-names"]), "wordnet", { quick: true });
  const root = cacheDir();
  const inCache = (paths: string[]) => Object.fromEntries(paths.map((p) => [relative(root, p), p]));
  const names = (paths: string[]) => paths.map((p) => relative(root, p)).sort();

  it.skipIf(!hasFashionMnist || !vitFull.every((p) => existsSync(p)))("Fashion-MNIST, quick = false under LATENT_BRIDGE_QUICK=1: the full-mode ViTs, loaded, not quick ones trained", async () => {
    const reference = await Promise.all(vitFull.map((p) => loadVitEncoder(p)));
    await withCache(inCache(vitFull), "1", async (dir) => {
      // The old code trained the quick-mode ViTs here: new files appear and the embeddings differ.
      const s = await fashionMnistStitchingSpaces({ encoders: vitSpecs.map((v) => v.id), train: 20, test: 10, seed: 0, quick: false });
      expect(encoderFiles(dir)).toEqual(names(vitFull));
      const train = loadFashionMnist({ split: "train" });
      const indices = s.itemIds.train.map((id) => Number(id.slice("train-".length)));
      reference.forEach((r, k) => expect(maxAbsDiff(s.encoders[k].train, r.embed(train, indices))).toBe(0));
      const spaces = await fashionMnistSpaces({ encoders: [vitSpecs[0].id], anchors: 20, test: 10, seed: 0, quick: false });
      expect(maxAbsDiff(spaces.spaces[0].anchors, reference[0].embed(train, spaces.anchorIndices))).toBe(0);
      expect(encoderFiles(dir)).toEqual(names(vitFull));
    });
    for (const r of reference) r.dispose();
  }, 120_000);

  it.skipIf(!existsSync(emojiVitQuick) || !existsSync(bertQuick))("emoji, quick = true with LATENT_BRIDGE_QUICK=0: the quick-mode ViT and text transformer, not full-mode ones trained", async () => {
    const vit = await loadVitEncoder(emojiVitQuick), bert = await loadBertEncoder(bertQuick);
    await withCache(inCache([emojiVitQuick, bertQuick]), "0", async (dir) => {
      // The old code trained the full-mode encoders here (minutes each): the test then times out.
      const s = await emojiStitchingSpaces({ encoders: [EMOJI_VIT_SPECS[0].id, "bert-names"], train: 18, test: 9, seed: 0, quick: true });
      expect(encoderFiles(dir)).toEqual(names([emojiVitQuick, bertQuick]));
      const byId = new Map(alignEmojiSets({ split: "train" }).items.map((it) => [it.unified, it]));
      const items = s.itemIds.train.map((id) => byId.get(id)!);
      expect(maxAbsDiff(s.encoders[0].train, vit.embed(emojiGreyImages(items, "google")))).toBe(0);
      expect(maxAbsDiff(s.encoders[1].train, await bert.embed(items.map((it) => it.name)))).toBe(0);
      // Both went through the embedding cache, under the subset's name (the one embedImages gives it too).
      for (const d of ["emoji-google", "emoji-names"]) {
        for (const split of ["train", "test"]) expect(readdirSync(join(dir, "embeddings", d, split, split === "train" ? "aligned-n18-s0" : "aligned-n9-s0")).some((f) => f.endsWith(".npy")), `${d}/${split}`).toBe(true);
      }
      const again = await emojiStitchingSpaces({ encoders: [EMOJI_VIT_SPECS[0].id, "bert-names"], train: 18, test: 9, seed: 0, quick: true });
      expect(again.encoders.map((e) => Array.from(e.test.data))).toEqual(s.encoders.map((e) => Array.from(e.test.data)));
    });
    vit.dispose();
    bert.dispose();
  }, 120_000);
});
