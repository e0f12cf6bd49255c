/**
 * The paper's Fig. 6: on one (text) data set, IRP at every (ω, δ) for every ordered encoder pair and
 * seed — the reconstruction similarity (cosine of translated vs true target test embeddings), the
 * stitching accuracy (head_B on the translated test embeddings), the mean condition number and the
 * mean number of anchors kept across subspaces — and the Pearson correlations the paper quotes
 * (similarity vs accuracy ≈ 0.7, condition number vs anchors kept ≈ 0.93) over the grid cells.
 *
 * Built like `sensitivityGrid` (src/eval/sensitivity.ts) and returning its row type plus the
 * accuracy: per (pair, seed, δ) the subspaces of the largest ω are drawn and inverted once
 * (`fitSubspaceMaps`) and every smaller ω averages a prefix of them (`averageMaps`), which is
 * identical to fitting IRP with that ω. Unlike `sensitivityGrid`, anchors are redrawn per seed
 * (class-balanced, from the train split) and one head per encoder and seed scores the translations.
 */
import { InvalidParameterError, LatentBridgeError } from "../../errors";
import { selectRows, type Matrix } from "../../linalg/matrix";
import { progress, resolveProgressMode, type ProgressMode } from "../../engine/progress";
import type { ClassificationHead } from "../../heads/classifier";
import { applyIrpMap, averageMaps, fitSubspaceMaps, IRP_DEFAULTS, meanOverDraws } from "../../translate/irp";
import { scoreTranslation } from "../compare";
import { pearsonCorrelation } from "../../metrics/metrics";
import { DEFAULT_DELTAS, DEFAULT_OMEGAS, gridMeans, type SensitivityRow } from "../sensitivity";
import { assertDelta, assertInteger, assertPruneSide, checkDistinctValues, checkSeeds, type PruneSide } from "../../validate";
import {
  checkHeadSpec, checkNumAnchors, drawAnchorIndices, obtainHead, orderedPairs, validateStitchingData,
  type HeadFactory, type StitchingData, type StitchingHeadSpec,
} from "./common";

export interface ReconstructionAndAccuracyOptions extends StitchingData {
  /** Anchors drawn (class-balanced) from the train split per seed. */
  numAnchors: number;
  /** Default [0, 1, 2] (the paper's Fig. 6 uses 3 seeds). */
  seeds?: number[];
  /** Default `DEFAULT_OMEGAS` of sensitivity.ts ([1, 2, 4, 8, 16, 32]). */
  omegas?: number[];
  /** Default `DEFAULT_DELTAS` of sensitivity.ts (0, 0.1, …, 0.9). */
  deltas?: number[];
  prune?: PruneSide;
  head?: StitchingHeadSpec;
  headFactory?: HeadFactory;
  /** false silences the progress bar (seeds × pairs × δ); a mode forces one. */
  progress?: boolean | ProgressMode;
  label?: string;
}

/** A `SensitivityRow` (setting "inter") plus the data set and the stitching accuracy. */
export interface StitchingSensitivityRow extends SensitivityRow {
  dataset: string;
  /** head_B accuracy on IRP_{A→B}(A(test)). */
  accuracy: number;
}

/** Means over pairs and seeds at one (ω, δ). */
export interface SensitivityCell {
  omega: number;
  delta: number;
  similarity: number;
  centredSimilarity: number;
  accuracy: number;
  conditionNumber: number;
  anchorsKept: number;
}

export interface ReconstructionAndAccuracyResult {
  rows: StitchingSensitivityRow[];
  omegas: number[];
  deltas: number[];
  /** One per (ω, δ), ω-major. */
  cells: SensitivityCell[];
  /** Heatmap z-matrices (rows follow `omegas`, columns `deltas`), as `gridMeans` returns them. */
  grids: Record<"similarity" | "centredSimilarity" | "accuracy" | "conditionNumber" | "anchorsKept", number[][]>;
  /**
   * Pearson correlations over the grid cells (the paper: 0.7 and 0.93). NaN when undefined (fewer
   * than two cells, a constant quantity, or a non-finite condition number).
   */
  correlations: { similarityAccuracy: number; conditionNumberAnchorsKept: number };
  seconds: number;
}

/** Pearson correlation, or NaN where it is undefined (constant input, < 2 cells, non-finite values). */
export function correlationOrNaN(x: ArrayLike<number>, y: ArrayLike<number>): number {
  try {
    return pearsonCorrelation(x, y);
  } catch (e) {
    if (e instanceof LatentBridgeError) return NaN;
    throw e;
  }
}

/**
 * Fig. 6 for one data set (see the module comment). Cost: seeds × pairs × δ IRP fits at the largest
 * ω, plus seeds × pairs × δ × ω translations and head evaluations of the test split.
 */
export async function reconstructionAndAccuracy(options: ReconstructionAndAccuracyOptions): Promise<ReconstructionAndAccuracyResult> {
  const started = performance.now();
  const v = validateStitchingData(options);
  const numAnchors = checkNumAnchors(options.numAnchors, v.trainLabels.length);
  const seeds = checkSeeds(options.seeds ?? [0, 1, 2]);
  const omegas = checkDistinctValues(options.omegas ?? DEFAULT_OMEGAS, "omegas", (o, n) => assertInteger(o, n, 1));
  const deltas = checkDistinctValues(options.deltas ?? DEFAULT_DELTAS, "deltas", (d, n) => assertDelta(d, n));
  const prune = assertPruneSide(options.prune ?? IRP_DEFAULTS.prune);
  const head = checkHeadSpec(options.head);
  const omegaMax = Math.max(...omegas);
  const pairs = orderedPairs(v.encoders);
  const rows: StitchingSensitivityRow[] = [];
  const mode = resolveProgressMode(options.progress);
  const bar = progress({ total: seeds.length * pairs.length * deltas.length, label: options.label ?? `ω×δ stitching ${v.dataset}`, mode });
  try {
    for (const seed of seeds) {
      const idx = drawAnchorIndices(v.trainLabels, numAnchors, seed);
      const anchors = new Map<string, Matrix>(v.encoders.map((e) => [e.name, selectRows(e.train, idx)]));
      const heads = new Map<string, ClassificationHead>();
      try {
        for (const e of v.encoders) heads.set(e.name, await obtainHead(v, e.name, seed, "absolute", e.train, head, options.headFactory));
        for (const [a, b] of pairs) {
          const headB = heads.get(b.name)!;
          for (const delta of deltas) {
            const fitted = fitSubspaceMaps(anchors.get(a.name)!, anchors.get(b.name)!, { omega: omegaMax, delta, seed, prune });
            for (const omega of omegas) {
              const out = applyIrpMap(a.test, fitted.source, fitted.target, averageMaps(fitted, omega));
              const scores = scoreTranslation(out, b.test, fitted.target.mean);
              rows.push({
                dataset: v.dataset, setting: "inter", source: a.name, target: b.name, seed, omega, delta,
                similarity: scores.cosine,
                centredSimilarity: scores.centredCosine,
                accuracy: headB.accuracy(out, v.testLabels),
                conditionNumber: meanOverDraws(fitted.draws, omega, (d) => d.conditionNumber),
                anchorsKept: meanOverDraws(fitted.draws, omega, (d) => d.anchorsKept),
                distinctSubspaces: new Set(fitted.draws.slice(0, omega)).size,
              });
            }
            bar.tick();
            await new Promise<void>((resolve) => setImmediate(resolve));
          }
        }
      } finally {
        for (const h of heads.values()) h.dispose();
      }
    }
  } finally {
    bar.done();
  }
  const keys = ["similarity", "centredSimilarity", "accuracy", "conditionNumber", "anchorsKept"] as const;
  const grids = Object.fromEntries(keys.map((k) => [k, gridMeans(rows, k, omegas, deltas)])) as ReconstructionAndAccuracyResult["grids"];
  const cells: SensitivityCell[] = [];
  omegas.forEach((omega, i) => deltas.forEach((delta, j) => {
    cells.push({
      omega, delta,
      similarity: grids.similarity[i][j], centredSimilarity: grids.centredSimilarity[i][j], accuracy: grids.accuracy[i][j],
      conditionNumber: grids.conditionNumber[i][j], anchorsKept: grids.anchorsKept[i][j],
    });
  }));
  return {
    rows, omegas: [...omegas], deltas: [...deltas], cells, grids,
    correlations: {
      similarityAccuracy: correlationOrNaN(cells.map((c) => c.similarity), cells.map((c) => c.accuracy)),
      conditionNumberAnchorsKept: correlationOrNaN(cells.map((c) => c.conditionNumber), cells.map((c) => c.anchorsKept)),
    },
    seconds: (performance.now() - started) / 1000,
  };
}
