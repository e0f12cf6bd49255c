/**
 * Fig. 6's verdicts from its ω × δ stitching grid (`reconstructionAndAccuracy`): the paper's two
 * correlations, the two it implies, and its best cells.
 */
import { correlationOrNaN, type ReconstructionAndAccuracyResult } from "../../eval/stitching/index";
import { firstBest } from "../../eval/best";

export type Fig6Finding = { quantity: string; paper: string; ours: string };

/** The paper's statements about Fig. 6 against the grid's cells (means over pairs and seeds). */
export function fig6Findings(grid: Pick<ReconstructionAndAccuracyResult, "cells" | "correlations">, chance: { uniform: number; majority: number }): Fig6Finding[] {
  const cells = grid.cells;
  const col = (k: "similarity" | "accuracy" | "conditionNumber" | "anchorsKept") => cells.map((c) => c[k]);
  const best = firstBest(cells, (c) => c.accuracy);
  const bestSim = firstBest(cells, (c) => c.similarity);
  const shareBelow = (k: "conditionNumber" | "anchorsKept", v: number) => cells.filter((c) => c[k] < v).length / cells.length;
  const accAtNoPruning = Math.max(...cells.filter((c) => c.delta === 0).map((c) => c.accuracy));
  return [
    { quantity: "Pearson(similarity, accuracy)", paper: "0.7", ours: grid.correlations.similarityAccuracy.toFixed(3) },
    { quantity: "Pearson(condition number, anchors kept)", paper: "0.93", ours: grid.correlations.conditionNumberAnchorsKept.toFixed(3) },
    { quantity: "Pearson(condition number, accuracy)", paper: "not reported; implied negative (\"having a stable inverse … is more important than many anchors\")", ours: correlationOrNaN(col("conditionNumber"), col("accuracy")).toFixed(3) },
    { quantity: "Pearson(anchors kept, accuracy)", paper: "not reported; implied negative (\"the best performance is obtained with few anchors\")", ours: correlationOrNaN(col("anchorsKept"), col("accuracy")).toFixed(3) },
    { quantity: "best accuracy: (ω, δ)", paper: "few anchors, low condition number", ours: `ω = ${best.omega}, δ = ${best.delta}: accuracy ${best.accuracy.toFixed(3)}, ${best.anchorsKept.toFixed(1)} anchors kept, condition number ${best.conditionNumber.toPrecision(3)}` },
    { quantity: "  share of cells with fewer anchors / lower condition number than the best", paper: "implied small", ours: `${(100 * shareBelow("anchorsKept", best.anchorsKept)).toFixed(0)} % / ${(100 * shareBelow("conditionNumber", best.conditionNumber)).toFixed(0)} %` },
    { quantity: "best accuracy without pruning (δ = 0, any ω)", paper: "—", ours: accAtNoPruning.toFixed(3) },
    { quantity: "best similarity: (ω, δ)", paper: "—", ours: `ω = ${bestSim.omega}, δ = ${bestSim.delta}: similarity ${bestSim.similarity.toFixed(3)}, accuracy ${bestSim.accuracy.toFixed(3)}` },
    { quantity: "chance level (uniform / majority class)", paper: "—", ours: `${chance.uniform.toFixed(3)} / ${chance.majority.toFixed(3)}` },
  ];
}
