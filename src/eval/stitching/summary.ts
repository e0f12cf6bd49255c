/**
 * Aggregations of stitching rows: the paper's Table 2 (per method, mean ± std over seeds of the
 * mean over pairs, plus the "achievable" pair count) and Fig. 7 (encoder × decoder matrix).
 */
import { InvalidParameterError } from "../../errors";
import type { StitchingRow } from "./stitching";

export interface StitchingSummaryRow {
  dataset: string;
  method: StitchingRow["method"];
  /** IRP's ω, δ (null for the other methods). Runs at different (ω, δ) get separate summary rows. */
  omega: number | null;
  delta: number | null;
  /** Mean over seeds of the per-seed mean accuracy over the achievable pairs (NaN if none). */
  mean: number;
  /** Population standard deviation (ddof 0, numpy's default) of those per-seed means; 0 for one seed. */
  std: number;
  /** Seeds with at least one achievable pair. */
  seeds: number;
  /** Distinct ordered (source, target) pairs the method could handle in every seed ("achievable"). */
  achievable: number;
  /** Distinct ordered pairs evaluated (for "non-stitch": the encoders). */
  pairs: number;
}

const keyOf = (r: Pick<StitchingRow, "dataset" | "method" | "omega" | "delta">) =>
  JSON.stringify([r.dataset, r.method, r.omega, r.delta]);

/**
 * Table 2 from stitching rows (one or more data sets, methods and IRP settings), in order of first
 * appearance. Not-achievable rows are left out of the means but counted in `pairs`.
 */
export function summarizeStitching(rows: readonly StitchingRow[]): StitchingSummaryRow[] {
  if (!Array.isArray(rows)) throw new InvalidParameterError("rows", "expected an array of stitching rows");
  const groups = new Map<string, StitchingRow[]>();
  for (const r of rows) {
    const k = keyOf(r);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(r);
  }
  const out: StitchingSummaryRow[] = [];
  for (const g of groups.values()) {
    const perSeed = new Map<number, { sum: number; n: number }>();
    const pairOk = new Map<string, boolean>();
    for (const r of g) {
      const pair = `${r.source}\u0000${r.target}`;
      pairOk.set(pair, (pairOk.get(pair) ?? true) && r.achievable);
      if (!r.achievable) continue;
      if (!Number.isFinite(r.accuracy)) {
        throw new InvalidParameterError("rows", `an achievable row has accuracy ${r.accuracy} (${r.method}, ${r.source}→${r.target}, seed ${r.seed})`);
      }
      const s = perSeed.get(r.seed) ?? { sum: 0, n: 0 };
      s.sum += r.accuracy;
      s.n++;
      perSeed.set(r.seed, s);
    }
    const means = [...perSeed.values()].map((s) => s.sum / s.n);
    const mean = means.length ? means.reduce((a, b) => a + b, 0) / means.length : NaN;
    const std = means.length ? Math.sqrt(means.reduce((a, m) => a + (m - mean) ** 2, 0) / means.length) : NaN;
    const { dataset, method, omega, delta } = g[0];
    out.push({
      dataset, method, omega, delta, mean, std, seeds: means.length,
      achievable: [...pairOk.values()].filter(Boolean).length, pairs: pairOk.size,
    });
  }
  return out;
}

export interface StitchingMatrixOptions {
  /** Required when the rows hold several data sets. */
  dataset?: string;
  /** Select one IRP setting when the rows hold several. */
  omega?: number;
  delta?: number;
  /**
   * What the matrix rows are. Default "encoder": values[i][j] is encoder i fed to the head of
   * decoder j. "decoder" transposes it (Fig. 7 draws encoders along x, decoders along y, and
   * `heatmap`/`matrixWithMarginals` draw z[i][j] at (x[j], y[i])).
   */
  rows?: "encoder" | "decoder";
  /** The diagonal: NaN (default, no stitching there) or the non-stitch accuracy of that encoder. */
  diagonal?: "empty" | "non-stitch";
}

export interface StitchingMatrix {
  method: StitchingRow["method"];
  dataset: string;
  /** Names along the matrix rows and columns. */
  rowNames: string[];
  colNames: string[];
  /** "encoder" or "decoder", for axis titles. */
  rowTitle: "encoder" | "decoder";
  colTitle: "encoder" | "decoder";
  /** Mean accuracy over seeds; NaN where not achievable (and on the diagonal unless filled). */
  values: number[][];
  /** Seeds averaged per cell. */
  counts: number[][];
}

/**
 * Encoder × decoder mean accuracy of one method (the paper's Fig. 7), averaged over seeds.
 * Encoders appear in order of first appearance in the rows.
 */
export function stitchingMatrix(rows: readonly StitchingRow[], method: StitchingRow["method"], options: StitchingMatrixOptions = {}): StitchingMatrix {
  if (!Array.isArray(rows)) throw new InvalidParameterError("rows", "expected an array of stitching rows");
  const datasets = [...new Set(rows.map((r) => r.dataset))];
  const dataset = options.dataset ?? (datasets.length === 1 ? datasets[0] : undefined);
  if (dataset === undefined) {
    throw new InvalidParameterError("options.dataset", datasets.length === 0 ? "no rows" : `the rows hold several data sets (${datasets.join(", ")}); choose one`);
  }
  const inData = rows.filter((r) => r.dataset === dataset);
  if (inData.length === 0) throw new InvalidParameterError("options.dataset", `no rows for data set "${dataset}" (have ${datasets.join(", ")})`);
  const names: string[] = [];
  for (const r of inData) for (const n of [r.source, r.target]) if (!names.includes(n)) names.push(n);
  let selected = inData.filter((r) => r.method === method &&
    (options.omega === undefined || r.omega === options.omega) && (options.delta === undefined || r.delta === options.delta));
  if (selected.length === 0) throw new InvalidParameterError("method", `no ${method} rows for data set "${dataset}"${options.omega !== undefined || options.delta !== undefined ? " at that ω, δ" : ""}`);
  const settings = new Set(selected.map((r) => JSON.stringify([r.omega, r.delta])));
  if (settings.size > 1) {
    throw new InvalidParameterError("options", `the ${method} rows hold several (ω, δ) settings (${[...settings].join(", ")}); choose one with options.omega / options.delta`);
  }
  const diagonal = options.diagonal ?? "empty";
  if (diagonal === "non-stitch") {
    selected = selected.filter((r) => r.source !== r.target).concat(inData.filter((r) => r.method === "non-stitch"));
  } else if (diagonal !== "empty") {
    throw new InvalidParameterError("options.diagonal", `expected "empty" or "non-stitch", got ${JSON.stringify(diagonal)}`);
  }
  const n = names.length;
  const sum = names.map(() => new Array<number>(n).fill(0));
  const counts = names.map(() => new Array<number>(n).fill(0));
  for (const r of selected) {
    if (!r.achievable || (r.source === r.target && diagonal === "empty")) continue;
    const i = names.indexOf(r.source), j = names.indexOf(r.target);
    sum[i][j] += r.accuracy;
    counts[i][j]++;
  }
  const byEncoder = sum.map((row, i) => row.map((s, j) => (counts[i][j] ? s / counts[i][j] : NaN)));
  const rowsAre = options.rows ?? "encoder";
  if (rowsAre !== "encoder" && rowsAre !== "decoder") throw new InvalidParameterError("options.rows", `expected "encoder" or "decoder", got ${JSON.stringify(rowsAre)}`);
  const t = <T>(m: T[][]): T[][] => m[0].map((_, j) => m.map((row) => row[j]));
  return {
    method, dataset, rowNames: [...names], colNames: [...names],
    rowTitle: rowsAre, colTitle: rowsAre === "encoder" ? "decoder" : "encoder",
    values: rowsAre === "encoder" ? byEncoder : t(byEncoder),
    counts: rowsAre === "encoder" ? counts : t(counts),
  };
}
