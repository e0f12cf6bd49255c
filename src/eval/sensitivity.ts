/**
 * ω × δ sensitivity of IRP (the paper's Fig. 3 and Fig. 6): for every (source, target) pair of
 * spaces over the same items, every seed and every δ, the subspaces of the largest ω are drawn once
 * and every smaller ω averages a prefix of them (identical to fitting with that ω). A subspace's
 * pseudo-inverse depends only on the target's anchors, so it is computed once per target and shared
 * by every source; decoding goes through the relative space (n×k products), never forming the
 * d_x×d_y maps, which is what makes grids over 2,000-d encoders affordable.
 */
import { Matrix, addScaledInPlace, scale, selectRows, transpose } from "../linalg/matrix";
import { matmul } from "../linalg/product";
import { pinvWithInfo } from "../linalg/pinv";
import { absoluteCosineGram, drawAnchorSubspaces } from "../anchors/farthestPointSample";
import { anchorStats, centerAndNormalize, denormalize, type SpaceStats } from "../relative/normalize";
import { Random } from "../linalg/random";
import { InvalidParameterError, ShapeMismatchError } from "../errors";
import { progress } from "../engine/progress";
import { scoreTranslation } from "./compare";
import { IRP_DEFAULTS } from "../translate/irp";
import { assertDelta, assertInteger, assertPruneSide, type PruneSide } from "../validate";

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
  prune?: PruneSide;
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
  const omegaMax = Math.max(...omegas);
  const prune = assertPruneSide(options.prune ?? IRP_DEFAULTS.prune);
  const prepared = spaces.map(prepareSpace);
  const rows: SensitivityRow[] = [];
  const jobs = settingsPairs(spaces.length, settings);
  if (jobs.length === 0) throw new InvalidParameterError("settings", "no pair to evaluate (inter needs at least two spaces)");
  const bar = progress({ total: jobs.length * seeds.length * deltas.length, label: options.label ?? "ω×δ grid" });
  // Target-major: the pruned subspaces and their pseudo-inverses depend only on the target's anchors
  // (with target pruning), so every source decoding into the same target shares them.
  const byTarget = new Map<number, number[]>();
  for (const [a, b] of jobs) byTarget.set(b, [...(byTarget.get(b) ?? []), a]);
  for (const [b, sources] of byTarget) {
    for (const seed of seeds) {
      for (const delta of deltas) {
        const decoders = prune === "target" ? targetDecoders(prepared[b], prepared[b], omegaMax, delta, seed) : undefined;
        for (const a of sources) {
          const dec = decoders ?? targetDecoders(prepared[b], prepared[a], omegaMax, delta, seed);
          const sa = prepared[a], sb = prepared[b];
          // Decoded test items through each distinct subspace, summed in draw order so that every ω
          // reads a prefix average.
          const sum = new Matrix(sa.testUnit.rows, sb.space.test.cols);
          const decodedOf = new Map<Int32Array, Matrix>();
          let drawn = 0;
          for (const omega of [...omegas].sort((p, q) => p - q)) {
            for (; drawn < omega; drawn++) {
              const d = dec.draws[drawn];
              let decoded = decodedOf.get(d.indices);
              if (!decoded) {
                // (x̂·S_Xᵀ)·pinv(S_Y)ᵀ: relative projection on this subspace, then its inverse.
                decoded = matmul(matmul(sa.testUnit, transpose(selectRows(sa.anchorUnit, d.indices))), d.pinvT);
                decodedOf.set(d.indices, decoded);
              }
              addScaledInPlace(sum, decoded, 1);
            }
            const out = denormalize(scale(sum, 1 / omega), sb.stats);
            const scores = scoreTranslation(out, sb.space.test, sb.stats.mean);
            let cond = 0, kept = 0;
            for (let i = 0; i < omega; i++) {
              cond += dec.draws[i].conditionNumber;
              kept += dec.draws[i].indices.length;
            }
            rows.push({
              setting: a === b ? "intra" : "inter", source: sa.space.name, target: sb.space.name, seed, omega, delta,
              similarity: scores.cosine,
              centredSimilarity: scores.centredCosine,
              conditionNumber: cond / omega,
              anchorsKept: kept / omega,
              distinctSubspaces: new Set(dec.draws.slice(0, omega).map((d) => d.indices)).size,
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
}

function prepareSpace(space: EmbeddedSpace): PreparedSpace {
  const stats = anchorStats(space.anchors);
  return {
    space, stats,
    anchorUnit: centerAndNormalize(space.anchors, stats.mean, `${space.name}.anchors`),
    testUnit: centerAndNormalize(space.test, stats.mean, `${space.name}.test`),
  };
}

interface Decoder {
  indices: Int32Array;
  /** pinv(S_Y)ᵀ, k × d_y: decodes a relative representation on this subspace. */
  pinvT: Matrix;
  conditionNumber: number;
}

/** The ω draws (pruned on `pruneOn`'s anchors) with the pseudo-inverse of the target's anchors on each. */
function targetDecoders(target: PreparedSpace, pruneOn: PreparedSpace, omega: number, delta: number, seed: number): { draws: Decoder[] } {
  const k = target.anchorUnit.rows;
  const draws = drawAnchorSubspaces(absoluteCosineGram(pruneOn.anchorUnit), k, omega, delta, seed);
  const computed = new Map<Int32Array, Decoder>();
  return {
    draws: draws.map((indices) => {
      let d = computed.get(indices);
      if (!d) {
        const info = pinvWithInfo(selectRows(target.anchorUnit, indices));
        d = { indices, pinvT: transpose(info.pinv), conditionNumber: info.condKept };
        computed.set(indices, d);
      }
      return d;
    }),
  };
}

function settingsPairs(count: number, settings: Array<"intra" | "inter">): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let a = 0; a < count; a++) for (let b = 0; b < count; b++) {
    if (a === b ? settings.includes("intra") : settings.includes("inter")) out.push([a, b]);
  }
  return out;
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
  anchorsX: Matrix; anchorsY: Matrix; omegas?: number[]; deltas?: number[]; holdout?: number; seed?: number; prune?: PruneSide;
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
