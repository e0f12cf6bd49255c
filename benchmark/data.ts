/** The benchmarks' data (benchmark/run.ts, benchmark/package.ts). */
import { Matrix } from "../src/linalg/matrix";
import { matmul } from "../src/linalg/product";
import { Random } from "../src/linalg/random";

/** Embedding-like data: a shared latent with a power-law spectrum, seen through two random linear
 * encoders of the same width d, plus noise and an offset (real encoders are neither centred nor
 * isotropic, which is what makes anchor pruning matter). */
export function embeddingPair(rows: number, d: number, seed: number): { x: Matrix; y: Matrix } {
  const rng = new Random(seed);
  const r = Math.floor(d / 2);
  const z = new Matrix(rows, r);
  for (let i = 0; i < rows; i++) for (let j = 0; j < r; j++) z.data[i * r + j] = rng.normal() / Math.pow(1 + j, 0.8);
  const enc = (s: number) => {
    const g = new Random(s);
    const w = new Matrix(r, d);
    for (let i = 0; i < w.data.length; i++) w.data[i] = g.normal() / Math.sqrt(r);
    return w;
  };
  const x = matmul(z, enc(1)), y = matmul(z, enc(2));
  for (let i = 0; i < x.data.length; i++) {
    x.data[i] += 0.02 * rng.normal() + 0.3;
    y.data[i] += 0.02 * rng.normal() - 0.1;
  }
  return { x, y };
}

/** IRP's first anchors for ω draws of `Random(seed)` (what `drawAnchorSubspaces` draws), for the numpy side. */
export function firstPoints(omega: number, anchors: number, seed: number): number[] {
  const draw = new Random(seed);
  return Array.from({ length: omega }, () => draw.int(anchors));
}
