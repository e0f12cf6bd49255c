/**
 * What the Table 2 notebook reports from its studies (`stitchingStudy`, one per data set): the saved
 * long tables, the bar chart's series, and the verdicts on the paper's claims.
 */
import { studyNumbers, TABLE2_LABELS, type StitchingStudy } from "../stitchingStudy";
import { asTableRows } from "../stitchingTools";
import { IRP_DEFAULTS } from "../../translate/irp";

/** One row per (data set, Table 2 label): the summary numbers behind each cell of the wide table. */
export function table2SummaryRows(studies: readonly StitchingStudy[]): Array<Record<string, string | number>> {
  return asTableRows(studies.flatMap((s) => s.entries.map((e) => ({
    dataset: e.dataset, method: e.label, omega: e.omega, delta: e.delta, mean: e.mean, std: e.std, seeds: e.seeds, achievable: e.achievable, pairs: e.pairs,
  }))));
}

/** Every stitching row of every study: each method at its setting, then IRP at the paper's setting. */
export function table2StitchingRows(studies: readonly StitchingStudy[]): Array<Record<string, string | number>> {
  return asTableRows(studies.flatMap((s) => [...s.rows, ...s.paperRows]));
}

/** The (ω, δ) chosen on the anchors for every ordered pair of every data set. */
export function table2ChoiceRows(studies: readonly StitchingStudy[]): Array<{ dataset: string; source: string; target: string; omega: number; delta: number; score: number }> {
  return studies.flatMap((s) => s.choice.perPair.map((p) => ({ dataset: s.dataset, source: p.source, target: p.target, omega: p.omega, delta: p.delta, score: p.score })));
}

/** The bar chart: one category per data set, one series per Table 2 label (mean ± std; NaN where absent). */
export function table2Bars(studies: readonly StitchingStudy[]): { categories: string[]; series: Array<{ name: string; values: number[]; errors: number[] }> } {
  return {
    categories: studies.map((s) => s.dataset),
    series: Object.values(TABLE2_LABELS).map((label) => ({
      name: label,
      values: studies.map((s) => s.entries.find((e) => e.label === label)?.mean ?? NaN),
      errors: studies.map((s) => s.entries.find((e) => e.label === label)?.std ?? NaN),
    })),
  };
}

export type ClaimRow = { dataset: string; claim: string; ours: string; agrees: string };

/** Below this margin over the majority-class rate, absolute stitching counts as "≈ chance". */
export const NEAR_CHANCE_MARGIN = 0.1;
/** IRP "close to non-stitch": at least this share of the non-stitch accuracy (partly from the second). */
export const CLOSE_TO_NON_STITCH = { yes: 0.9, partly: 0.75 } as const;

/** The paper's Table 2 claims per data set, with our numbers (`studyNumbers`) and a verdict. */
export function table2Claims(numbers: ReadonlyArray<ReturnType<typeof studyNumbers>>): ClaimRow[] {
  const signed = (v: number) => `${v >= 0 ? "+" : ""}${v.toFixed(3)}`;
  return numbers.flatMap((n) => [
    {
      dataset: n.dataset, claim: "absolute ≈ chance",
      ours: n.absoluteAchievable === 0 ? `no achievable pair (chance ${n.chance.toFixed(3)})` : `absolute ${n.absolute.toFixed(3)} on ${n.absoluteAchievable} pair(s) vs chance ${n.chance.toFixed(3)} (majority ${n.majority.toFixed(3)})`,
      agrees: n.absoluteAchievable === 0 ? "untestable" : n.absolute < n.majority + NEAR_CHANCE_MARGIN ? "yes" : "no",
    },
    {
      dataset: n.dataset, claim: "absolute handles fewer pairs; IRP all",
      ours: `absolute ${n.absoluteAchievable}/${n.pairs}, IRP ${n.pairs}/${n.pairs}`, agrees: n.absoluteAchievable < n.pairs ? "yes" : "no",
    },
    {
      dataset: n.dataset, claim: "IRP close to non-stitch",
      ours: `IRP ${n.irpTuned.toFixed(3)} (ω = ${IRP_DEFAULTS.omega}, δ = ${IRP_DEFAULTS.delta}: ${n.irpPaper.toFixed(3)}) vs non-stitch ${n.nonStitch.toFixed(3)}: ${(100 * n.irpTuned / n.nonStitch).toFixed(0)} % of it`,
      agrees: n.irpTuned >= CLOSE_TO_NON_STITCH.yes * n.nonStitch ? "yes (≥ 90 %)" : n.irpTuned >= CLOSE_TO_NON_STITCH.partly * n.nonStitch ? "partly (75–90 %)" : "no (< 75 %)",
    },
    {
      dataset: n.dataset, claim: "beyond the paper: best stitching method",
      ours: `${n.bestStitching}; IRP − Procrustes ${signed(n.irpTuned - n.procrustes)}, IRP − relative head ${signed(n.irpTuned - n.relative)}`,
      agrees: "—",
    },
  ]);
}
