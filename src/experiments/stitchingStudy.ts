/**
 * One data set's column of Table 2: choose IRP's (ω, δ) from the anchors alone (`chooseIrpForSpaces`,
 * seed 0's anchors, no test data), run `evaluateStitching` with IRP at that setting and the
 * baselines, run IRP once more at the paper's Fig. 7 setting (ω = 16, δ = 0.8) and Procrustes through
 * the anchors' span (`ProcrustesTranslator` with `variant: "anchor-span"`, with `evaluatePairs`: the
 * full variant needs an SVD of the d_x×d_y cross-covariance, slow for pairs of 2,048- and
 * 1,792-d backbones), all with the same anchors and heads, and summarise (mean ± std over seeds of
 * the mean over pairs, achievable pairs) under Table 2's row labels.
 */
import { evaluateStitching, summarizeStitching, type StitchingMethod, type StitchingRow } from "../eval/stitching/index";
import type { HeadFactory } from "../eval/stitching/common";
import { IRP_DEFAULTS } from "../translate/irp";
import { ProcrustesTranslator } from "../translate/procrustes";
import { MatrixContentMemo, STUDY_MEMO_BYTES } from "../linalg/contentMemo";
import type { IrpChoice } from "../eval/irpChoice";
import { chanceLevels, chooseIrpForSpaces, evaluatePairs, labelled, memoHeadFactory, wideTable, type LabelledSummary } from "./stitchingTools";
import type { StitchingSpaces } from "./spaces";
import { firstBest } from "../eval/best";


/** Table 2's row label of each method (the order is the table's). */
export const TABLE2_LABELS: Readonly<Record<string, string>> = {
  "irp-tuned": "IRP, (ω, δ) chosen on anchors",
  "irp-paper": `IRP, ω = ${IRP_DEFAULTS.omega}, δ = ${IRP_DEFAULTS.delta}`,
  procrustes: "Procrustes (zero-padded; anchors' span)",
  lstsq: "least squares",
  relative: "relative head (Moschella et al.)",
  absolute: "absolute (no translation)",
  "non-stitch": "non-stitch (own head)",
};

export interface StitchingStudyOptions {
  numAnchors: number;
  seeds: number[];
  /** Grid of the anchor-only choice. */
  omegas: number[];
  deltas: number[];
  /** Methods of the `evaluateStitching` run (default irp, lstsq, absolute, relative). */
  methods?: StitchingMethod[];
  /** Procrustes: through the anchors' span (default), the library's `ProcrustesTranslator` (slow on wide spaces), or none. */
  procrustes?: "span" | "library" | "none";
  headFactory?: HeadFactory;
  progress?: boolean;
}

export interface StitchingStudy {
  dataset: string;
  spaces: StitchingSpaces;
  numAnchors: number;
  choice: IrpChoice;
  /** Every method (IRP at the chosen (ω, δ)), plus the non-stitch rows. */
  rows: StitchingRow[];
  /** IRP at the paper's (ω, δ). */
  paperRows: StitchingRow[];
  entries: LabelledSummary[];
  chance: { uniform: number; majority: number; classes: number };
  seconds: { choice: number; stitching: number };
}

export async function stitchingStudy(spaces: StitchingSpaces, o: StitchingStudyOptions): Promise<StitchingStudy> {
  const headFactory = o.headFactory ?? memoHeadFactory();
  const numAnchors = Math.min(o.numAnchors, spaces.trainLabels.length);
  const choice = chooseIrpForSpaces(spaces, { numAnchors, seed: 0, omegas: o.omegas, deltas: o.deltas });
  const started = performance.now();
  const procrustes = o.procrustes ?? "span";
  const methods = o.methods ?? ["irp", "lstsq", "absolute", "relative"];
  const main = await evaluateStitching({
    ...spaces, numAnchors, seeds: o.seeds, methods: procrustes === "library" && !methods.includes("procrustes") ? [...methods, "procrustes"] : methods,
    irp: { omega: choice.overall.omega, delta: choice.overall.delta }, headFactory, progress: o.progress, label: `stitching ${spaces.dataset}`,
  });
  if (procrustes === "span") {
    // Each encoder's anchors are one side of 2·(encoders − 1) pairs per seed: their row space is computed once.
    const memo = new MatrixContentMemo(STUDY_MEMO_BYTES);
    main.rows.push(...await evaluatePairs(spaces, {
      numAnchors, seeds: o.seeds, method: "procrustes", headFactory, translator: () => ({ translator: new ProcrustesTranslator({ variant: "anchor-span", memo }) }),
    }));
  }
  const paper = await evaluateStitching({
    ...spaces, numAnchors, seeds: o.seeds, methods: ["irp"], irp: { omega: IRP_DEFAULTS.omega, delta: IRP_DEFAULTS.delta }, headFactory, progress: o.progress, label: `IRP ω=${IRP_DEFAULTS.omega} δ=${IRP_DEFAULTS.delta} ${spaces.dataset}`,
  });
  const paperRows = paper.rows.filter((r) => r.method === "irp");
  const entries = [
    ...labelled(summarizeStitching(main.rows), (r) => (r.method === "irp" ? TABLE2_LABELS["irp-tuned"] : undefined)),
    ...labelled(summarizeStitching(paperRows), () => TABLE2_LABELS["irp-paper"]),
    ...labelled(summarizeStitching(main.rows), (r) => (r.method === "irp" ? undefined : TABLE2_LABELS[r.method])),
  ];
  const order = Object.values(TABLE2_LABELS);
  entries.sort((a, b) => order.indexOf(a.label) - order.indexOf(b.label));
  return {
    dataset: spaces.dataset, spaces, numAnchors, choice, rows: main.rows, paperRows, entries, chance: chanceLevels(spaces.testLabels),
    seconds: { choice: choice.seconds, stitching: (performance.now() - started) / 1000 },
  };
}

/** A few lines describing a finished study (items, encoders, anchors, the chosen (ω, δ), timings). */
export function describeStudy(s: StitchingStudy): string {
  const c = s.choice.overall;
  return [
    s.spaces.description,
    `  kept ${s.spaces.trainLabels.length} train / ${s.spaces.testLabels.length} test items (dropped ${s.spaces.dropped.train} / ${s.spaces.dropped.test}); ${s.numAnchors} anchors per seed`,
    `  encoders: ${s.spaces.info.map((i) => `${i.name} (${i.dim}-d)`).join(", ")}`,
    `  (ω, δ) chosen on seed 0's anchors: ω = ${c.omega}, δ = ${c.delta} (held-out anchor similarity ${c.score.toFixed(3)}) in ${s.seconds.choice.toFixed(1)} s; stitching in ${s.seconds.stitching.toFixed(1)} s`,
  ].join("\n");
}

/** Table 2, wide: one row per method, one column per data set, then the chosen (ω, δ), chance and set-up rows. */
export function table2Rows(studies: readonly StitchingStudy[], digits = 3): Array<Record<string, string>> {
  const per = (f: (s: StitchingStudy) => string) => Object.fromEntries(studies.map((s) => [s.dataset, f(s)]));
  return wideTable(studies.flatMap((s) => s.entries), studies.map((s) => s.dataset), digits, [
    { method: "IRP: (ω, δ) chosen on anchors", ...per((s) => `ω = ${s.choice.overall.omega}, δ = ${s.choice.overall.delta}`) },
    { method: "chance: 1 / classes (majority class)", ...per((s) => `${s.chance.uniform.toFixed(digits)} (${s.chance.majority.toFixed(digits)})`) },
    { method: "encoders (dims)", ...per((s) => s.spaces.info.map((i) => `${i.name} ${i.dim}`).join(", ")) },
    { method: "anchors / train / test items, seeds", ...per((s) => `${s.numAnchors} / ${s.spaces.trainLabels.length} / ${s.spaces.testLabels.length}, ${new Set(s.rows.map((r) => r.seed)).size}`) },
  ]);
}

/** The numbers the paper's Table 2 claims are about, per data set. */
export function studyNumbers(s: StitchingStudy): {
  dataset: string; chance: number; majority: number; absolute: number; absoluteAchievable: number; pairs: number;
  irpTuned: number; irpPaper: number; procrustes: number; lstsq: number; relative: number; nonStitch: number; bestStitching: string;
} {
  const get = (key: string) => s.entries.find((e) => e.label === TABLE2_LABELS[key]);
  const abs = get("absolute");
  const stitching = s.entries.filter((e) => e.label !== TABLE2_LABELS["non-stitch"] && Number.isFinite(e.mean) && e.achievable === e.pairs);
  const best = firstBest(stitching, (e) => e.mean);
  return {
    dataset: s.dataset, chance: s.chance.uniform, majority: s.chance.majority,
    absolute: abs?.mean ?? NaN, absoluteAchievable: abs?.achievable ?? 0, pairs: abs?.pairs ?? get("irp-tuned")?.pairs ?? 0,
    irpTuned: get("irp-tuned")?.mean ?? NaN, irpPaper: get("irp-paper")?.mean ?? NaN, procrustes: get("procrustes")?.mean ?? NaN,
    lstsq: get("lstsq")?.mean ?? NaN, relative: get("relative")?.mean ?? NaN, nonStitch: get("non-stitch")?.mean ?? NaN,
    bestStitching: best ? best.label : "",
  };
}
