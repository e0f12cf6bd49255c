/**
 * The question the transformers were trained for, asked of Table 2: does IRP's gap to Procrustes
 * and to non-stitch shrink when every encoder is a transformer? One `stitchingStudy` per data set on
 * Table 2's encoders and one on transformer-only pairs (stitchingSpaces.ts `transformerEncoders`),
 * compared data set by data set.
 */
import { studyNumbers, type StitchingStudy } from "../stitchingStudy";

export type TransformerGapRow = {
  dataset: string;
  encoders: "Table 2's" | "transformers only";
  pairs: number;
  irpTuned: number;
  procrustes: number;
  lstsq: number;
  nonStitch: number;
  /** IRP (ω, δ chosen on anchors) / non-stitch. */
  irpShareOfNonStitch: number;
  irpMinusProcrustes: number;
};

/** Two rows per data set present in both lists (Table 2's encoders, then the transformers). */
export function transformerGapRows(table2: readonly StitchingStudy[], transformers: readonly StitchingStudy[]): TransformerGapRow[] {
  const row = (s: StitchingStudy, encoders: TransformerGapRow["encoders"]): TransformerGapRow => {
    const n = studyNumbers(s);
    return {
      dataset: n.dataset, encoders, pairs: n.pairs, irpTuned: n.irpTuned, procrustes: n.procrustes, lstsq: n.lstsq, nonStitch: n.nonStitch,
      irpShareOfNonStitch: n.irpTuned / n.nonStitch, irpMinusProcrustes: n.irpTuned - n.procrustes,
    };
  };
  return table2.flatMap((s) => {
    const t = transformers.find((x) => x.dataset === s.dataset);
    return t ? [row(s, "Table 2's"), row(t, "transformers only")] : [];
  });
}

/** One line per data set, and one over all of them, answering the question (from `transformerGapRows`). */
export function transformerGapVerdict(rows: readonly TransformerGapRow[]): string[] {
  const pct = (v: number) => `${(100 * v).toFixed(0)} %`;
  const signed = (v: number) => `${v >= 0 ? "+" : ""}${v.toFixed(3)}`;
  const datasets = [...new Set(rows.map((r) => r.dataset))];
  const pairsOf = datasets.map((d) => ({ base: rows.find((r) => r.dataset === d && r.encoders === "Table 2's")!, tr: rows.find((r) => r.dataset === d && r.encoders === "transformers only")! }));
  const lines = pairsOf.map(({ base, tr }) =>
    `${base.dataset}: IRP reaches ${pct(base.irpShareOfNonStitch)} of non-stitch with Table 2's encoders, ${pct(tr.irpShareOfNonStitch)} on transformer-only pairs ` +
    `(the gap ${tr.irpShareOfNonStitch > base.irpShareOfNonStitch ? "shrinks" : "does not shrink"}); IRP − Procrustes ${signed(base.irpMinusProcrustes)} → ${signed(tr.irpMinusProcrustes)} ` +
    `(${tr.irpMinusProcrustes > base.irpMinusProcrustes ? "closer to or past Procrustes" : "no closer to Procrustes"})`);
  if (pairsOf.length > 0) {
    const mean = (f: (r: TransformerGapRow) => number, which: "base" | "tr") => pairsOf.reduce((a, p) => a + f(p[which]), 0) / pairsOf.length;
    lines.push(
      `over ${pairsOf.length} data sets: IRP / non-stitch ${pct(mean((r) => r.irpShareOfNonStitch, "base"))} → ${pct(mean((r) => r.irpShareOfNonStitch, "tr"))}, ` +
      `IRP − Procrustes ${signed(mean((r) => r.irpMinusProcrustes, "base"))} → ${signed(mean((r) => r.irpMinusProcrustes, "tr"))} (Table 2's encoders → transformers only)`,
    );
  }
  return lines;
}
