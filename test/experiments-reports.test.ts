/**
 * The notebooks' verdicts and best-cell choices (src/experiments/reports/): each rule on inputs built
 * to sit on either side of its thresholds, with the strings the notebooks save.
 */
import { describe, expect, it } from "vitest";
import type { SensitivityRow } from "../src/eval/sensitivity";
import type { SensitivityCell } from "../src/eval/stitching/index";
import type { StitchingRow } from "../src/eval/stitching/index";
import { anchorChoiceVsGrid, argmaxCell, fig3Findings } from "../src/experiments/reports/fig3";
import { fig6Findings } from "../src/experiments/reports/fig6";
import { fig7Findings, fig7Rankings, fig7Summary, PAPER_SETTING, TUNED_SETTING } from "../src/experiments/reports/fig7";
import { table1Findings } from "../src/experiments/reports/table1";
import { table2Claims } from "../src/experiments/reports/table2";
import { gaussianLikeScales, layerwiseTolerance, rescaleInjectionSummary } from "../src/experiments/reports/scale";
import { firstBest } from "../src/eval/best";
import type { CrossLingualRow, DifferentPairRow } from "../src/experiments/crossLingual";
import type { studyNumbers } from "../src/experiments/stitchingStudy";

const gridRow = (setting: "intra" | "inter", source: string, target: string, omega: number, delta: number, similarity: number, conditionNumber = 10, seed = 0): SensitivityRow => ({
  setting, source, target, seed, omega, delta, similarity, centredSimilarity: similarity, conditionNumber, anchorsKept: 10, distinctSubspaces: 1,
});

describe("best cells", () => {
  it("firstBest and argmaxCell keep the first of equal maxima", () => {
    expect(firstBest([{ v: 1, k: "a" }, { v: 3, k: "b" }, { v: 3, k: "c" }], (x) => x.v).k).toBe("b");
    expect(argmaxCell([[0, 2], [2, 1]])).toEqual({ i: 0, j: 1 });
  });
});

describe("Fig. 3", () => {
  const omegas = [1, 4], deltas = [0, 0.9];
  // intra: ω matters only at δ = 0.9 (+0.3); inter: best at ω = 4, δ = 0.9; condition number 100 → 2 at ω = 4.
  const rows = [
    gridRow("intra", "A", "A", 1, 0, 0.99), gridRow("intra", "A", "A", 4, 0, 0.99), gridRow("intra", "A", "A", 1, 0.9, 0.6), gridRow("intra", "A", "A", 4, 0.9, 0.9),
    gridRow("inter", "A", "B", 1, 0, 0.5, 100), gridRow("inter", "A", "B", 4, 0, 0.5, 100), gridRow("inter", "A", "B", 1, 0.9, 0.6, 3), gridRow("inter", "A", "B", 4, 0.9, 0.7, 2),
    gridRow("inter", "B", "A", 1, 0, 0.4, 100), gridRow("inter", "B", "A", 4, 0, 0.4, 100), gridRow("inter", "B", "A", 1, 0.9, 0.6, 3), gridRow("inter", "B", "A", 4, 0.9, 0.6, 2),
  ];

  it("states the paper's findings from the grid means", () => {
    expect(fig3Findings(rows, omegas, deltas).map((f) => f.ours)).toEqual(["0.990 / 0.650", "0.0000", "0.3000", "ω = 4, δ = 0.9", "100.0 → 2.0"]);
  });

  it("compares each anchor-only choice with the grid's first best cell of that pair and seed", () => {
    const r = anchorChoiceVsGrid(rows, [
      { source: "A", target: "B", omega: 1, delta: 0.9, score: 0.8 },
      { source: "B", target: "A", omega: 4, delta: 0.9, score: 0.8 },
    ]);
    expect(r.rows[0]).toMatchObject({ chosenOmega: 1, chosenDelta: 0.9, bestOmega: 4, bestDelta: 0.9 });
    expect(r.rows[0].gap).toBeCloseTo(0.1, 12);
    expect(r.rows[1]).toMatchObject({ bestOmega: 1, bestDelta: 0.9, gap: 0 }); // tie: the first best in grid order
    expect(r.meanGap).toBeCloseTo(0.05, 12);
    expect(r.worstGap).toBeCloseTo(0.1, 12);
  });
});

describe("Fig. 6", () => {
  const cell = (omega: number, delta: number, accuracy: number, similarity: number, conditionNumber: number, anchorsKept: number): SensitivityCell =>
    ({ omega, delta, accuracy, similarity, centredSimilarity: similarity, conditionNumber, anchorsKept });
  it("finds the best-accuracy and best-similarity cells and the shares of cells below the best", () => {
    const cells = [cell(1, 0, 0.3, 0.5, 100, 100), cell(4, 0, 0.35, 0.6, 100, 100), cell(1, 0.8, 0.4, 0.7, 3, 10), cell(4, 0.8, 0.4, 0.65, 2, 8)];
    const f = fig6Findings({ cells, correlations: { similarityAccuracy: 0.9, conditionNumberAnchorsKept: 1 } }, { uniform: 0.1, majority: 0.2 });
    const ours = Object.fromEntries(f.map((x) => [x.quantity, x.ours]));
    expect(ours["best accuracy: (ω, δ)"]).toBe("ω = 1, δ = 0.8: accuracy 0.400, 10.0 anchors kept, condition number 3.00");
    expect(ours["  share of cells with fewer anchors / lower condition number than the best"]).toBe("25 % / 25 %");
    expect(ours["best accuracy without pruning (δ = 0, any ω)"]).toBe("0.350");
    expect(ours["best similarity: (ω, δ)"]).toBe("ω = 1, δ = 0.8: similarity 0.700, accuracy 0.400");
    expect(ours["Pearson(condition number, accuracy)"]).toMatch(/^-0\.\d{3}$/);
    expect(ours["chance level (uniform / majority class)"]).toBe("0.100 / 0.200");
  });
});

describe("Fig. 7", () => {
  const info = [{ name: "i1", modality: "image" as const }, { name: "i2", modality: "image" as const }, { name: "t1", modality: "text" as const }];
  const row = (seed: number, source: string, target: string, method: StitchingRow["method"], accuracy: number, omega: number | null = 16, delta: number | null = 0.8): StitchingRow =>
    ({ dataset: "emoji", seed, source, target, method, accuracy, achievable: true, reason: "", omega: method === "irp" ? omega : null, delta: method === "irp" ? delta : null });
  const acc: Record<string, number> = { "i1>i2": 0.5, "i1>t1": 0.4, "i2>i1": 0.5, "i2>t1": 0.35, "t1>i1": 0.6, "t1>i2": 0.62 };
  const paperRows = [
    ...info.map((e) => row(0, e.name, e.name, "non-stitch", e.modality === "text" ? 0.7 : 0.6)),
    ...Object.entries(acc).map(([k, v]) => { const [s, t] = k.split(">"); return row(0, s, t, "irp", v); }),
  ];
  // Tuned: better on one pair, equal (within 1e-12) on another, worse on one.
  const tuned = { ...acc, "i1>t1": 0.45, "i2>i1": 0.5 + 1e-13, "t1>i2": 0.6 };
  const tunedRows = Object.entries(tuned).map(([k, v]) => { const [s, t] = k.split(">"); return row(0, s, t, "irp", v, 4, 0.6); });

  it("marginal means, modality blocks, per-pair comparison and the verdicts", () => {
    const s = fig7Summary({ info, paperRows, tunedRows });
    expect(s.settings.map((x) => x.setting)).toEqual([PAPER_SETTING, TUNED_SETTING]);
    expect(PAPER_SETTING).toBe("ω = 16, δ = 0.8");
    const t1 = s.perEncoder.find((r) => r.encoder === "t1")!;
    expect(t1[`asEncoder (${PAPER_SETTING})`]).toBeCloseTo(0.61, 12);
    expect(t1.ownHead).toBe(0.7);
    expect(s.blocks.find((b) => b.setting === PAPER_SETTING && b.encoder === "image" && b.decoder === "text")!.meanAccuracy).toBeCloseTo(0.375, 12);
    expect(s.long).toHaveLength(6);
    const endToEnd = info.map((e) => ({ modality: e.modality, encoder: e.name, accuracy: e.modality === "text" ? 0.7 : 0.6 }));
    const f = fig7Findings(s, endToEnd, { uniform: 0.111, majority: 0.2 });
    expect(f.map((x) => x.agrees)).toEqual(["yes", "yes", "yes", "yes", "yes", "—"]);
    expect(f[5].ours).toMatch(/better on 1, worse on 1 of 6$/);
    // Cross-modal blocks must beat the majority rate by 0.1: at majority 0.3 the image→text block (0.375) does not.
    expect(fig7Findings(s, endToEnd, { uniform: 0.111, majority: 0.3 })[1].agrees).toBe("no");
    expect(fig7Rankings(s, endToEnd)[0]).toBe("as sources at ω = 16, δ = 0.8: t1 0.610 > i1 0.450 > i2 0.425");
  });
});

describe("Table 1", () => {
  const row = (source: string, target: string, irp: number, floor: number, absolute: number | "n/a", chosen: number): CrossLingualRow => ({
    corpus: "c", source, target, n: 50, anchors: 100, absolute, absoluteFloor: absolute === "n/a" ? "n/a" : 0.1, multilingual: 0.8, multilingualFloor: 0.2,
    multilingualTop1: 0.9, irp, irpOmega: 16, irpDelta: 0.8, irpAnchorsKept: 5, irpTop1: 0.5, irpChosen: chosen, irpChosenOmega: 4, irpChosenDelta: 0.6, irpChosenTop1: 0.5, randomPairFloor: floor,
  });
  it("counts pairs and averages margins per corpus, skipping n/a comparisons in the counts", () => {
    const rows = [row("en", "es", 0.6, 0.1, 0.2, 0.7), row("es", "en", 0.05, 0.1, "n/a", 0.04)];
    const dp: DifferentPairRow[] = [{ corpus: "c", space: "absolute", mean: 0.17, std: 0.05, parallelMean: 0.3, pairs: 10 }];
    const f = table1Findings(rows, dp, ["c"]);
    expect(f[0].ours).toBe("1/2 pairs; mean margin 0.225");
    expect(f[1].ours).toBe("1/2 pairs; mean 0.325 vs NaN");
    expect(f[6].ours).toBe("mean 0.370 vs 0.325; chosen better on 1/2 pairs; choices (4, 0.6)");
    expect(f[7].ours).toBe("0.17 ± 0.05 / n/a");
  });
});

describe("Table 2", () => {
  type Numbers = ReturnType<typeof studyNumbers>;
  const base: Numbers = {
    dataset: "d", chance: 0.1, majority: 0.12, absolute: 0.1, absoluteAchievable: 2, pairs: 20, irpTuned: 0.5, irpPaper: 0.4, procrustes: 0.6,
    lstsq: 0.55, relative: 0.45, nonStitch: 0.8, bestStitching: "Procrustes",
  };
  const verdict = (o: Partial<Numbers>, i: number) => table2Claims([{ ...base, ...o }])[i].agrees;
  it("absolute ≈ chance: within 0.1 of the majority rate; untestable without an achievable pair", () => {
    expect(verdict({}, 0)).toBe("yes");
    expect(verdict({ absolute: 0.23 }, 0)).toBe("no");
    expect(verdict({ absoluteAchievable: 0 }, 0)).toBe("untestable");
    expect(verdict({ absoluteAchievable: 20 }, 1)).toBe("no");
  });
  it("IRP close to non-stitch: ≥ 90 % yes, ≥ 75 % partly, else no", () => {
    expect(verdict({ irpTuned: 0.73, nonStitch: 0.8 }, 2)).toBe("yes (≥ 90 %)");
    expect(verdict({ irpTuned: 0.61, nonStitch: 0.8 }, 2)).toBe("partly (75–90 %)");
    expect(verdict({ irpTuned: 0.59, nonStitch: 0.8 }, 2)).toBe("no (< 75 %)");
    expect(table2Claims([base])[2].ours).toBe("IRP 0.500 (ω = 16, δ = 0.8: 0.400) vs non-stitch 0.800: 63 % of it");
    expect(table2Claims([base])[3].ours).toBe("Procrustes; IRP − Procrustes -0.100, IRP − relative head +0.050");
  });
});

describe("scale notebooks", () => {
  it("Fig. 2: a block tolerates α within 0.05 of the unrescaled accuracy", () => {
    const rows = [["a", 1, 0.8], ["a", 10, 0.76], ["b", 1, 0.8], ["b", 10, 0.7]].map(([layer, alpha, accuracy]) => ({ layer: layer as string, layerIndex: 0, alpha: alpha as number, accuracy: accuracy as number, targetNorm: 1 }));
    const t = layerwiseTolerance({ rows, unrescaledAccuracy: 0.8 }, ["a", "b"]);
    expect(t.perLayer).toEqual([{ layer: "a", alphasWithin005: "1, 10", share: 1, worst: 0.76 }, { layer: "b", alphasWithin005: "1", share: 0.5, worst: 0.7 }]);
    expect(t.invariantBlocks).toEqual(["a"]);
  });
  it("Fig. 4: the flat interval around the mean scale, as multiples of it", () => {
    const points = [0.1, 1, 10, 100].map((alpha, i) => ({ alpha, mean: [0.5, 0.79, 0.8, 0.6][i], std: 0 }));
    const [s] = rescaleInjectionSummary([{ activation: "relu", points }], { relu: { sweeps: [{ original: 0.8 }, { original: 0.7 }] } }, 10);
    expect(s).toMatchObject({ activation: "relu", accuracyAtMeanScale: 0.8, minOverGrid: 0.5, maxOverGrid: 0.8, flatFromTimesMean: 0.1, flatToTimesMean: 1 });
    expect(s.originalAccuracy).toBeCloseTo(0.75, 12);
  });
  it("Fig. 5: Gaussian-like means |skewness| < 1, |excess kurtosis| < 3 and ≤ 1 % beyond 3σ", () => {
    const s = (encoder: string, skewness: number, excessKurtosis: number, outliersBeyond3sd: number, cv: number) => ({ encoder, skewness, excessKurtosis, outliersBeyond3sd, cv });
    const stats = [s("ok", 0.5, 1, 0.01, 0.1), s("skewed", -1, 1, 0, 0.4), s("heavy", 0, 3, 0, 0.2), s("outliers", 0, 0, 0.011, 0.05)];
    const g = gaussianLikeScales(stats);
    expect(g.wellBehaved.map((x) => x.encoder)).toEqual(["ok"]);
    expect(g.others.map((x) => x.encoder)).toEqual(["skewed", "heavy", "outliers"]);
    expect([g.cvMin, g.cvMax]).toEqual([0.05, 0.4]);
  });
});
