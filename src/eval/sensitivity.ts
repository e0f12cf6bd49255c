/**
 * ω × δ sensitivity of IRP (the paper's Fig. 3 and Fig. 6): for every (source, target) pair of
 * spaces over the same items, every seed and every δ, the subspaces of the largest ω are drawn once
 * and every smaller ω averages a prefix of them (identical to fitting with that ω), so no subspace is
 * ever inverted twice.
 */
import { Matrix, selectRows } from "../linalg/matrix";
import { Random } from "../linalg/random";
import { InvalidParameterError, ShapeMismatchError } from "../errors";
import { applyIrpMap, averageMaps, fitSubspaceMaps, meanOverDraws } from "../translate/irp";
import { progress } from "../engine/progress";
import { scoreTranslation } from "./compare";
import { assertDelta, assertInteger } from "../validate";

/** One encoder's embeddings of the shared anchors and of held-out items (same items, same order across spaces). */
export interface EmbeddedSpace {
  name: string;
  anchors: Matrix;
  test: Matrix;
}

export interface SensitivityRow {
  [key: string]: string | number;
  setting: "intra" | "inter";
  source: string;
  target: string;
  seed: number;
  omega: number;
  delta: number;
  /** Mean cosine between reconstructed and true target embeddings of held-out items. */
  similarity: number;
  /** The same after centring both on the target anchors' mean (direction only). */
  centredSimilarity: number;
  /** Mean over the ω subspaces of σ_max/σ_min of the pruned target anchors. */
  conditionNumber: number;
  /** Mean anchors kept per subspace. */
  anchorsKept: number;
  distinctSubspaces: number;
}

export interface SensitivityOptions {
  spaces: EmbeddedSpace[];
  omegas?: number[];
  deltas?: number[];
  seeds?: number[];
  /** "intra": decode into the same space; "inter": every ordered pair of different spaces. Default both. */
  settings?: Array<"intra" | "inter">;
  prune?: "source" | "target";
  label?: string;
}

export const DEFAULT_OMEGAS = [1, 2, 4, 8, 16, 32];
export const DEFAULT_DELTAS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

export function sensitivityGrid(options: SensitivityOptions): SensitivityRow[] {
  const omegas = options.omegas ?? DEFAULT_OMEGAS;
  const deltas = options.deltas ?? DEFAULT_DELTAS;
  const seeds = options.seeds ?? [0];
  const settings = options.settings ?? ["intra", "inter"];
  omegas.forEach((o, i) => assertInteger(o, `omegas[${i}]`, 1));
  deltas.forEach((d, i) => assertDelta(d, `deltas[${i}]`));
  seeds.forEach((s, i) => assertInteger(s, `seeds[${i}]`, -(2 ** 31)));
  const spaces = options.spaces;
  if (spaces.length === 0) throw new InvalidParameterError("spaces", "expected at least one space");
  for (const s of spaces) {
    if (s.anchors.rows !== spaces[0].anchors.rows || s.test.rows !== spaces[0].test.rows) {
      throw new ShapeMismatchError("spaces", `space ${s.name} has ${s.anchors.rows} anchors and ${s.test.rows} test items, ${spaces[0].name} has ${spaces[0].anchors.rows} and ${spaces[0].test.rows}: spaces must embed the same items`);
    }
  }
  const pairs: Array<[EmbeddedSpace, EmbeddedSpace, "intra" | "inter"]> = [];
  for (const a of spaces) for (const b of spaces) {
    if (a === b && settings.includes("intra")) pairs.push([a, b, "intra"]);
    if (a !== b && settings.includes("inter")) pairs.push([a, b, "inter"]);
  }
  if (pairs.length === 0) throw new InvalidParameterError("settings", "no pair to evaluate (inter needs at least two spaces)");
  const omegaMax = Math.max(...omegas);
  const rows: SensitivityRow[] = [];
  const bar = progress({ total: pairs.length * seeds.length * deltas.length, label: options.label ?? "ω×δ grid" });
  for (const [a, b, setting] of pairs) {
    for (const seed of seeds) {
      for (const delta of deltas) {
        const fitted = fitSubspaceMaps(a.anchors, b.anchors, { omega: omegaMax, delta, seed, prune: options.prune ?? "target" });
        for (const omega of omegas) {
          const map = averageMaps(fitted.draws, omega);
          const out = applyIrpMap(a.test, fitted.source, fitted.target, map);
          const scores = scoreTranslation(out, b.test, fitted.target.mean);
          rows.push({
            setting, source: a.name, target: b.name, seed, omega, delta,
            similarity: scores.cosine,
            centredSimilarity: scores.centredCosine,
            conditionNumber: meanOverDraws(fitted.draws, omega, (d) => d.conditionNumber),
            anchorsKept: meanOverDraws(fitted.draws, omega, (d) => d.anchorsKept),
            distinctSubspaces: new Set(fitted.draws.slice(0, omega)).size,
          });
        }
        bar.tick();
      }
    }
  }
  bar.done();
  return rows;
}

/**
 * Mean of `value` per (omega, delta) cell, as a z-matrix for a heatmap: rows follow `omegas`, columns
 * follow `deltas`.
 */
export function gridMeans(rows: readonly SensitivityRow[], value: keyof SensitivityRow, omegas: number[], deltas: number[], filter: (r: SensitivityRow) => boolean = () => true): number[][] {
  return omegas.map((omega) => deltas.map((delta) => {
    let s = 0, n = 0;
    for (const r of rows) {
      if (r.omega === omega && r.delta === delta && filter(r)) {
        s += Number(r[value]);
        n++;
      }
    }
    return n ? s / n : NaN;
  }));
}

export interface ParameterChoice {
  omega: number;
  delta: number;
  /** Mean cosine of the held-out anchors' reconstruction at the chosen setting. */
  score: number;
  /** The whole table of held-out-anchor scores (omega × delta). */
  table: Array<{ omega: number; delta: number; score: number }>;
}

/**
 * Beyond the paper: choose (ω, δ) from the anchors alone. A seeded share of the anchors is held out,
 * IRP is fitted on the rest for every (ω, δ), and the setting that reconstructs the held-out anchors
 * best (mean cosine in the target space) wins. Needs no data beyond the anchors themselves.
 */
export function chooseIrpParameters(options: {
  anchorsX: Matrix; anchorsY: Matrix; omegas?: number[]; deltas?: number[]; holdout?: number; seed?: number; prune?: "source" | "target";
}): ParameterChoice {
  const { anchorsX, anchorsY } = options;
  const holdout = options.holdout ?? 0.2;
  if (!(holdout > 0 && holdout < 1)) throw new InvalidParameterError("holdout", `expected a share in (0, 1), got ${holdout}`);
  const k = anchorsX.rows;
  const nTest = Math.max(1, Math.round(k * holdout));
  if (k - nTest < 2) throw new InvalidParameterError("holdout", `leaves ${k - nTest} anchors to fit on; need at least 2`);
  const seed = options.seed ?? 0;
  const order = new Random(seed).permutation(k);
  const fitIdx = order.subarray(nTest), testIdx = order.subarray(0, nTest);
  const rows = sensitivityGrid({
    spaces: [
      { name: "source", anchors: selectRows(anchorsX, fitIdx), test: selectRows(anchorsX, testIdx) },
      { name: "target", anchors: selectRows(anchorsY, fitIdx), test: selectRows(anchorsY, testIdx) },
    ],
    omegas: options.omegas, deltas: options.deltas, seeds: [seed], settings: ["inter"], prune: options.prune,
    label: "choosing ω, δ on anchors",
  }).filter((r) => r.source === "source");
  const table = rows.map((r) => ({ omega: r.omega, delta: r.delta, score: r.similarity }));
  const best = table.reduce((b, r) => (r.score > b.score ? r : b), table[0]);
  return { ...best, table };
}
