/**
 * The glue of the stitching notebooks (src/experiments/: spaces, emojiSpaces, textSpaces,
 * stitchingSpaces, stitchingTools): item alignment across encoders, dropping of unembeddable items,
 * encoder dimensions, the quick-mode sizes, the anchor-only (ω, δ) choice against
 * `chooseIrpParameters`, per-pair IRP against `evaluateStitching`, and the table helpers.
 */
import { describe, expect, it } from "vitest";
import { alignEmojiSets } from "../src/data/images/index";
import { loadTextCorpus } from "../src/encoders/trained/index";
import { InvalidParameterError, ShapeMismatchError } from "../src/errors";
import { drawAnchorIndices, evaluateStitching, stitchingMatrix, type StitchingRow, type StitchingSummaryRow } from "../src/eval/stitching/index";
import { chooseIrpParameters } from "../src/eval/irpChoice";
import { emojiGreyImages, emojiStitchingSpaces, nameTokens } from "../src/experiments/emojiSpaces";
import { assembleSpaces, selectEncoders, topClasses, type EncoderEmbeddings } from "../src/experiments/spaces";
import { CROSS_MODAL_ENCODERS, STITCHING_DATASETS, stitchingSizes, TABLE2_ENCODERS } from "../src/experiments/stitchingSpaces";
import {
  asTableRows, chanceLevels, chooseIrpForSpaces, evaluateIrpPerPair, evaluatePairs, labelled, memoHeadFactory, modalityBlocks, ownHeadAccuracy, pairMatrix, wideTable,
} from "../src/experiments/stitchingTools";
import { ProcrustesTranslator } from "../src/translate/procrustes";
import { textStitchingSpaces } from "../src/experiments/textSpaces";
import { Matrix, padCols, selectRows } from "../src/linalg/matrix";
import { matmul } from "../src/linalg/product";
import { Random } from "../src/linalg/random";
import { randomRotation } from "../src/data/synthetic";

// ---------------------------------------------------------------------------------------------
// A synthetic aligned task: 3 Gaussian classes in 12-d; B = rotated A, C = A padded to 16-d, rotated.

const D = 12, K = 3;
function gaussian(n: number, seed: number) {
  const rng = new Random(seed);
  const centres = Array.from({ length: K }, (_, c) => Array.from({ length: D }, (_, j) => (((c * 7 + j * 3) % 5) - 2) * 0.5));
  const x = new Matrix(n, D);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % K;
    for (let j = 0; j < D; j++) x.data[i * D + j] = 0.3 + centres[y[i]][j] + rng.normal();
  }
  return { x, y };
}
const tr = gaussian(240, 1), te = gaussian(120, 2);
const R = randomRotation(D, 5), Q = randomRotation(16, 6);
const rot = (m: Matrix) => matmul(m, R);
const padRot = (m: Matrix) => matmul(padCols(m, 16), Q);
const ids = (n: number, p: string) => Array.from({ length: n }, (_, i) => `${p}${i}`);

function embeddings(): EncoderEmbeddings[] {
  const mk = (name: string, f: (m: Matrix) => Matrix): EncoderEmbeddings => ({
    info: { name, modality: "image", kind: "self-trained", description: name },
    train: f(tr.x), test: f(te.x), trainIds: ids(240, "tr"), testIds: ids(120, "te"),
  });
  return [mk("A", (m) => m), mk("B", rot), mk("C", padRot)];
}
const assembled = () => assembleSpaces({
  dataset: "gauss", description: "synthetic", classNames: ["a", "b", "c"],
  train: { ids: ids(240, "tr"), labels: tr.y }, test: { ids: ids(120, "te"), labels: te.y }, encoders: embeddings(),
});

describe("assembleSpaces", () => {
  it("keeps every encoder's dimension and the requested item order, with the ids on every encoder", () => {
    const s = assembled();
    expect(s.info.map((i) => [i.name, i.dim])).toEqual([["A", 12], ["B", 12], ["C", 16]]);
    expect(s.encoders.map((e) => [e.train.rows, e.test.rows])).toEqual([[240, 120], [240, 120], [240, 120]]);
    for (const e of s.encoders) expect(Array.from(e.itemIds!.train)).toEqual(s.itemIds.train);
    expect(s.dropped).toEqual({ train: 0, test: 0 });
    expect(Array.from(s.trainLabels)).toEqual(Array.from(tr.y));
  });

  it("fails, naming the encoder, when an encoder lists the items in another order", () => {
    const e = embeddings();
    const swapped = Array.from(e[1].testIds);
    [swapped[3], swapped[4]] = [swapped[4], swapped[3]];
    e[1] = { ...e[1], testIds: swapped };
    const call = () => assembleSpaces({
      dataset: "gauss", description: "", classNames: [], train: { ids: ids(240, "tr"), labels: tr.y }, test: { ids: ids(120, "te"), labels: te.y }, encoders: e,
    });
    expect(call).toThrow(InvalidParameterError);
    expect(call).toThrow(/encoder "B" lists test item "te4" at position 3 where "te3" was requested/);
  });

  it("fails when an encoder embedded fewer items than requested", () => {
    const e = embeddings();
    e[2] = { ...e[2], train: selectRows(e[2].train, Int32Array.from({ length: 239 }, (_, i) => i)) };
    expect(() => assembleSpaces({
      dataset: "gauss", description: "", classNames: [], train: { ids: ids(240, "tr"), labels: tr.y }, test: { ids: ids(120, "te"), labels: te.y }, encoders: e,
    })).toThrow(ShapeMismatchError);
  });

  it("drops an item from EVERY encoder when one encoder embeds it to zero, keeping labels and ids aligned", () => {
    const e = embeddings();
    const b = e[1].train.clone();
    b.row(5).fill(0);
    const c = e[2].test.clone();
    c.row(0).fill(0);
    c.row(7).fill(0);
    e[1] = { ...e[1], train: b };
    e[2] = { ...e[2], test: c };
    const s = assembleSpaces({
      dataset: "gauss", description: "", classNames: ["a", "b", "c"], train: { ids: ids(240, "tr"), labels: tr.y }, test: { ids: ids(120, "te"), labels: te.y }, encoders: e,
    });
    expect(s.dropped).toEqual({ train: 1, test: 2 });
    expect(s.itemIds.train).not.toContain("tr5");
    expect(s.itemIds.test.slice(0, 6)).toEqual(["te1", "te2", "te3", "te4", "te5", "te6"]);
    expect(s.trainLabels[5]).toBe(tr.y[6]);
    // Row 5 of A is now item 6 of the input.
    expect(Array.from(s.encoders[0].train.row(5))).toEqual(Array.from(tr.x.row(6)));
    for (const enc of s.encoders) expect(enc.train.rows).toBe(239);
  });

  it("selectEncoders keeps the chosen encoders in the given order", () => {
    const s = selectEncoders(assembled(), ["C", "A"]);
    expect(s.encoders.map((e) => e.name)).toEqual(["C", "A"]);
    expect(s.info.map((i) => i.dim)).toEqual([16, 12]);
    expect(() => selectEncoders(assembled(), ["Z"])).toThrow(/no encoder "Z"/);
  });
});

describe("topClasses", () => {
  it("keeps the most frequent classes and renumbers them in their original order", () => {
    const labels = [3, 3, 3, 1, 1, 0, 2, 2, 2, 2, 4];
    const { kept, map } = topClasses(labels, 3);
    expect(kept).toEqual([1, 2, 3]);
    expect([...map.entries()]).toEqual([[1, 0], [2, 1], [3, 2]]);
    expect(() => topClasses(labels, 1)).toThrow(InvalidParameterError);
  });
});

describe("chooseIrpForSpaces", () => {
  it("makes chooseIrpParameters' choice for every ordered pair (one shared grid), and a data-set-wide one", () => {
    const s = assembled();
    const grid = { omegas: [1, 4], deltas: [0, 0.3, 0.6] };
    const choice = chooseIrpForSpaces(s, { numAnchors: 60, seed: 3, ...grid });
    expect(choice.perPair).toHaveLength(6);
    expect(choice.anchors + choice.heldOut).toBe(60);
    const idx = drawAnchorIndices(s.trainLabels, 60, 3);
    for (const p of choice.perPair) {
      const a = s.encoders.find((e) => e.name === p.source)!, b = s.encoders.find((e) => e.name === p.target)!;
      const ref = chooseIrpParameters({ anchorsX: selectRows(a.train, idx), anchorsY: selectRows(b.train, idx), seed: 3, ...grid });
      expect([p.omega, p.delta]).toEqual([ref.omega, ref.delta]);
      expect(p.score).toBeCloseTo(ref.score, 10);
    }
    // The overall choice maximises the mean over pairs of the per-pair tables.
    expect(choice.table).toHaveLength(6);
    const best = Math.max(...choice.table.map((t) => t.score));
    expect(choice.overall.score).toBe(best);
    // Rotations are exactly invertible: the anchors reconstruct well.
    expect(choice.overall.score).toBeGreaterThan(0.8);
  });
});

describe("memoHeadFactory and evaluateIrpPerPair", () => {
  it("per-pair IRP with one setting everywhere reproduces evaluateStitching's irp rows, reusing its heads", async () => {
    const s = assembled();
    const factory = memoHeadFactory();
    const base = { ...s, numAnchors: 60, seeds: [0, 1], headFactory: factory, progress: false as const };
    const res = await evaluateStitching({ ...base, methods: ["irp"], irp: { omega: 4, delta: 0.3 } });
    expect(factory.trained()).toBe(6); // 3 encoders × 2 seeds
    const settings = ["A", "B", "C"].flatMap((a) => ["A", "B", "C"].filter((b) => b !== a).map((b) => ({ source: a, target: b, omega: 4, delta: 0.3 })));
    const per = await evaluateIrpPerPair(s, { numAnchors: 60, seeds: [0, 1], settings, headFactory: factory });
    expect(factory.trained()).toBe(6);
    expect(factory.reused()).toBe(6);
    const irp = res.rows.filter((r) => r.method === "irp");
    expect(per).toHaveLength(irp.length);
    for (const r of per) {
      const ref = irp.find((q) => q.seed === r.seed && q.source === r.source && q.target === r.target)!;
      expect(r.accuracy).toBe(ref.accuracy);
      expect([r.omega, r.delta]).toEqual([4, 0.3]);
    }
    // Different (ω, δ) per pair are kept on the rows and ignored by pairMatrix.
    const mixed = await evaluateIrpPerPair(s, { numAnchors: 60, seeds: [0], settings: settings.map((x, i) => ({ ...x, omega: 1 + (i % 2) })), headFactory: factory });
    expect(new Set(mixed.map((r) => r.omega))).toEqual(new Set([1, 2]));
    expect(() => stitchingMatrix(mixed, "irp")).toThrow(/several/);
    expect(pairMatrix(mixed, "irp").values[0][1]).toBe(mixed.find((r) => r.source === "A" && r.target === "B")!.accuracy);
    await expect(evaluateIrpPerPair(s, { numAnchors: 60, seeds: [0], settings: settings.slice(1), headFactory: factory })).rejects.toThrow(/no \(ω, δ\) for the pair A → B/);
  });

  it("trains a new head when the training data differ", async () => {
    const s = assembled();
    const factory = memoHeadFactory();
    const req = { dataset: "gauss", encoder: "A", seed: 0, representation: "absolute" as const, labels: s.trainLabels, spec: { kind: "linear" as const, epochs: 2, seed: 0, numClasses: 3 } };
    const h1 = await factory({ ...req, x: s.encoders[0].train });
    const h2 = await factory({ ...req, x: s.encoders[0].train });
    expect(Array.from(h2.layers[0].weight)).toEqual(Array.from(h1.layers[0].weight));
    const shifted = s.encoders[0].train.clone();
    shifted.data[0] += 1;
    await factory({ ...req, x: shifted });
    expect([factory.trained(), factory.reused()]).toEqual([2, 1]);
  });
});

describe("Procrustes through the anchors' span in the per-pair evaluation", () => {
  it("evaluatePairs with it reproduces evaluateStitching's procrustes rows on full-rank anchors", async () => {
    const s = assembled();
    const factory = memoHeadFactory();
    const ref = await evaluateStitching({ ...s, numAnchors: 60, seeds: [0], methods: ["procrustes"], headFactory: factory, progress: false });
    const rows = await evaluatePairs(s, { numAnchors: 60, seeds: [0], method: "procrustes", headFactory: factory, translator: () => ({ translator: new ProcrustesTranslator({ variant: "anchor-span" }) }) });
    expect(rows).toHaveLength(6);
    for (const r of rows) {
      const q = ref.rows.find((x) => x.method === "procrustes" && x.source === r.source && x.target === r.target)!;
      expect(r.accuracy).toBe(q.accuracy);
      expect([r.omega, r.delta, r.achievable]).toEqual([null, null, true]);
    }
    expect(ownHeadAccuracy(ref.rows).map((o) => o.encoder)).toEqual(["A", "B", "C"]);
    expect(ownHeadAccuracy(ref.rows)[0].mean).toBe(ref.rows.find((x) => x.method === "non-stitch" && x.source === "A")!.accuracy);
  });
});

describe("table helpers", () => {
  const summary = (dataset: string, method: StitchingRow["method"], mean: number, achievable = 20, pairs = 20): StitchingSummaryRow =>
    ({ dataset, method, omega: null, delta: null, mean, std: 0.01, seeds: 2, achievable, pairs });

  it("wideTable lays methods out by data set and marks partial and impossible pairs", () => {
    const entries = labelled([
      summary("x", "procrustes", 0.81), summary("y", "procrustes", 0.7),
      summary("x", "absolute", 0.1, 2, 20), summary("y", "absolute", NaN, 0, 20),
      summary("x", "lstsq", 0.5),
    ], (r) => (r.method === "lstsq" ? undefined : r.method));
    const t = wideTable(entries, ["x", "y"], 2, [{ method: "chance", x: "0.10", y: "0.20" }]);
    expect(t).toEqual([
      { method: "procrustes", x: "0.81 ± 0.01", y: "0.70 ± 0.01" },
      { method: "absolute", x: "0.10 ± 0.01 (2/20)", y: "n/a (0/20)" },
      { method: "chance", x: "0.10", y: "0.20" },
    ]);
  });

  it("asTableRows turns nulls and booleans into table cells", () => {
    expect(asTableRows([{ a: null, b: true, c: 1.5, d: "x", e: undefined, f: [1] }])).toEqual([{ a: "", b: "yes", c: 1.5, d: "x", e: "", f: "[1]" }]);
  });

  it("chanceLevels and modalityBlocks", () => {
    expect(chanceLevels([0, 0, 0, 1, 2, 2])).toEqual({ uniform: 1 / 3, majority: 0.5, classes: 3 });
    const m = {
      method: "irp" as const, dataset: "d", rowNames: ["i1", "i2", "t1"], colNames: ["i1", "i2", "t1"], rowTitle: "encoder" as const, colTitle: "decoder" as const,
      values: [[NaN, 0.5, 0.2], [0.7, NaN, 0.4], [0.9, 0.8, NaN]], counts: [[0, 1, 1], [1, 0, 1], [1, 1, 0]],
    };
    const blocks = modalityBlocks(m, (n) => (n.startsWith("t") ? "text" : "image"));
    const get = (e: string, d: string) => blocks.find((b) => b.encoder === e && b.decoder === d)!;
    expect(get("image", "image").mean).toBeCloseTo(0.6, 12);
    expect(get("image", "text").mean).toBeCloseTo(0.3, 12);
    expect(get("text", "image").mean).toBeCloseTo(0.85, 12);
    expect(get("text", "text")).toEqual({ encoder: "text", decoder: "text", mean: NaN, cells: 0 });
  });
});

describe("notebook data sets", () => {
  it("quick mode keeps every data set at ≤ 200 items; each has at least four encoders", () => {
    for (const d of STITCHING_DATASETS) {
      const s = stitchingSizes(d, true);
      expect(typeof s.train === "number" && typeof s.test === "number" && s.train + s.test <= 200, d).toBe(true);
      expect(s.anchors).toBeLessThanOrEqual(s.train as number);
      const f = stitchingSizes(d, false);
      if (typeof f.train === "number") expect(f.train + (f.test as number)).toBeGreaterThanOrEqual(2000);
      expect(TABLE2_ENCODERS[d].length).toBeGreaterThanOrEqual(4);
    }
    expect(CROSS_MODAL_ENCODERS.length).toBeGreaterThanOrEqual(5);
  });

  it("nameTokens: words plus character trigrams of each word", () => {
    expect(nameTokens("Flag: Côte d’Ivoire").slice(0, 6)).toEqual(["flag", "#^fl", "#fla", "#lag", "#ag$", "côte"]);
    expect(nameTokens("ok")).toEqual(["ok", "#^ok", "#ok$"]);
  });

  it("emojiGreyImages: 28×28 bytes per emoji, white background → 0", () => {
    const items = alignEmojiSets({ split: "test" }).items.slice(0, 3);
    const g = emojiGreyImages(items, "google", [0, 1, 2]);
    expect(g.images).toHaveLength(3 * 784);
    expect(g.images[0]).toBe(0); // top-left corner is background
    expect(Math.max(...g.images)).toBeGreaterThan(100);
  });

  it("emoji spaces: images and names of the same emoji, aligned by code point, with the expected dimensions", async () => {
    const s = await emojiStitchingSpaces({ encoders: ["emoji-mlp-256-s0", "glove-names", "lsa-names-64"], train: 45, test: 27, seed: 1 });
    expect(s.info.map((i) => [i.name, i.dim, i.modality])).toEqual([["emoji-mlp-256-s0", 256, "image"], ["glove-names", 100, "text"], ["lsa-names-64", 64, "text"]]);
    const aligned = { train: alignEmojiSets({ split: "train" }), test: alignEmojiSets({ split: "test" }) };
    for (const split of ["train", "test"] as const) {
      const byCode = new Map(aligned[split].items.map((it) => [it.unified, it] as const));
      const labels = split === "train" ? s.trainLabels : s.testLabels;
      s.itemIds[split].forEach((id, i) => {
        expect(byCode.get(id)?.label, `${split} ${id}`).toBe(labels[i]);
      });
      for (const e of s.encoders) expect(Array.from(e.itemIds![split])).toEqual(s.itemIds[split]);
    }
    expect(s.itemIds.train.length + s.dropped.train).toBe(45);
    expect(s.classNames).toHaveLength(9);
    // Every kept item has a non-zero embedding in every encoder (the names encoders embed the names).
    for (const e of s.encoders) for (let i = 0; i < e.train.rows; i++) expect(e.train.row(i).some((v) => v !== 0)).toBe(true);
  }, 180_000);

  it("text spaces: the most frequent classes, renumbered, the same texts in every encoder", async () => {
    const s = await textStitchingSpaces({ corpus: "wordnet", encoders: ["glove-100d", "lsa-64-s0"], train: 60, test: 30, classes: 4, seed: 2, quick: true });
    expect(s.info.map((i) => [i.name, i.dim])).toEqual([["glove-100d", 100], ["lsa-64-s0", 64]]);
    expect(s.classNames).toHaveLength(4);
    expect(Math.max(...s.trainLabels)).toBe(3);
    const train = loadTextCorpus("wordnet", "train");
    const byId = new Map(train.items.map((it) => [it.id, it] as const));
    s.itemIds.train.forEach((id, i) => {
      const item = byId.get(id)!;
      expect(item, id).toBeDefined();
      expect(item.className).toBe(s.classNames[s.trainLabels[i]]);
    });
    expect(s.itemIds.train.length + s.dropped.train).toBe(60);
    expect(new Set(s.itemIds.train).size).toBe(s.itemIds.train.length);
  }, 180_000);
});
