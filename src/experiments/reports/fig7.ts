/**
 * What the Fig. 7 notebook reports from its two emoji runs — IRP at the paper's (ω, δ) for every
 * pair, and IRP at each pair's own (ω, δ) chosen on the anchors: each encoder's marginal means, the
 * modality blocks, the per-(pair, seed) comparison, and the verdicts on the paper's statements.
 */
import { stitchingMatrix, type StitchingMatrix, type StitchingRow } from "../../eval/stitching/index";
import { marginalMeans } from "../../plot/index";
import { IRP_DEFAULTS } from "../../translate/irp";
import type { Modality } from "../spaces";
import { modalityBlocks, ownHeadAccuracy, pairMatrix } from "../stitchingTools";

/** The paper's setting's label in the tables. */
export const PAPER_SETTING = `ω = ${IRP_DEFAULTS.omega}, δ = ${IRP_DEFAULTS.delta}`;
export const TUNED_SETTING = "tuned per pair";
/** Cross-modal stitching "works" when both cross-modal blocks beat the majority-class rate by this much. */
export const ABOVE_CHANCE_MARGIN = 0.1;
/** Accuracies closer than this count as equal when counting pairs where tuning helped or hurt. */
export const SAME_ACCURACY = 1e-12;

export interface Fig7Summary {
  /** The encoder × decoder matrix (rows = encoders) of each setting. */
  settings: Array<{ setting: string; m: StitchingMatrix }>;
  /** Per encoder: its own head's accuracy, and its mean accuracy as encoder (source) and as decoder (head) per setting. */
  perEncoder: Array<Record<string, string | number>>;
  /** Mean accuracy per (encoder modality → decoder modality) block and setting. */
  blocks: Array<{ setting: string; encoder: Modality; decoder: Modality; meanAccuracy: number; pairs: number }>;
  /** Every (pair, seed): the accuracy at the paper's setting and at the pair's tuned one. */
  long: Array<{ seed: number; encoder: string; decoder: string; accuracyPaperSetting: number; accuracyTuned: number; omega: number | null; delta: number | null }>;
}

/**
 * The tables of Fig. 7's comparison. `paperRows`: `evaluateStitching` rows at the paper's setting
 * (with the non-stitch rows); `tunedRows`: `evaluateIrpPerPair` rows.
 */
export function fig7Summary(o: {
  info: ReadonlyArray<{ name: string; modality: Modality }>; paperRows: readonly StitchingRow[]; tunedRows: readonly StitchingRow[];
}): Fig7Summary {
  const modality = (name: string) => o.info.find((i) => i.name === name)!.modality;
  const own = ownHeadAccuracy(o.paperRows);
  const settings = [
    { setting: PAPER_SETTING, m: stitchingMatrix(o.paperRows, "irp") },
    { setting: TUNED_SETTING, m: pairMatrix(o.tunedRows, "irp") },
  ];
  const perEncoder = o.info.map((info) => {
    const row: Record<string, string | number> = { encoder: info.name, modality: info.modality, ownHead: own.find((e) => e.encoder === info.name)!.mean };
    for (const s of settings) {
      const mm = marginalMeans(s.m.values), i = s.m.rowNames.indexOf(info.name);
      row[`asEncoder (${s.setting})`] = mm.rows[i];
      row[`asDecoder (${s.setting})`] = mm.cols[i];
    }
    return row;
  });
  const blocks = settings.flatMap((s) => modalityBlocks(s.m, modality).map((b) => ({ setting: s.setting, encoder: b.encoder, decoder: b.decoder, meanAccuracy: b.mean, pairs: b.cells })));
  const long = o.tunedRows.map((r) => {
    const p = o.paperRows.find((q) => q.method === "irp" && q.seed === r.seed && q.source === r.source && q.target === r.target)!;
    return { seed: r.seed, encoder: r.source, decoder: r.target, accuracyPaperSetting: p.accuracy, accuracyTuned: r.accuracy, omega: r.omega, delta: r.delta };
  });
  return { settings, perEncoder, blocks, long };
}

export type Fig7Finding = { claim: string; setting: string; paper: string; ours: string; agrees: string };

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * The paper's statements against the summary: text spaces are the stronger sources; cross-modal
 * stitching is well above chance; end-to-end the text models beat the vision models; and (beyond
 * the paper) tuning (ω, δ) per pair against the paper's setting.
 */
export function fig7Findings(
  s: Fig7Summary, endToEnd: ReadonlyArray<{ modality: Modality; accuracy: number }>, chance: { uniform: number; majority: number },
): Fig7Finding[] {
  const block = (setting: string, e: string, d: string) => s.blocks.find((b) => b.setting === setting && b.encoder === e && b.decoder === d)!.meanAccuracy;
  const asEncoder = (setting: string, m: Modality) => mean(s.perEncoder.filter((r) => r.modality === m).map((r) => Number(r[`asEncoder (${setting})`])));
  const ownOf = (m: Modality) => endToEnd.filter((e) => e.modality === m).map((e) => e.accuracy);
  const range = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
  const pTuned = mean(s.long.map((l) => l.accuracyTuned)), pPaper = mean(s.long.map((l) => l.accuracyPaperSetting));
  const better = s.long.filter((l) => l.accuracyTuned > l.accuracyPaperSetting + SAME_ACCURACY).length;
  const worse = s.long.filter((l) => l.accuracyTuned < l.accuracyPaperSetting - SAME_ACCURACY).length;
  return s.settings.flatMap((x): Fig7Finding[] => [
    {
      claim: "text spaces are the stronger sources (mean accuracy as encoder)", setting: x.setting, paper: "yes",
      ours: `text ${asEncoder(x.setting, "text").toFixed(3)} vs image ${asEncoder(x.setting, "image").toFixed(3)}`,
      agrees: asEncoder(x.setting, "text") > asEncoder(x.setting, "image") ? "yes" : "no",
    },
    {
      claim: "cross-modal stitching works (well above chance)", setting: x.setting, paper: "satisfactory",
      ours: `image→text ${block(x.setting, "image", "text").toFixed(3)}, text→image ${block(x.setting, "text", "image").toFixed(3)} (chance ${chance.uniform.toFixed(3)}, majority ${chance.majority.toFixed(3)})`,
      agrees: Math.min(block(x.setting, "image", "text"), block(x.setting, "text", "image")) > chance.majority + ABOVE_CHANCE_MARGIN ? "yes" : "no",
    },
  ]).concat([
    {
      claim: "end-to-end, the text models beat the vision models", setting: "own head", paper: "text 0.60–0.76, vision 0.42–0.50",
      ours: `text ${range(ownOf("text"))}, image ${range(ownOf("image"))}`,
      agrees: Math.min(...ownOf("text")) > Math.max(...ownOf("image")) ? "yes" : mean(ownOf("text")) > mean(ownOf("image")) ? "on average" : "no",
    },
    {
      claim: `beyond the paper: (ω, δ) tuned per pair vs ${PAPER_SETTING}`, setting: "both", paper: "—",
      ours: `mean over pairs and seeds ${pPaper.toFixed(3)} → ${pTuned.toFixed(3)}; better on ${better}, worse on ${worse} of ${s.long.length}`, agrees: "—",
    },
  ]);
}

/** Two log lines: the encoders ranked as sources at the paper's setting, and by their own head's accuracy. */
export function fig7Rankings(s: Fig7Summary, endToEnd: ReadonlyArray<{ encoder: string; accuracy: number }>): string[] {
  const key = `asEncoder (${PAPER_SETTING})`;
  const strongest = [...s.perEncoder].sort((a, b) => Number(b[key]) - Number(a[key]));
  return [
    `as sources at ${PAPER_SETTING}: ${strongest.map((r) => `${r.encoder} ${Number(r[key]).toFixed(3)}`).join(" > ")}`,
    `own-head accuracy: ${[...endToEnd].sort((a, b) => b.accuracy - a.accuracy).map((e) => `${e.encoder} ${e.accuracy.toFixed(3)}`).join(" > ")}`,
  ];
}
