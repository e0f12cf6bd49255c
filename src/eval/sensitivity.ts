/**
 * ω × δ sensitivity of IRP (the paper's Fig. 3 and Fig. 6): for every (source, target) pair of
 * spaces over the same items, every seed and every δ, the subspaces of the largest ω are drawn once
 * and every smaller ω averages a prefix of them (identical to fitting with that ω). A subspace's
 * pseudo-inverse depends only on the target's anchors, so it is computed once per target and shared
 * by every source (`drawSubspaceDecoders`); decoding goes through the relative space (n×k products,
 * `translatePrefixes`), never forming the d_x×d_y maps, which is what makes grids over 2,000-d
 * encoders affordable.
 */
import type { Matrix } from "../linalg/matrix";
import { absoluteCosineGram, cosineGram } from "../anchors/farthestPointSample";
import { anchorStats, centerAndNormalize, type SpaceStats } from "../relative/normalize";
import { InvalidParameterError, ShapeMismatchError } from "../errors";
import { progress, resolveProgressMode, type ProgressMode } from "../engine/progress";
import { cosineScores } from "./compare";
import { drawSubspaceDecoders, drawSubspaceEncoders, IRP_DEFAULTS, meanOverDraws, resolveIrpVariant, translatePrefixes, type DrawnSubspace } from "../translate/irp";
import type { MatrixContentMemo } from "../linalg/contentMemo";
import { assertDelta, assertInteger, assertPruneSide, checkDistinctValues, checkSeeds, type PruneSide } from "../validate";

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
  /** Instead of `settings`: these ordered (source, target) pairs of space names only. */
  pairs?: ReadonlyArray<readonly [string, string]>;
  prune?: PruneSide;
  /**
   * An IRP variant to sweep instead of plain IRP: `ridge` λ (the ridge-regularised inverse) or
   * `whiten` (the whitened relative space); see `IrpOptions`. Default: plain IRP.
   */
  variant?: { ridge?: number; whiten?: boolean };
  /** A memo shared with other grids (`MatrixContentMemo`): grids of several variants over the same anchors filter each subspace's SVD once computed. */
  memo?: MatrixContentMemo;
  /** false silences the progress bar; a mode forces one. Default "auto". */
  progress?: boolean | ProgressMode;
  label?: string;
}

export const DEFAULT_OMEGAS = [1, 2, 4, 8, 16, 32];
export const DEFAULT_DELTAS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

export function sensitivityGrid(options: SensitivityOptions): SensitivityRow[] {
  const omegas = checkDistinctValues(options.omegas ?? DEFAULT_OMEGAS, "omegas", (o, n) => assertInteger(o, n, 1));
  const deltas = checkDistinctValues(options.deltas ?? DEFAULT_DELTAS, "deltas", (d, n) => assertDelta(d, n));
  const seeds = checkSeeds(options.seeds ?? [0]);
  const settings = options.settings ?? ["intra", "inter"];
  const spaces = options.spaces;
  if (spaces.length === 0) throw new InvalidParameterError("spaces", "expected at least one space");
  for (const s of spaces) {
    if (s.anchors.rows !== spaces[0].anchors.rows || s.test.rows !== spaces[0].test.rows) {
      throw new ShapeMismatchError("spaces", `space ${s.name} has ${s.anchors.rows} anchors and ${s.test.rows} test items, ${spaces[0].name} has ${spaces[0].anchors.rows} and ${spaces[0].test.rows}: spaces must embed the same items`);
    }
  }
  const omegaMax = Math.max(...omegas);
  const prune = assertPruneSide(options.prune ?? IRP_DEFAULTS.prune);
  const variant = resolveIrpVariant(options.variant ?? {});
  const jobs = options.pairs ? namedPairs(spaces, options.pairs) : settingsPairs(spaces.length, settings);
  if (jobs.length === 0) throw new InvalidParameterError("settings", "no pair to evaluate (inter needs at least two spaces)");
  const prepared = spaces.map(prepareSpace);
  const rows: SensitivityRow[] = [];
  const bar = progress({ total: jobs.length * seeds.length * deltas.length, label: options.label ?? "ω×δ grid", mode: resolveProgressMode(options.progress) });
  // Target-major: the pruned subspaces and their pseudo-inverses depend only on the target's anchors
  // (with target pruning), so every source decoding into the same target shares them.
  const byTarget = new Map<number, number[]>();
  for (const [a, b] of jobs) byTarget.set(b, [...(byTarget.get(b) ?? []), a]);
  for (const [b, sources] of byTarget) {
    const sb = prepared[b];
    for (const seed of seeds) {
      for (const delta of deltas) {
        // The grid's decoders are pinv(S_Y)ᵀ, as they always were (see `DecoderForm`).
        const decoders = (pruneOn: PreparedSpace) => drawSubspaceDecoders(sb.anchorUnit, gramOf(pruneOn), {
          omega: omegaMax, delta, seed, form: "transpose-of-pinv", ridge: variant.ridge, whiten: variant.whiten, memo: options.memo,
          targetGram: pruneOn === sb ? signedGramOf(sb) : undefined,
        });
        const shared = prune === "target" ? decoders(sb) : undefined;
        for (const a of sources) {
          const sa = prepared[a];
          const draws = shared ?? decoders(sa);
          const encoders = variant.whiten ? drawSubspaceEncoders(sa.anchorUnit, draws, undefined, options.memo) : undefined;
          for (const { omega, translated } of translatePrefixes(sa.testUnit, sa.anchorUnit, draws, omegas, sb.stats, encoders)) {
            const scores = cosineScores(translated, sb.space.test, sb.stats.mean);
            rows.push({
              setting: a === b ? "intra" : "inter", source: sa.space.name, target: sb.space.name, seed, omega, delta,
              similarity: scores.cosine,
              centredSimilarity: scores.centredCosine,
              conditionNumber: meanOverDraws(draws, omega, (d) => d.conditionNumber),
              anchorsKept: meanOverDraws(draws, omega, (d) => d.anchorsKept),
              distinctSubspaces: distinctAmong(draws, omega),
            });
          }
          bar.tick();
        }
      }
    }
  }
  bar.done();
  return rows;
}

interface PreparedSpace {
  space: EmbeddedSpace;
  stats: SpaceStats;
  anchorUnit: Matrix;
  testUnit: Matrix;
  /** |cos| Gram matrix of the unit anchors (what pruning on this space reads), computed on first use. */
  gram?: Float64Array;
  /** The signed one, cos (`cosineGram`), which it is taken from and the decoders into this space read. */
  signedGram?: Matrix;
}

function prepareSpace(space: EmbeddedSpace): PreparedSpace {
  const stats = anchorStats(space.anchors);
  return {
    space, stats,
    anchorUnit: centerAndNormalize(space.anchors, stats.mean, `${space.name}.anchors`),
    testUnit: centerAndNormalize(space.test, stats.mean, `${space.name}.test`),
  };
}

function gramOf(p: PreparedSpace): Float64Array {
  return (p.gram ??= absoluteCosineGram(p.anchorUnit, signedGramOf(p)));
}

function signedGramOf(p: PreparedSpace): Matrix {
  return (p.signedGram ??= cosineGram(p.anchorUnit));
}

function distinctAmong(draws: readonly DrawnSubspace[], omega: number): number {
  return new Set(draws.slice(0, omega)).size;
}

function settingsPairs(count: number, settings: Array<"intra" | "inter">): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let a = 0; a < count; a++) for (let b = 0; b < count; b++) {
    if (a === b ? settings.includes("intra") : settings.includes("inter")) out.push([a, b]);
  }
  return out;
}

function namedPairs(spaces: readonly EmbeddedSpace[], pairs: ReadonlyArray<readonly [string, string]>): Array<[number, number]> {
  const index = (name: string, i: number, side: number) => {
    const at = spaces.findIndex((s) => s.name === name);
    if (at < 0) throw new InvalidParameterError(`pairs[${i}][${side}]`, `no space named ${JSON.stringify(name)} (have ${spaces.map((s) => s.name).join(", ")})`);
    return at;
  };
  return pairs.map(([a, b], i) => [index(a, i, 0), index(b, i, 1)]);
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
