/**
 * Fig. 3's verdicts, computed from its ω × δ grid (`sensitivityGrid` rows): the paper's three
 * findings, and the anchor-only (ω, δ) choice against the grid's best cell per pair.
 */
import { gridMeans, type SensitivityRow } from "../../eval/sensitivity";
import type { PairChoice } from "../../eval/irpChoice";
import { firstBest } from "../../eval/best";

/** The first (i, j) with the largest value of a z-matrix, scanning row by row. */
export function argmaxCell(z: number[][]): { i: number; j: number } {
  let best = { i: 0, j: 0 };
  z.forEach((row, i) => row.forEach((v, j) => {
    if (v > z[best.i][best.j]) best = { i, j };
  }));
  return best;
}

/**
 * The paper's findings against the grid's means over pairs and seeds: (i) the best similarity intra
 * and inter; (ii) ω's effect intra at the smallest and largest δ (largest ω minus the smallest);
 * (iii) the best inter-space (ω, δ); and the inter condition number at the largest ω from the
 * smallest δ to the largest. `omegas` and `deltas` in grid order (ascending).
 */
export function fig3Findings(rows: readonly SensitivityRow[], omegas: number[], deltas: number[]): Array<{ finding: string; ours: string }> {
  const mean = (setting: "intra" | "inter", value: "similarity" | "conditionNumber") => gridMeans(rows, value, omegas, deltas, (r) => r.setting === setting);
  const intra = mean("intra", "similarity"), inter = mean("inter", "similarity"), cond = mean("inter", "conditionNumber");
  const bi = argmaxCell(intra), be = argmaxCell(inter);
  const last = deltas.length - 1, top = omegas.length - 1;
  return [
    { finding: "(i) the inverse works: best mean similarity intra / inter", ours: `${intra[bi.i][bi.j].toFixed(3)} / ${inter[be.i][be.j].toFixed(3)}` },
    { finding: "(ii) intra: ω's effect at δ = 0 (ω max − ω 1)", ours: (intra[top][0] - intra[0][0]).toFixed(4) },
    { finding: `(ii) intra: ω's effect at δ = ${deltas[last]} (ω max − ω 1)`, ours: (intra[top][last] - intra[0][last]).toFixed(4) },
    { finding: "(iii) inter: best (ω, δ)", ours: `ω = ${omegas[be.i]}, δ = ${deltas[be.j]}` },
    { finding: "condition number falls as δ rises (inter, ω max): δ = 0 → δ max", ours: `${cond[top][0].toFixed(1)} → ${cond[top][last].toFixed(1)}` },
  ];
}

/** One pair: the (ω, δ) chosen on held-out anchors against the grid's best on held-out items. */
export type AnchorChoiceRow = {
  source: string;
  target: string;
  chosenOmega: number;
  chosenDelta: number;
  /** The grid's similarity (held-out items) at the chosen cell. */
  chosenSimilarity: number;
  bestOmega: number;
  bestDelta: number;
  bestSimilarity: number;
  /** bestSimilarity − chosenSimilarity (≥ 0). */
  gap: number;
};

/**
 * Per pair of `choices` (e.g. `chooseIrpPerPair(...).perPair`), the chosen cell against the best cell
 * of the grid `rows` for that pair and `seed` (the first best in grid order), and the mean and worst gap.
 */
export function anchorChoiceVsGrid(rows: readonly SensitivityRow[], choices: readonly PairChoice[], seed = 0): { rows: AnchorChoiceRow[]; meanGap: number; worstGap: number } {
  const out: AnchorChoiceRow[] = choices.map((choice) => {
    const pairRows = rows.filter((r) => r.source === choice.source && r.target === choice.target && r.seed === seed);
    const best = firstBest(pairRows, (r) => r.similarity);
    const chosen = pairRows.find((r) => r.omega === choice.omega && r.delta === choice.delta)!;
    return {
      source: choice.source, target: choice.target, chosenOmega: choice.omega, chosenDelta: choice.delta, chosenSimilarity: chosen.similarity,
      bestOmega: best.omega, bestDelta: best.delta, bestSimilarity: best.similarity, gap: best.similarity - chosen.similarity,
    };
  });
  return { rows: out, meanGap: out.reduce((s, c) => s + c.gap, 0) / out.length, worstGap: Math.max(...out.map((c) => c.gap)) };
}
