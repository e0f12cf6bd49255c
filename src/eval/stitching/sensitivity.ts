/**
 * The paper's Fig. 6: on one (text) data set, IRP at every (ω, δ) for every ordered encoder pair and
 * seed — the reconstruction similarity (cosine of translated vs true target test embeddings), the
 * stitching accuracy (head_B on the translated test embeddings), the mean condition number and the
 * mean number of anchors kept across subspaces — and the Pearson correlations the paper quotes
 * (similarity vs accuracy ≈ 0.7, condition number vs anchors kept ≈ 0.93) over the grid cells.
 *
 * A configuration of the stitching protocol (`runStitching`: anchors redrawn per seed, class-balanced
 * from the train split, one head per encoder and seed scores the translations) with one translator
 * per δ: per (pair, seed, δ) the subspaces of the largest ω are drawn and inverted once
 * (`fitSubspaceMaps`) and every ω averages a prefix of them (`averageMaps`, anchor completion),
 * which is identical to fitting IRP with that ω. Rows are `sensitivityGrid`'s row type plus the
 * data set and the accuracy.
 */
import { LatentBridgeError } from "../../errors";
import type { Matrix } from "../../linalg/matrix";
import type { ProgressMode } from "../../engine/progress";
import { MatrixContentMemo, STUDY_MEMO_BYTES } from "../../linalg/contentMemo";
import { applyIrpMap, averageMaps, fitSubspaceMaps, IRP_DEFAULTS, meanOverDraws, type SubspaceMaps } from "../../translate/irp";
import { cosineScores } from "../compare";
import { pearsonCorrelation } from "../../metrics/metrics";
import { DEFAULT_DELTAS, DEFAULT_OMEGAS, gridMeans, type SensitivityRow } from "../sensitivity";
import { assertDelta, assertInteger, assertPruneSide, checkDistinctValues, type PruneSide } from "../../validate";
import type { HeadFactory, StitchingData, StitchingHeadSpec } from "./common";
import { runStitching, type PairTranslator, type Translation } from "./protocol";

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
  const omegas = checkDistinctValues(options.omegas ?? DEFAULT_OMEGAS, "omegas", (o, n) => assertInteger(o, n, 1));
  const deltas = checkDistinctValues(options.deltas ?? DEFAULT_DELTAS, "deltas", (d, n) => assertDelta(d, n));
  const prune = assertPruneSide(options.prune ?? IRP_DEFAULTS.prune);
  const omegaMax = Math.max(...omegas);
  // One translator per δ: the subspaces of the largest ω are drawn and inverted once, every ω averages
  // a prefix; with target pruning every source into one target shares them (the memo's target sides).
  const memo = new MatrixContentMemo(STUDY_MEMO_BYTES);
  const translators = deltas.map((delta): PairTranslator<PrefixTranslation> => function* (pair) {
    const fitted = fitSubspaceMaps(pair.anchorsOf(pair.source.name), pair.anchorsOf(pair.target.name), { omega: omegaMax, delta, seed: pair.seed, prune, memo });
    for (const omega of omegas) {
      yield { omega, delta, fitted, translated: applyIrpMap(pair.source.test, fitted.source, fitted.target, averageMaps(fitted, omega)) };
    }
  });
  const run = await runStitching(options, {
    numAnchors: options.numAnchors, seeds: options.seeds ?? [0, 1, 2], head: options.head, headFactory: options.headFactory,
    translators, step: "translator", progress: options.progress, label: options.label ?? `ω×δ stitching ${options.dataset}`,
    record: (pair, t, accuracy): StitchingSensitivityRow => {
      const { omega, delta, fitted } = t;
      const scores = cosineScores(t.translated, pair.target.test, fitted.target.mean);
      return {
        dataset: pair.data.dataset, setting: "inter", source: pair.source.name, target: pair.target.name, seed: pair.seed, omega, delta,
        similarity: scores.cosine,
        centredSimilarity: scores.centredCosine,
        accuracy,
        conditionNumber: meanOverDraws(fitted.draws, omega, (d) => d.conditionNumber),
        anchorsKept: meanOverDraws(fitted.draws, omega, (d) => d.anchorsKept),
        distinctSubspaces: new Set(fitted.draws.slice(0, omega)).size,
      };
    },
  });
  const rows = run.rows;
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

interface PrefixTranslation extends Translation {
  translated: Matrix;
  omega: number;
  delta: number;
  fitted: SubspaceMaps;
}
