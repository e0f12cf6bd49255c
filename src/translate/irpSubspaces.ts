/**
 * IRP's subspace machinery, shared by the estimator (`InverseRelativeProjection`, irp.ts) and the
 * ω×δ grids (`eval/sensitivity.ts`): the ω pruned draws with their decoders pinv(S_Yᵀ) (computed
 * once per distinct subspace and per target), their collapse into one d_x×d_y map (anchor
 * completion), and decoding every ω prefix at once through the relative space.
 */
import { Matrix, addScaledInPlace, frobeniusNorm, principalSubmatrix, scale, selectRows, transpose } from "../linalg/matrix";
import { float32ProductErrorBound, matmul, matmulTransA, productWithRows, type Precision } from "../linalg/product";
import { pinvWithInfo } from "../linalg/pinv";
import { pinvOfRowsByGram } from "../linalg/pinvGram";
import { absoluteCosineGram, cosineGram, drawAnchorSubspaces } from "../anchors/farthestPointSample";
import { anchorStats, centerAndNormalize, centerAndNormalizeInto, denormalize, type SpaceStats } from "../relative/normalize";
import { InvalidParameterError } from "../errors";
import { assertDelta, assertInteger, assertParallelAnchors, assertSeed, toMatrix, type MatrixInput, type PruneSide } from "../validate";
import { filteredSpectrum } from "./irpVariants";
import type { MatrixContentMemo } from "../linalg/contentMemo";

/**
 * The largest ω. Draws are cheap (one random number, then a lookup: at most k distinct subspaces
 * are ever computed), but each draw keeps a slot, so ω is bounded: 10^6 draws take well under a
 * second and 8 MB, and beyond a few times k the average no longer changes (it converges to the
 * uniform average over the k possible first anchors).
 */
export const MAX_OMEGA = 1_000_000;

export interface IrpSubspaceDiagnostics {
  /** Anchors kept by FPS in this subspace. */
  anchorsKept: number;
  /** How many of the ω draws produced this very subspace. */
  multiplicity: number;
  /** Numerical rank of the pruned target anchors. */
  rank: number;
  /** σ_max/σ_min of the pruned target anchors over the kept spectrum. */
  conditionNumber: number;
  /** σ_max/σ_min over the full spectrum (Infinity when rank-deficient). */
  conditionNumberFull: number;
}

/** One distinct pruned subspace and what its term of eq. 5, S_Xᵀ·pinv(S_Yᵀ), needs. */
export interface DrawnSubspace {
  /** The kept anchors (indices into the fitted anchors), ascending. */
  indices: Int32Array;
  /** pinv(S_Yᵀ), k_s×d_y: decodes relative coordinates on these anchors into the target space. */
  decoder: Matrix;
  diagnostics: Omit<IrpSubspaceDiagnostics, "multiplicity">;
}

export interface SubspaceMaps {
  ax: Matrix;
  ay: Matrix;
  source: SpaceStats;
  target: SpaceStats;
  unitX: Matrix;
  unitY: Matrix;
  /** One entry per draw, in draw order; draws that pruned to the same set share one object. */
  draws: DrawnSubspace[];
  /** With `whiten`: each distinct subspace's source encoder polar(S_X) (`drawSubspaceEncoders`). */
  encoders?: Map<DrawnSubspace, Matrix>;
}

/**
 * How a subspace's decoder is formed: pinv(S_Yᵀ) ("pinv-of-transpose", the estimator's) or
 * pinv(S_Y)ᵀ ("transpose-of-pinv"). The same matrix in exact arithmetic (pinv(Aᵀ) = pinv(A)ᵀ), not in
 * the last bits. The ω×δ sensitivity grid has always used the second, and the anchor-only (ω, δ)
 * choice breaks near-ties on those bits (at δ = 0 every ω decodes the same subspace), so each path
 * keeps its form and its committed numbers — on the SVD path. A well-conditioned subspace far from
 * square (k_s ≤ d_y/2, the pruned ones) is decoded through its k_s×k_s Gram matrix instead
 * (`pinvOfRowsByGram`, equal to the SVD's to 1e-9 relative), and there both forms are (S_Y·S_Yᵀ)⁻¹·S_Y
 * bit for bit; unpruned and ill-conditioned subspaces keep the SVD and their bits.
 */
export type DecoderForm = "pinv-of-transpose" | "transpose-of-pinv";

export interface SubspaceDecoderOptions {
  omega: number;
  delta: number;
  seed: number;
  rcond?: number;
  /** Default "pinv-of-transpose". Ignored by the variants (their decoder comes from one SVD of S_Y). */
  form?: DecoderForm;
  /** IRP's `ridge` (default 0: the pseudo-inverse). */
  ridge?: number;
  /** IRP's `whiten`: decode with polar(S_Y) (default false). */
  whiten?: boolean;
  /**
   * unitY·unitYᵀ (`cosineGram`), when the caller has it (target pruning: FPS's |cos| came from it):
   * each subspace's S_Y·S_Yᵀ is then read from it rather than computed.
   */
  targetGram?: Matrix;
  /** A memo shared with other calls (`MatrixContentMemo`): the SVDs the ridge and whitening decoders filter. */
  memo?: MatrixContentMemo;
}

/**
 * The target side of eq. 5: ω subspaces drawn by farthest point sampling on `pruneGram` (the |cos|
 * Gram matrix of the unit anchors being pruned, `absoluteCosineGram`), each distinct one with its
 * decoder pinv(S_Yᵀ) of the target's unit anchors `unitY`, computed once per distinct subspace.
 * Draw i's first anchor is the i-th number of `Random(seed)`, so the draws for ω are a prefix of the
 * draws for any larger ω. Nothing here depends on the source except, when the source is pruned, the
 * Gram matrix: with target pruning one call serves every source decoding into this target.
 * Returns one entry per draw, in draw order; draws that pruned to the same set share one object.
 */
export function drawSubspaceDecoders(unitY: Matrix, pruneGram: Float64Array, options: SubspaceDecoderOptions): DrawnSubspace[] {
  assertInteger(options.omega, "omega", 1, MAX_OMEGA);
  assertDelta(options.delta);
  assertSeed(options.seed);
  const form = options.form ?? "pinv-of-transpose";
  const filter = { ridge: options.ridge ?? 0, whiten: options.whiten ?? false };
  const plain = filter.ridge === 0 && !filter.whiten;
  const computed = new Map<Int32Array, DrawnSubspace>();
  return drawAnchorSubspaces(pruneGram, unitY.rows, options.omega, options.delta, options.seed).map((indices) => {
    let drawn = computed.get(indices);
    if (!drawn) {
      const sy = selectRows(unitY, indices);
      if (plain) {
        // pinv(S_Yᵀ) = (S_Y·S_Yᵀ)⁻¹·S_Y when that is as exact as the SVD (see `pinvOfRowsByGram`).
        const gram = options.targetGram ? principalSubmatrix(options.targetGram, indices) : undefined;
        const byGram = pinvOfRowsByGram(sy, { rcond: options.rcond, gram });
        const info = byGram ?? pinvWithInfo(form === "pinv-of-transpose" ? transpose(sy) : sy, { rcond: options.rcond });
        drawn = {
          indices,
          decoder: byGram ? byGram.pinv : form === "pinv-of-transpose" ? info.pinv : transpose(info.pinv),
          diagnostics: { anchorsKept: indices.length, rank: info.rank, conditionNumber: info.condKept, conditionNumberFull: info.condFull },
        };
      } else {
        // U·f(Σ)·Vᵀ of S_Y = U·Σ·Vᵀ: with f = 1/σ this would be pinv(S_Yᵀ).
        const spec = filteredSpectrum(sy, filter, options.rcond, options.memo);
        drawn = {
          indices,
          decoder: spec.matrix,
          diagnostics: { anchorsKept: indices.length, rank: spec.rank, conditionNumber: spec.condKept, conditionNumberFull: spec.condFull },
        };
      }
      computed.set(indices, drawn);
    }
    return drawn;
  });
}

/**
 * The source side of whitened IRP: for each distinct subspace of `draws`, polar(S_X) (k_s×d_x) of its
 * unit source anchors, which replaces S_X in the relative projection. Reads only the source anchors.
 */
export function drawSubspaceEncoders(unitX: Matrix, draws: readonly DrawnSubspace[], rcond?: number, memo?: MatrixContentMemo): Map<DrawnSubspace, Matrix> {
  const out = new Map<DrawnSubspace, Matrix>();
  for (const d of draws) {
    if (!out.has(d)) out.set(d, filteredSpectrum(selectRows(unitX, d.indices), { ridge: 0, whiten: true }, rcond, memo).matrix);
  }
  return out;
}


/**
 * Both sides of IRP's fit: the anchors' statistics and unit rows, and the ω draws with their
 * decoders (`drawSubspaceDecoders`, pruning the side `options.prune` names). A sweep over ω fits the
 * largest once and averages prefixes (`averageMaps(fitted, ω)` equals the collapsed map of
 * `new InverseRelativeProjection({ omega: ω })`).
 */
export function fitSubspaceMaps(
  anchorsX: MatrixInput, anchorsY: MatrixInput,
  options: { omega: number; delta: number; seed: number; prune: PruneSide; rcond?: number; ridge?: number; whiten?: boolean; memo?: MatrixContentMemo },
): SubspaceMaps {
  const ax = toMatrix(anchorsX, "anchorsX");
  const ay = toMatrix(anchorsY, "anchorsY");
  assertParallelAnchors(ax, ay, 2);
  assertInteger(options.omega, "omega", 1, MAX_OMEGA);
  assertDelta(options.delta);
  assertSeed(options.seed);
  const source = anchorStats(ax, "anchorsX");
  const target = anchorStats(ay, "anchorsY");
  const unitX = centerAndNormalize(ax, source, "anchorsX");
  const decoderOptions = { omega: options.omega, delta: options.delta, seed: options.seed, rcond: options.rcond, ridge: options.ridge, whiten: options.whiten };
  const targetSide = (): IrpTargetSide => {
    const unitY = centerAndNormalize(ay, target, "anchorsY");
    // With target pruning, one Gram matrix serves FPS (|cos|) and the decoders (S_Y·S_Yᵀ).
    const targetGram = options.prune === "target" ? cosineGram(unitY) : undefined;
    const gram = targetGram ? absoluteCosineGram(unitY, targetGram) : absoluteCosineGram(unitX);
    return { unitY, draws: drawSubspaceDecoders(unitY, gram, { ...decoderOptions, targetGram, memo: options.memo }) };
  };
  // With target pruning nothing of the target side reads the source: a memo may hand it out again.
  const tag = `irp target side ${JSON.stringify(decoderOptions)}`;
  const { unitY, draws } = options.prune === "target" && options.memo
    ? options.memo.get(ay, tag, targetSide, targetSideBytes)
    : targetSide();
  if (options.whiten) return { ax, ay, source, target, unitX, unitY, draws, encoders: drawSubspaceEncoders(unitX, draws, options.rcond, options.memo) };
  return { ax, ay, source, target, unitX, unitY, draws };
}

/**
 * What `fitSubspaceMaps` computes from the target's anchors alone when the target is pruned: kept in
 * its `memo` by the target anchors' content and the fit's (ω, δ, seed, rcond, ridge, whiten).
 */
export interface IrpTargetSide {
  unitY: Matrix;
  draws: DrawnSubspace[];
}


function targetSideBytes(side: IrpTargetSide): number {
  let bytes = 8 * side.unitY.data.length;
  for (const d of new Set(side.draws)) bytes += 8 * d.decoder.data.length + 4 * d.indices.length;
  return bytes;
}

/**
 * The average of the first ω draws' terms of eq. 5, collapsed into one d_x×d_y matrix (anchor
 * completion): (1/ω)·Σ_s S_X,sᵀ·pinv(S_Y,sᵀ). Every S_X,s is a row selection of the source anchors,
 * so the sum is X̂ᵀ·Q with Q (k×d_y) the decoders' rows added into their anchors' rows: one product
 * however many subspaces there are.
 */
export function averageMaps(fitted: Pick<SubspaceMaps, "draws" | "unitX" | "encoders">, omega: number): Matrix {
  const { left, right } = mapFactors(fitted, omega);
  return matmulTransA(left, right);
}

/** How many of the first ω draws produced each distinct subspace. */
function drawCounts(draws: readonly DrawnSubspace[], omega: number): Map<DrawnSubspace, number> {
  if (!Number.isInteger(omega) || omega < 1 || omega > draws.length) {
    throw new InvalidParameterError("omega", `expected 1..${draws.length} (the draws available), got ${omega}`);
  }
  const counts = new Map<DrawnSubspace, number>();
  for (let i = 0; i < omega; i++) counts.set(draws[i], (counts.get(draws[i]) ?? 0) + 1);
  return counts;
}

/**
 * The collapsed map of the first ω draws as a product leftᵀ·right (left m×d_x, right m×d_y) with
 * m ≤ the anchors (plain, ridge: left = the unit source anchors and right their summed decoders, as
 * `averageMaps` forms it) or m = the distinct subspaces' anchors stacked (whitened: each subspace's
 * encoder over its weighted decoder). What the polar factor (`orthogonalize`) is computed from.
 */
export function mapFactors(fitted: Pick<SubspaceMaps, "draws" | "unitX" | "encoders">, omega: number): { left: Matrix; right: Matrix } {
  const { draws, unitX, encoders } = fitted;
  const counts = drawCounts(draws, omega);
  const dy = draws[0].decoder.cols;
  if (!encoders) {
    const q = new Matrix(unitX.rows, dy);
    for (const [d, c] of counts) {
      const w = c / omega, dec = d.decoder.data;
      for (let r = 0; r < d.indices.length; r++) {
        const to = d.indices[r] * dy, from = r * dy;
        for (let j = 0; j < dy; j++) q.data[to + j] += w * dec[from + j];
      }
    }
    return { left: unitX, right: q };
  }
  let rows = 0;
  for (const d of counts.keys()) rows += d.indices.length;
  const dx = unitX.cols;
  const left = new Matrix(rows, dx), right = new Matrix(rows, dy);
  let at = 0;
  for (const [d, c] of counts) {
    const e = encoders.get(d);
    if (!e) throw new InvalidParameterError("encoders", "no source encoder for a drawn subspace (use drawSubspaceEncoders on the same draws)");
    const w = c / omega, k = d.indices.length;
    left.data.set(e.data, at * dx);
    for (let i = 0; i < k * dy; i++) right.data[at * dy + i] = w * d.decoder.data[i];
    at += k;
  }
  return { left, right };
}

/** Mean of a per-subspace number over the first ω draws. */
export function meanOverDraws(
  draws: readonly DrawnSubspace[], omega: number, f: (d: DrawnSubspace["diagnostics"]) => number,
): number {
  let s = 0;
  for (let i = 0; i < omega; i++) s += f(draws[i].diagnostics);
  return s / omega;
}

/**
 * Eq. 5 through the relative space, for several ω at once and without forming a d_x×d_y map:
 * every draw's term (x̂·S_Xᵀ)·D — the relative projection on the subspace's source anchors, then its
 * decoder — is added in draw order (each distinct subspace computed once), and at each ω of `omegas`
 * (ascending) the sum of the first ω terms, scaled by 1/ω and de-normalised into the target, is one
 * result. Two n×k_s products per distinct subspace: cheaper than anchor completion (`averageMaps` +
 * `applyIrpMap`, equal up to rounding) when each map serves few inputs, as in the ω×δ sweeps.
 * `xUnit`: inputs centred and normalised in the source space; `unitX`: the source's unit anchors;
 * `draws`: at least max(omegas) of them (`drawSubspaceDecoders`).
 */
export function translatePrefixes(
  xUnit: Matrix, unitX: Matrix, draws: readonly DrawnSubspace[], omegas: readonly number[], target: SpaceStats,
  encoders?: ReadonlyMap<DrawnSubspace, Matrix>,
): Array<{ omega: number; translated: Matrix }> {
  const ascending = [...omegas].sort((p, q) => p - q);
  for (const omega of ascending) {
    if (!Number.isInteger(omega) || omega < 1 || omega > draws.length) {
      throw new InvalidParameterError("omegas", `expected integers in 1..${draws.length} (the draws available), got ${omega}`);
    }
  }
  const sum = new Matrix(xUnit.rows, target.mean.length);
  const terms = new Map<DrawnSubspace, Matrix>();
  const out: Array<{ omega: number; translated: Matrix }> = [];
  let drawn = 0;
  for (const omega of ascending) {
    for (; drawn < omega; drawn++) {
      const d = draws[drawn];
      let term = terms.get(d);
      if (!term) {
        // Whitened IRP projects on polar(S_X) instead of S_X (`drawSubspaceEncoders`).
        const encoder = encoders ? encoders.get(d) : selectRows(unitX, d.indices);
        if (!encoder) throw new InvalidParameterError("encoders", "no source encoder for a drawn subspace (use drawSubspaceEncoders on the same draws)");
        term = matmul(matmul(xUnit, transpose(encoder)), d.decoder);
        terms.set(d, term);
      }
      addScaledInPlace(sum, term, 1);
    }
    out.push({ omega, translated: denormalize(scale(sum, 1 / omega), target) });
  }
  return out;
}

/**
 * IRP's transform with a given collapsed map: normalise in the source, one product, de-normalise.
 * A unit row whose image is zero up to rounding (it is orthogonal to every source anchor's span)
 * carries no direction and goes to the target centre (see `denormalize`).
 */
export function applyIrpMap(x: Matrix, source: SpaceStats, target: SpaceStats, map: Matrix, precision: Precision = "float64"): Matrix {
  // The unit rows go straight into the product's buffer and the decoded rows are read there
  // (`productWithRows`): the same bits as matmul(centerAndNormalize(x), map) in float64.
  return productWithRows(
    x.rows, x.cols, map, (unit) => centerAndNormalizeInto(x, source, "x", unit),
    (decoded) => denormalize(decoded, target, decodedZeroBelow(map, precision), { name: "x", what: "the translation of x" }), precision,
  );
}

/** ‖map‖_F, computed once per map: a file streamed through a translator transforms it block by block. */
const mapNorms = new WeakMap<Matrix, number>();
function frobeniusNormOf(map: Matrix): number {
  let norm = mapNorms.get(map);
  if (norm === undefined) mapNorms.set(map, (norm = frobeniusNorm(map)));
  return norm;
}

/**
 * The rounding level of a unit row times `map`: each of its d_y entries sums d_x products, each
 * rounded relative to ‖map‖_F at most, so below 1e-12·‖map‖_F (d_x·eps ≈ 5e-13 for d_x = 2,048) an
 * image is indistinguishable from zero; with the float32 product, below its error bound·‖map‖_F
 * (|x̂| = 1, so Σ_p |x̂_p|·|M_pj| ≤ ‖M_:j‖).
 */
function decodedZeroBelow(map: Matrix, precision: Precision): number {
  const level = precision === "float32" ? Math.max(1e-12, float32ProductErrorBound(map.rows)) : 1e-12;
  return level * frobeniusNormOf(map);
}
