import { Matrix, padCols } from "../linalg/matrix";
import { matmul } from "../linalg/product";
import { Random } from "../linalg/random";
import { svd } from "../linalg/svd";
import { assertInteger } from "../validate";
import { InvalidParameterError } from "../errors";

export interface SyntheticPairOptions {
  /** Number of items embedded in both spaces. */
  n: number;
  /** Source dimension. */
  sourceDim: number;
  /** Target dimension (≥ sourceDim: the source is zero-padded, then rotated). */
  targetDim: number;
  /** Standard deviation of Gaussian noise added to the target, relative to a unit-variance latent. */
  noise?: number;
  /** Decay exponent of the latent spectrum (0 = isotropic; real embeddings decay, ~0.5–1). */
  spectrumDecay?: number;
  /** Offsets added to each space (real embeddings are not centred). */
  sourceShift?: number;
  targetShift?: number;
  /** Target scale relative to the source. */
  targetScale?: number;
  seed?: number;
}

export interface SyntheticPair {
  x: Matrix;
  y: Matrix;
  /** The targetDim×targetDim orthogonal matrix: y = s·[x − shift_x, 0]·Q + shift_y + noise. */
  rotation: Matrix;
}

/** A random orthogonal n×n matrix (left singular vectors of a seeded Gaussian matrix). */
export function randomRotation(n: number, seed: number): Matrix {
  const rng = new Random(seed);
  const g = new Matrix(n, n);
  for (let i = 0; i < g.data.length; i++) g.data[i] = rng.normal();
  return svd(g).U!;
}

/**
 * Two "latent spaces" of the same items that differ by what the IRP paper says real spaces differ
 * by: an isometry (rotation/reflection, across dimensions by zero-padding), a rescaling and a shift,
 * plus noise. The ground truth of every translator.
 */
export function syntheticPair(options: SyntheticPairOptions): SyntheticPair {
  const { n, sourceDim, targetDim } = options;
  assertInteger(n, "n", 1);
  assertInteger(sourceDim, "sourceDim", 1);
  assertInteger(targetDim, "targetDim", 1);
  if (targetDim < sourceDim) {
    throw new InvalidParameterError("targetDim", `expected ≥ sourceDim (${sourceDim}), got ${targetDim}; swap the roles of the spaces`);
  }
  const seed = options.seed ?? 0;
  const rng = new Random(seed);
  const decay = options.spectrumDecay ?? 0.5;
  const x = new Matrix(n, sourceDim);
  const sx = options.sourceShift ?? 0.5;
  for (let i = 0; i < n; i++) for (let j = 0; j < sourceDim; j++) x.data[i * sourceDim + j] = rng.normal() / Math.pow(1 + j, decay);
  const rotation = randomRotation(targetDim, seed + 1);
  const y = matmul(padCols(x, targetDim), rotation);
  const scale = options.targetScale ?? 3;
  const sy = options.targetShift ?? -1;
  const noise = options.noise ?? 0;
  for (let i = 0; i < y.data.length; i++) y.data[i] = scale * y.data[i] + sy + noise * scale * rng.normal();
  for (let i = 0; i < x.data.length; i++) x.data[i] += sx;
  return { x, y, rotation };
}

export interface PlanarDemo {
  /** n×2 points of space X and the same items in Y = s·X·R + t. */
  x: Matrix;
  y: Matrix;
  /** Indices of the anchors among the points. */
  anchorIndices: number[];
  /** A colour value per point (its angle in X), to follow items across panels. */
  hue: Float64Array;
}

/**
 * The paper's Fig. 1 in two dimensions: points on a noisy ring with a few anchors, and the same
 * items after a rotation, a reflection, a rescaling and a shift.
 */
export function planarDemo(options: { n?: number; anchors?: number; seed?: number } = {}): PlanarDemo {
  const n = options.n ?? 60;
  const k = options.anchors ?? 6;
  const rng = new Random(options.seed ?? 0);
  const x = new Matrix(n, 2);
  const hue = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * i) / n;
    const r = 1 + 0.15 * rng.normal();
    x.data[2 * i] = 1.6 * r * Math.cos(t) + 0.8;
    x.data[2 * i + 1] = r * Math.sin(t) + 0.3;
    hue[i] = t;
  }
  const angle = 2.1, s = 2.5;
  const c = Math.cos(angle), sn = Math.sin(angle);
  const y = new Matrix(n, 2);
  for (let i = 0; i < n; i++) {
    const a = x.data[2 * i], b = -x.data[2 * i + 1]; // reflection, then rotation
    y.data[2 * i] = s * (c * a - sn * b) - 3;
    y.data[2 * i + 1] = s * (sn * a + c * b) + 1.5;
  }
  // Anchors spread evenly around the ring (with a seeded offset), so their mean sits near the
  // centre of the data, as the mean of many random anchors would in a real space.
  const offset = rng.int(Math.max(1, Math.floor(n / k)));
  const anchorIndices = Array.from({ length: k }, (_, a) => (offset + Math.floor((a * n) / k)) % n).sort((p, q) => p - q);
  return { x, y, anchorIndices, hue };
}
