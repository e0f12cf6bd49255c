import { beforeAll, describe, expect, it } from "vitest";
import {
  drawAnchorIndices, evaluateStitching, reconstructionAndAccuracy, runStitching, stitchingMatrix, summarizeStitching,
  type HeadFactory, type StitchingEncoder, type StitchingResult, type StitchingRow, type Translation,
} from "../src/eval/stitching";
import { InvalidParameterError, ShapeMismatchError } from "../src/errors";
import { trainHead, type ClassificationHead } from "../src/heads/classifier";
import { Matrix, padCols, selectRows } from "../src/linalg/matrix";
import { matmul } from "../src/linalg/product";
import { Random } from "../src/linalg/random";
import { randomRotation } from "../src/data/synthetic";
import { pearsonCorrelation } from "../src/metrics/metrics";
import { InverseRelativeProjection } from "../src/translate/irp";

// Four seeded Gaussian classes in 16-d (centres ~ N(0, 0.6²) per coordinate, unit noise, offset 0.5),
// so the heads are good but not perfect (~0.85): a wrong head or a bad translation shows.
// A: the data; B: a random rotation of A plus a shift; C: A zero-padded to 24-d, then rotated.
const D = 16, DC = 24, K = 4, N_TRAIN = 600, N_TEST = 300, CHANCE = 1 / K;

function classes(seed: number) {
  const rng = new Random(seed);
  const centres = Array.from({ length: K }, () => Array.from({ length: D }, () => 0.6 * rng.normal()));
  const split = (n: number) => {
    const x = new Matrix(n, D);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = rng.int(K);
      y[i] = c;
      for (let j = 0; j < D; j++) x.data[i * D + j] = 0.5 + centres[c][j] + rng.normal();
    }
    return { x, y };
  };
  return { train: split(N_TRAIN), test: split(N_TEST) };
}

const data = classes(1);
const R = randomRotation(D, 11);
const Q = randomRotation(DC, 12);
const rotateShift = (m: Matrix) => {
  const o = matmul(m, R);
  for (let i = 0; i < o.data.length; i++) o.data[i] += 2 * (((i % D) % 3) - 1);
  return o;
};
const padRotate = (m: Matrix) => matmul(padCols(m, DC), Q);
const encoders: StitchingEncoder[] = [
  { name: "A", train: data.train.x, test: data.test.x },
  { name: "B", train: rotateShift(data.train.x), test: rotateShift(data.test.x) },
  { name: "C", train: padRotate(data.train.x), test: padRotate(data.test.x) },
];
const base = {
  dataset: "gauss", encoders, trainLabels: data.train.y, testLabels: data.test.y,
  numAnchors: 64, irp: { omega: 8, delta: 0.3 }, progress: false,
} as const;

const find = (rows: StitchingRow[], seed: number, method: string, source: string, target: string): StitchingRow => {
  const r = rows.find((q) => q.seed === seed && q.method === method && q.source === source && q.target === target);
  if (!r) throw new Error(`no row ${seed} ${method} ${source}→${target}`);
  return r;
};

let result: StitchingResult;
beforeAll(async () => {
  result = await evaluateStitching({ ...base, seeds: [0, 1] });
});

describe("evaluateStitching on a rotated / padded Gaussian classification task", () => {
  it("produces one row per seed × (ordered pair × method + encoder non-stitch), with the settings", () => {
    const { rows, settings } = result;
    expect(rows).toHaveLength(2 * (6 * 5 + 3));
    expect(settings.methods).toEqual(["irp", "procrustes", "lstsq", "absolute", "relative"]);
    expect(settings.irp).toEqual({ omega: 8, delta: 0.3, prune: "target" });
    expect(settings.encoders).toEqual([{ name: "A", dim: D }, { name: "B", dim: D }, { name: "C", dim: DC }]);
    for (const r of rows) {
      expect(Object.keys(r).sort()).toEqual(["accuracy", "achievable", "dataset", "delta", "method", "omega", "reason", "seed", "source", "target"]);
      expect(r.dataset).toBe("gauss");
      if (r.method === "irp") expect([r.omega, r.delta]).toEqual([8, 0.3]);
      else expect([r.omega, r.delta]).toEqual([null, null]);
    }
    // Anchors are class-balanced train items, redrawn per seed.
    for (const seed of [0, 1]) {
      const idx = settings.anchorIndices[seed];
      expect(idx).toHaveLength(64);
      const counts = new Array(K).fill(0);
      for (const i of idx) counts[data.train.y[i]]++;
      expect(counts).toEqual([16, 16, 16, 16]);
    }
    expect(Array.from(settings.anchorIndices[0])).not.toEqual(Array.from(settings.anchorIndices[1]));
  });

  it("irp and procrustes stitching A→B (and across dimensions) match head_B's own accuracy", () => {
    for (const seed of [0, 1]) {
      const upperB = find(result.rows, seed, "non-stitch", "B", "B").accuracy;
      const upperA = find(result.rows, seed, "non-stitch", "A", "A").accuracy;
      expect(upperB).toBeGreaterThan(0.7); // the task is learnable …
      expect(upperB).toBeLessThan(0.97); // … but not trivial, so a wrong head shows
      for (const method of ["irp", "procrustes"]) {
        expect(Math.abs(find(result.rows, seed, method, "A", "B").accuracy - upperB)).toBeLessThanOrEqual(0.02);
        expect(Math.abs(find(result.rows, seed, method, "B", "A").accuracy - upperA)).toBeLessThanOrEqual(0.02);
        expect(Math.abs(find(result.rows, seed, method, "A", "C").accuracy - find(result.rows, seed, "non-stitch", "C", "C").accuracy)).toBeLessThanOrEqual(0.02);
        expect(Math.abs(find(result.rows, seed, method, "C", "A").accuracy - upperA)).toBeLessThanOrEqual(0.02);
      }
    }
  });

  it("absolute stitching into a rotated space is near chance; across dimensions it is not achievable and counted so", () => {
    for (const seed of [0, 1]) {
      for (const [s, t] of [["A", "B"], ["B", "A"]]) {
        const r = find(result.rows, seed, "absolute", s, t);
        expect(r.achievable).toBe(true);
        expect(r.accuracy).toBeLessThan(CHANCE + 0.15);
      }
      for (const [s, t] of [["A", "C"], ["C", "A"], ["B", "C"], ["C", "B"]]) {
        const r = find(result.rows, seed, "absolute", s, t);
        expect(r.achievable).toBe(false);
        expect(r.accuracy).toBeNaN();
        expect(r.reason).toMatch(/dimensions differ/);
      }
    }
    const summary = summarizeStitching(result.rows);
    const abs = summary.find((s) => s.method === "absolute")!;
    expect([abs.achievable, abs.pairs]).toEqual([2, 6]);
    for (const m of ["irp", "procrustes", "lstsq", "relative"]) {
      const s = summary.find((q) => q.method === m)!;
      expect([s.achievable, s.pairs, s.seeds]).toEqual([6, 6, 2]);
    }
    const ns = summary.find((s) => s.method === "non-stitch")!;
    expect([ns.achievable, ns.pairs]).toEqual([3, 3]);
    expect(abs.mean).toBeLessThan(CHANCE + 0.15);
    expect(summary.find((s) => s.method === "irp")!.mean).toBeGreaterThan(ns.mean - 0.03);
  });

  it("the relative baseline (heads on cosines to each encoder's own anchors) stitches the rotated pair", () => {
    for (const seed of [0, 1]) {
      for (const [s, t] of [["A", "B"], ["B", "A"], ["A", "C"]]) {
        const acc = find(result.rows, seed, "relative", s, t).accuracy;
        expect(acc).toBeGreaterThan(CHANCE + 0.45);
        expect(acc).toBeGreaterThan(find(result.rows, seed, "non-stitch", t, t).accuracy - 0.05);
      }
    }
  });

  it("is deterministic for fixed seeds, and a seed's rows do not depend on the other seeds run", async () => {
    const again = await evaluateStitching({ ...base, seeds: [1] });
    expect(again.rows).toEqual(result.rows.filter((r) => r.seed === 1));
    expect(Array.from(again.settings.anchorIndices[1])).toEqual(Array.from(result.settings.anchorIndices[1]));
  });
});

describe("evaluateStitching refuses bad input before training anything", () => {
  const ids = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  const withIds = (e: StitchingEncoder, train: string[], test: string[]): StitchingEncoder => ({ ...e, itemIds: { train, test } });
  let trained = 0;
  const counting: HeadFactory = async (req) => {
    trained++;
    return trainHead(req.x, req.labels, req.spec, { progress: false });
  };

  it("mismatched item orders: names the encoder and the first differing position", async () => {
    const testIds = ids(N_TEST, "t");
    const swapped = [...testIds];
    [swapped[5], swapped[9]] = [swapped[9], swapped[5]];
    const bad = [
      withIds(encoders[0], ids(N_TRAIN, "r"), testIds),
      withIds(encoders[1], ids(N_TRAIN, "r"), testIds),
      withIds(encoders[2], ids(N_TRAIN, "r"), swapped),
    ];
    const run = evaluateStitching({ ...base, encoders: bad, seeds: [0], headFactory: counting });
    await expect(run).rejects.toThrow(InvalidParameterError);
    await expect(evaluateStitching({ ...base, encoders: bad, seeds: [0], headFactory: counting }))
      .rejects.toThrow(/encoders\[2\]\.itemIds\.test.*encoder "C".*position 5.*encoder "A"/);
    // Numeric and string ids of the same items in the same order are accepted (validation only).
    const numeric = ids(N_TRAIN, "").map(Number);
    await expect(evaluateStitching({
      ...base, seeds: [0], methods: ["absolute"], numAnchors: 1e9,
      encoders: [withIds(encoders[0], ids(N_TRAIN, ""), testIds), withIds(encoders[1], numeric as unknown as string[], testIds)],
    })).rejects.toThrow(/numAnchors/); // got past the id check
    expect(trained).toBe(0);
  });

  it("different item counts across encoders, or ids not matching the rows", async () => {
    const short = { ...encoders[1], test: selectRows(encoders[1].test, [0, 1, 2]) };
    await expect(evaluateStitching({ ...base, encoders: [encoders[0], short], headFactory: counting }))
      .rejects.toThrow(ShapeMismatchError);
    await expect(evaluateStitching({ ...base, encoders: [encoders[0], short], headFactory: counting }))
      .rejects.toThrow(/encoders\[1\]\.test.*"B" has 3 test items/);
    await expect(evaluateStitching({ ...base, encoders: [withIds(encoders[0], ids(N_TRAIN, "r"), ids(5, "t")), encoders[1]], headFactory: counting }))
      .rejects.toThrow(/encoders\[0\]\.itemIds\.test.*"A" has 5 item ids for 300/);
    expect(trained).toBe(0);
  });

  it("bad settings name the argument", async () => {
    const run = (over: object) => evaluateStitching({ ...base, headFactory: counting, ...over });
    await expect(run({ numAnchors: N_TRAIN + 1 })).rejects.toThrow(/numAnchors/);
    await expect(run({ methods: ["irp", "nope"] })).rejects.toThrow(/methods\[1\].*unknown method "nope"/);
    await expect(run({ irp: { delta: 1 } })).rejects.toThrow(/irp\.delta/);
    await expect(run({ seeds: [0, 0] })).rejects.toThrow(/seeds/);
    await expect(run({ head: { kind: "mlp", hidden: [0] } })).rejects.toThrow(/head\.hidden/);
    await expect(run({ encoders: [encoders[0], { ...encoders[1], name: "A" }] })).rejects.toThrow(/encoders\[1\]\.name.*twice/);
    await expect(run({ encoders: [encoders[0]] })).rejects.toThrow(/at least two encoders/);
    await expect(run({ trainLabels: data.train.y.subarray(1) })).rejects.toThrow(ShapeMismatchError);
    expect(trained).toBe(0);
  });
});

describe("summarizeStitching and stitchingMatrix", () => {
  const row = (seed: number, source: string, target: string, method: StitchingRow["method"], accuracy: number, achievable = true): StitchingRow => ({
    dataset: "d", seed, source, target, method, accuracy, achievable, reason: achievable ? "" : "no",
    omega: method === "irp" ? 16 : null, delta: method === "irp" ? 0.8 : null,
  });
  const rows = [
    row(0, "X", "Y", "irp", 0.5), row(0, "Y", "X", "irp", 0.7), row(0, "X", "Y", "absolute", 0.2), row(0, "Y", "X", "absolute", NaN, false),
    row(1, "X", "Y", "irp", 0.8), row(1, "Y", "X", "irp", 1.0), row(1, "X", "Y", "absolute", 0.4), row(1, "Y", "X", "absolute", NaN, false),
    row(0, "X", "X", "non-stitch", 0.9), row(0, "Y", "Y", "non-stitch", 0.7), row(1, "X", "X", "non-stitch", 0.9), row(1, "Y", "Y", "non-stitch", 0.9),
  ];

  it("per method: mean ± std over seeds of the mean over achievable pairs, and the achievable count", () => {
    const s = summarizeStitching(rows);
    expect(s.map((r) => r.method)).toEqual(["irp", "absolute", "non-stitch"]);
    const irp = s[0];
    expect(irp.mean).toBeCloseTo(0.75, 12); // seeds: 0.6 and 0.9
    expect(irp.std).toBeCloseTo(0.15, 12);
    expect([irp.omega, irp.delta, irp.seeds, irp.achievable, irp.pairs]).toEqual([16, 0.8, 2, 2, 2]);
    expect(s[1].mean).toBeCloseTo(0.3, 12);
    expect([s[1].achievable, s[1].pairs]).toEqual([1, 2]);
    expect(s[2].mean).toBeCloseTo(0.85, 12);
    // Runs at another IRP setting get their own summary row.
    const other = rows.filter((r) => r.method === "irp").map((r) => ({ ...r, delta: 0.5, accuracy: 1 }));
    expect(summarizeStitching([...rows, ...other]).filter((r) => r.method === "irp").map((r) => [r.delta, r.mean])).toEqual([[0.8, 0.75], [0.5, 1]]);
  });

  it("encoder × decoder matrix (and its transpose for Fig. 7's axes), with an optional non-stitch diagonal", () => {
    const m = stitchingMatrix(rows, "irp");
    expect([m.rowNames, m.colNames, m.rowTitle, m.colTitle]).toEqual([["X", "Y"], ["X", "Y"], "encoder", "decoder"]);
    expect(m.values[0][0]).toBeNaN();
    expect(m.values[0][1]).toBeCloseTo(0.65, 12); // X → head of Y
    expect(m.values[1][0]).toBeCloseTo(0.85, 12);
    expect(m.counts).toEqual([[0, 2], [2, 0]]);
    const t = stitchingMatrix(rows, "irp", { rows: "decoder", diagonal: "non-stitch" });
    expect([t.rowTitle, t.colTitle]).toEqual(["decoder", "encoder"]);
    expect(t.values[1][0]).toBeCloseTo(0.65, 12);
    expect(t.values[0][0]).toBeCloseTo(0.9, 12);
    expect(t.values[1][1]).toBeCloseTo(0.8, 12);
    const abs = stitchingMatrix(rows, "absolute");
    expect(abs.values[1][0]).toBeNaN(); // not achievable
    expect(() => stitchingMatrix([...rows, { ...rows[0], dataset: "e" }], "irp")).toThrow(/several data sets/);
    expect(() => stitchingMatrix(rows, "lstsq")).toThrow(/no lstsq rows/);
  });
});

describe("reconstructionAndAccuracy (Fig. 6)", () => {
  it("fills the ω × δ grid from prefix-averaged draws, identical to direct IRP fits, with the correlations over cells", async () => {
    const heads = new Map<string, ClassificationHead>();
    const keep: HeadFactory = async (req) => {
      const h = await trainHead(req.x, req.labels, req.spec, { progress: false });
      heads.set(`${req.encoder}/${req.seed}`, h);
      return h;
    };
    const omegas = [1, 4], deltas = [0, 0.3, 0.6];
    const res = await reconstructionAndAccuracy({
      dataset: "gauss", encoders: [encoders[0], encoders[2]], trainLabels: data.train.y, testLabels: data.test.y,
      numAnchors: 48, seeds: [3], omegas, deltas, headFactory: keep, progress: false,
    });
    expect(res.rows).toHaveLength(2 * omegas.length * deltas.length);
    expect(res.cells).toHaveLength(omegas.length * deltas.length);
    const idx = drawAnchorIndices(data.train.y, 48, 3);
    for (const r of res.rows.filter((q) => q.source === "A")) {
      const irp = new InverseRelativeProjection({ omega: r.omega, delta: r.delta, seed: 3 })
        .fit(selectRows(encoders[0].train, idx), selectRows(encoders[2].train, idx));
      const out = irp.transform(encoders[0].test);
      expect(r.accuracy).toBe(heads.get("C/3")!.accuracy(out, data.test.y));
      expect(r.conditionNumber).toBeCloseTo(irp.diagnostics.meanConditionNumber, 9);
      expect(r.anchorsKept).toBeCloseTo(irp.diagnostics.meanAnchorsKept, 12);
    }
    // δ = 0 keeps every anchor; a larger δ keeps fewer. With an exact isometry the translation is
    // (nearly) perfect at δ = 0, so the accuracy matches the target head's own.
    const cell = (o: number, d: number) => res.cells.find((c) => c.omega === o && c.delta === d)!;
    expect(cell(1, 0).anchorsKept).toBe(48);
    expect(cell(4, 0.6).anchorsKept).toBeLessThan(48);
    expect(cell(1, 0).centredSimilarity).toBeGreaterThan(0.999);
    const a = res.cells.map((c) => c.similarity), b = res.cells.map((c) => c.accuracy);
    expect(res.correlations.similarityAccuracy).toBeCloseTo(pearsonCorrelation(a, b), 12);
    expect(res.correlations.conditionNumberAnchorsKept).toBeCloseTo(
      pearsonCorrelation(res.cells.map((c) => c.conditionNumber), res.cells.map((c) => c.anchorsKept)), 12);
    expect(res.grids.accuracy[1][2]).toBe(cell(4, 0.6).accuracy);
    for (const h of heads.values()) h.dispose();
  });
});

describe("runStitching: the protocol every evaluator configures", () => {
  const small = { dataset: "gauss", encoders: [encoders[0], encoders[2]], trainLabels: data.train.y, testLabels: data.test.y };
  const spec = undefined; // DEFAULT_STITCHING_HEAD

  it("per seed: anchors, heads encoder by encoder (absolute then relative), own-head rows, then every ordered pair; heads disposed per seed", async () => {
    const events: string[] = [];
    const factory: HeadFactory = async (req) => {
      events.push(`train ${req.seed} ${req.encoder} ${req.representation}`);
      const h = await trainHead(req.x, req.labels, req.spec, { progress: false });
      const dispose = h.dispose.bind(h);
      h.dispose = () => { events.push(`dispose ${req.seed} ${req.encoder} ${req.representation}`); dispose(); };
      return h;
    };
    type T = Translation & { what: string };
    const run = await runStitching<T, string>(small, {
      numAnchors: 64, seeds: [5, 6], head: spec, headFactory: factory, relativeHeads: { center: true }, progress: false,
      translators: [
        (pair) => [{ what: "identity", translated: pair.source.test.cols === pair.target.test.cols ? pair.source.test : undefined, reason: "dims" }],
        (pair) => [{ what: "rel", translated: pair.relativeTestOf(pair.source.name), head: "relative" }, { what: "rel-again", translated: pair.relativeTestOf(pair.source.name), head: "relative" }],
      ],
      ownHead: (c, e, acc) => { events.push(`own ${c.seed} ${e.name}`); return `own ${e.name} ${acc > 0.5}`; },
      record: (pair, t, acc) => { events.push(`pair ${pair.seed} ${pair.source.name}→${pair.target.name} ${t.what}`); return `${t.what} ${Number.isNaN(acc) ? "NaN" : acc > CHANCE + 0.3}`; },
    });
    const seed = (s: number) => [
      `train ${s} A absolute`, `train ${s} A relative`, `train ${s} C absolute`, `train ${s} C relative`, `own ${s} A`, `own ${s} C`,
      `pair ${s} A→C identity`, `pair ${s} A→C rel`, `pair ${s} A→C rel-again`, `pair ${s} C→A identity`, `pair ${s} C→A rel`, `pair ${s} C→A rel-again`,
      `dispose ${s} A absolute`, `dispose ${s} C absolute`, `dispose ${s} A relative`, `dispose ${s} C relative`,
    ];
    expect(events).toEqual([...seed(5), ...seed(6)]);
    // Different dimensions: not achievable, NaN without a head call; the relative heads stitch.
    expect(run.rows.slice(0, 8)).toEqual(["own A true", "own C true", "identity NaN", "rel true", "rel-again true", "identity NaN", "rel true", "rel-again true"]);
    expect(Array.from(run.anchorIndices[6])).toEqual(Array.from(drawAnchorIndices(data.train.y, 64, 6)));
  });

  it("disposes the heads when a translator throws, and refuses a relative read without relative heads", async () => {
    let alive = 0;
    const factory: HeadFactory = async (req) => {
      const h = await trainHead(req.x, req.labels, req.spec, { progress: false });
      alive++;
      const dispose = h.dispose.bind(h);
      h.dispose = () => { alive--; dispose(); };
      return h;
    };
    const base = { numAnchors: 40, seeds: [0], head: spec, headFactory: factory, progress: false as const, record: () => 0 };
    await expect(runStitching(small, { ...base, translators: [() => { throw new Error("boom"); }] })).rejects.toThrow("boom");
    expect(alive).toBe(0);
    await expect(runStitching(small, { ...base, translators: [(pair) => [{ translated: pair.source.test, head: "relative" as const }]] }))
      .rejects.toThrow(/relativeHeads/);
    expect(alive).toBe(0);
    await expect(runStitching(small, { ...base, numAnchors: 1, translators: [] })).rejects.toThrow(/numAnchors/);
    await expect(runStitching(small, { ...base, seeds: [], translators: [] })).rejects.toThrow(/seeds/);
  });
});
