/**
 * Controlled synthetic pairs of latent spaces, for the study of when IRP works: every way two
 * spaces of the same items can differ is one separate, seeded knob.
 *
 *   latent     z = class centroid + within-class scatter, both Gaussian with the spectrum
 *              σ_j = (1 + j)^(−spectrumDecay) over latentDim coordinates (C balanced classes);
 *   source     X = z·B_x + ε_x;
 *   target     Y = warp(z·W)·B_y + ε_y, with
 *     W        = U·diag(s)·Vᵀ (U, V random orthogonal, s geometric from c^(−1/2) to c^(1/2)): an
 *                orthogonal map when conditionNumber c = 1, an anisotropic scaling of condition c
 *                otherwise;
 *     warp     the smooth non-linear map u ↦ (1 − w)·u + w·(ρ ⊙ tanh((u·G)/ρ))·Gᵀ in a random basis
 *                G (ρ_j the standard deviation of coordinate j of u·G): 0 is linear, 1 saturates
 *                every coordinate's tails;
 *     B_x, B_y partial isometries latentDim × d (orthonormal rows when d ≥ latentDim: the latent is
 *                embedded isometrically; orthonormal columns when d < latentDim: the space sees a
 *                random d-dimensional projection of it) — dimension mismatch;
 *     ε        isotropic Gaussian noise whose power is noise² times the signal's (noise = 0.5: a
 *                quarter of the variance), separately on each side.
 *
 * Without noise and warp, and with latentDim ≤ d_x, Y = X·T exactly for T = B_xᵀ·W·B_y
 * (`groundTruthMap`), and the IRP identity predicts IRP's map B_xᵀ·W⁻ᵀ·B_y (`identityPrediction`).
 */
import { Matrix, transpose } from "../linalg/matrix";
import { matmul } from "../linalg/product";
import { pinv } from "../linalg/pinv";
import { Random, SEED_MAX } from "../linalg/random";
import { InvalidParameterError } from "../errors";
import { assertInteger, assertSeed } from "../validate";
import { randomRotation } from "./synthetic";

export interface ControlledPairOptions {
  /** Train and test items (anchors are drawn from the train split). */
  train: number;
  test: number;
  /** Dimension of the shared latent. */
  latentDim: number;
  sourceDim: number;
  targetDim: number;
  /** Exponent of the latent spectrum σ_j = (1 + j)^(−decay); 0 is isotropic. Default 0.5. */
  spectrumDecay?: number;
  /** Balanced classes (labels for the stitching heads). Default 10. */
  classes?: number;
  /** Class centroids' spread relative to the within-class scatter (per coordinate). Default 1.5. */
  classSeparation?: number;
  /** Condition number c ≥ 1 of W (1: orthogonal). Default 1. */
  conditionNumber?: number;
  /** Non-linear warp strength w ∈ [0, 1]. Default 0. */
  warp?: number;
  /** Noise-to-signal amplitude ratio on the source / target side (≥ 0). Default 0. */
  sourceNoise?: number;
  targetNoise?: number;
  seed?: number;
}

export interface ControlledPair {
  x: { train: Matrix; test: Matrix };
  y: { train: Matrix; test: Matrix };
  trainLabels: Int32Array;
  testLabels: Int32Array;
  /** latentDim × latentDim map between the latents (before the warp). */
  w: Matrix;
  /** latentDim × d embeddings of the latent into each space. */
  bx: Matrix;
  by: Matrix;
  /** The options with their defaults filled in. */
  settings: Required<ControlledPairOptions>;
}

function checkNonNegative(value: number, name: string, max = Infinity): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > max) {
    throw new InvalidParameterError(name, `expected a finite number in [0, ${max === Infinity ? "∞" : max}], got ${String(value)}`);
  }
  return value;
}

/** Options with defaults, validated. */
export function resolveControlledPairOptions(o: ControlledPairOptions): Required<ControlledPairOptions> {
  if (o === null || typeof o !== "object") throw new InvalidParameterError("options", "expected an object");
  for (const [name, min] of [["train", 2], ["test", 1], ["latentDim", 1], ["sourceDim", 1], ["targetDim", 1]] as const) assertInteger(o[name], name, min);
  const s: Required<ControlledPairOptions> = {
    train: o.train, test: o.test, latentDim: o.latentDim, sourceDim: o.sourceDim, targetDim: o.targetDim,
    spectrumDecay: checkNonNegative(o.spectrumDecay ?? 0.5, "spectrumDecay"),
    classes: o.classes ?? 10,
    classSeparation: checkNonNegative(o.classSeparation ?? 1.5, "classSeparation"),
    conditionNumber: o.conditionNumber ?? 1,
    warp: checkNonNegative(o.warp ?? 0, "warp", 1),
    sourceNoise: checkNonNegative(o.sourceNoise ?? 0, "sourceNoise"),
    targetNoise: checkNonNegative(o.targetNoise ?? 0, "targetNoise"),
    seed: assertSeed(o.seed ?? 0),
  };
  assertInteger(s.classes, "classes", 2);
  if (s.classes > s.train) throw new InvalidParameterError("classes", `expected at most the ${s.train} train items, got ${s.classes}`);
  if (typeof s.conditionNumber !== "number" || !Number.isFinite(s.conditionNumber) || s.conditionNumber < 1) {
    throw new InvalidParameterError("conditionNumber", `expected a finite number ≥ 1, got ${String(s.conditionNumber)}`);
  }
  return s;
}

/** A latentDim × d partial isometry (see the module comment). */
function embedding(latentDim: number, d: number, seed: number): Matrix {
  const q = randomRotation(Math.max(latentDim, d), seed);
  const out = new Matrix(latentDim, d);
  for (let i = 0; i < latentDim; i++) for (let j = 0; j < d; j++) out.data[i * d + j] = q.data[i * q.cols + j];
  return out;
}

/** W = U·diag(s)·Vᵀ with condition number c, geometric mean of s = 1. */
export function anisotropicMap(dim: number, conditionNumber: number, seed: number): Matrix {
  const u = randomRotation(dim, seed), v = randomRotation(dim, (seed + 1) % (SEED_MAX + 1));
  const us = u.clone();
  for (let j = 0; j < dim; j++) {
    const s = dim === 1 ? 1 : conditionNumber ** (j / (dim - 1) - 0.5);
    for (let i = 0; i < dim; i++) us.data[i * dim + j] *= s;
  }
  return matmul(us, transpose(v));
}

/** Adds isotropic noise of power ratio² × the rows' mean squared norm, in place. */
function addNoise(m: Matrix, ratio: number, rng: Random): void {
  if (ratio === 0) return;
  let power = 0;
  for (let i = 0; i < m.data.length; i++) power += m.data[i] * m.data[i];
  const std = ratio * Math.sqrt(power / m.data.length);
  for (let i = 0; i < m.data.length; i++) m.data[i] += std * rng.normal();
}

/** The smooth warp of the module comment, row by row; `variances` are u·G's column variances. */
function warpRows(u: Matrix, strength: number, g: Matrix, variances: Float64Array): Matrix {
  if (strength === 0) return u;
  const ug = matmul(u, g);
  const d = ug.cols;
  for (let i = 0; i < ug.rows; i++) {
    for (let j = 0; j < d; j++) {
      const rho = Math.sqrt(variances[j]), v = ug.data[i * d + j];
      ug.data[i * d + j] = rho > 0 ? rho * Math.tanh(v / rho) : v;
    }
  }
  const bent = matmul(ug, transpose(g));
  const out = new Matrix(u.rows, u.cols);
  for (let i = 0; i < out.data.length; i++) out.data[i] = (1 - strength) * u.data[i] + strength * bent.data[i];
  return out;
}

/** A seeded controlled pair (see the module comment). */
export function controlledPair(options: ControlledPairOptions): ControlledPair {
  const s = resolveControlledPairOptions(options);
  // Each random part has its own stream, derived from the seed (wrapping at 2^32 like the seed range).
  const seedOf = (k: number) => (s.seed + k) % (SEED_MAX + 1);
  const r = s.latentDim, n = s.train + s.test;
  const rng = new Random(s.seed);
  const sigma = Float64Array.from({ length: r }, (_, j) => (1 + j) ** -s.spectrumDecay);
  const centroids = new Matrix(s.classes, r);
  for (let c = 0; c < s.classes; c++) for (let j = 0; j < r; j++) centroids.data[c * r + j] = s.classSeparation * sigma[j] * rng.normal();
  // Balanced labels, the same pattern in both splits.
  const labels = Int32Array.from({ length: n }, (_, i) => (i < s.train ? i : i - s.train) % s.classes);
  const z = new Matrix(n, r);
  for (let i = 0; i < n; i++) for (let j = 0; j < r; j++) z.data[i * r + j] = centroids.data[labels[i] * r + j] + sigma[j] * rng.normal();
  const w = anisotropicMap(r, s.conditionNumber, seedOf(101));
  const bx = embedding(r, s.sourceDim, seedOf(103)), by = embedding(r, s.targetDim, seedOf(105));
  const g = randomRotation(r, seedOf(107));
  // Variances of (z·W·G)_j: Gᵀ·Wᵀ·Λ·W·G on the diagonal, Λ = diag(σ²·(1 + separation²)).
  const wg = matmul(w, g);
  const variances = new Float64Array(r);
  for (let j = 0; j < r; j++) for (let i = 0; i < r; i++) variances[j] += wg.data[i * r + j] ** 2 * sigma[i] ** 2 * (1 + s.classSeparation ** 2);
  const x = matmul(z, bx);
  const y = matmul(warpRows(matmul(z, w), s.warp, g, variances), by);
  const noiseRng = new Random(seedOf(109));
  addNoise(x, s.sourceNoise, noiseRng);
  addNoise(y, s.targetNoise, noiseRng);
  const split = (m: Matrix) => ({
    train: new Matrix(s.train, m.cols, m.data.slice(0, s.train * m.cols)),
    test: new Matrix(s.test, m.cols, m.data.slice(s.train * m.cols)),
  });
  return { x: split(x), y: split(y), trainLabels: labels.slice(0, s.train), testLabels: labels.slice(s.train), w, bx, by, settings: s };
}

/** T = B_xᵀ·W·B_y: with no noise, no warp and latentDim ≤ d_x, Y = X·T exactly. */
export function groundTruthMap(p: Pick<ControlledPair, "w" | "bx" | "by">): Matrix {
  return matmul(matmul(transpose(p.bx), p.w), p.by);
}

/**
 * What the IRP identity predicts for IRP's map without pruning (up to a scale): the reverse
 * regression of the ground truth, (pinv(T))ᵀ = B_xᵀ·W⁻ᵀ·B_y — W⁻ᵀ in place of W.
 */
export function identityPrediction(p: Pick<ControlledPair, "w" | "bx" | "by">): Matrix {
  return matmul(matmul(transpose(p.bx), transpose(pinv(p.w))), p.by);
}
