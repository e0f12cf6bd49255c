/**
 * Latent semantic analysis: TF-IDF, then a truncated SVD computed by randomized subspace iteration
 * (Halko, Martinsson & Tropp 2011, Alg. 4.4/5.1) with our seeded `Random` and the library's `svd`.
 * Used by the LSA text encoders (textEncoders.ts) and the per-language / cross-lingual encoders
 * (multilingual.ts).
 *
 * Fit, on tokenised training documents, with seed s:
 *   1. bagging over documents: a random subset of ⌈docFraction·n⌉ documents (without replacement);
 *      everything below uses only these;
 *   2. document frequencies; terms with df ≥ minDf and df ≤ maxDfFraction·n_bag are eligible;
 *   3. feature subsampling: each eligible term is kept with probability featureFraction, in order of
 *      decreasing df (ties by term), until maxFeatures are kept;
 *   4. idf_t = ln((1 + n_bag) / (1 + df_t)) + 1 (smoothed, as scikit-learn); a document's weights
 *      are (1 + ln count)·idf (sublinear tf; raw count·idf when sublinearTf is false), L2-normalised;
 *   5. the top-`dim` right singular vectors of the n_bag × V TF-IDF matrix X by subspace iteration
 *      on XᵀX in term space: Z₀ = Ω, a Gaussian V × ℓ matrix (ℓ = dim + oversample), then
 *      Z ← orth(Xᵀ(X Z)) `powerIterations` times, then Rayleigh–Ritz: M = Zᵀ XᵀX Z (ℓ × ℓ),
 *      M = P Λ Pᵀ by `svd`, components = Z·P[:, :dim], singular values √λ. Each component's sign is
 *      fixed so that its largest-magnitude entry is positive.
 * So different seeds see different documents, different vocabularies and start from a different Ω:
 * their spaces are genuinely different (different term coordinates and a differently estimated
 * subspace), not sign flips of one another — while being fitted to the same corpus.
 *
 * Products with X are sparse (X is never densified; X·Z is never stored: Xᵀ(X Z) is accumulated
 * document by document). The power iterations orthonormalise by shifted Cholesky QR with float32
 * products through tfjs (`matmulFloat32`); the Rayleigh–Ritz step is float64 and solves the small
 * generalised eigenproblem of (Zᵀ·XᵀX·Z, ZᵀZ), so the components are orthonormal to float64
 * precision before their float32 rounding (|CᵀC − I| ≲ 1e-6 after it; `maxGramError` measures it).
 * A rank-deficient corpus (fewer independent documents than ℓ) falls back to float64 Gram–Schmidt
 * with random completion.
 *
 * Embedding a document (`lsaTransform`): its L2-normalised TF-IDF vector x (terms outside the
 * vocabulary are ignored) times the components: x·V_k (scikit-learn's TruncatedSVD.transform; for a
 * training document this is its row of U_k·Σ_k). A document with no vocabulary term embeds to zero.
 */
import { InvalidParameterError } from "../../errors";
import { matmulFloat32 } from "../../engine/tf";
import { Matrix } from "../../linalg/matrix";
import { matmul, matmulTransA, matmulTransB } from "../../linalg/product";
import { Random } from "../../linalg/random";
import { svd } from "../../linalg/svd";
import { isPositiveInteger } from "../../validate";

export interface LsaOptions {
  /** Number of components k. */
  dim: number;
  seed: number;
  /** Fraction of training documents (seeded draw) the model is fitted on. Default 0.8; 1 = all. */
  docFraction?: number;
  /** Probability that an eligible term enters the vocabulary (seeded). Default 0.8; 1 = all. */
  featureFraction?: number;
  /** Minimum document frequency (in the bag). Default 2. */
  minDf?: number;
  /** Maximum document frequency as a fraction of the bag. Default 0.5. */
  maxDfFraction?: number;
  /** Vocabulary cap. Default 20000. */
  maxFeatures?: number;
  /** Subspace iterations (≥ 1). Default 2. */
  powerIterations?: number;
  /** Extra dimensions of the iterated subspace. Default 16. */
  oversample?: number;
  /** 1 + ln(count) instead of count. Default true. */
  sublinearTf?: boolean;
}

export type ResolvedLsaOptions = Required<LsaOptions>;

export const LSA_DEFAULTS = {
  docFraction: 0.8,
  featureFraction: 0.8,
  minDf: 2,
  maxDfFraction: 0.5,
  maxFeatures: 20000,
  powerIterations: 2,
  oversample: 16,
  sublinearTf: true,
} as const;

/** A fitted LSA model; every array is float32 so a saved model is identical to the fitted one. */
export interface LsaModel {
  /** Term of each vocabulary column. */
  vocabulary: string[];
  idf: Float32Array;
  /** V × dim, row-major: row t holds term t's loadings; the columns are orthonormal. */
  components: Float32Array;
  /** Singular values of the bagged training TF-IDF matrix, decreasing. */
  singularValues: Float32Array;
  dim: number;
  sublinearTf: boolean;
}

export interface LsaFitInfo {
  /** Training documents given, and used after bagging. */
  documents: number;
  baggedDocuments: number;
  /** Terms with minDf ≤ df ≤ maxDf (before feature subsampling and the cap). */
  eligibleTerms: number;
  vocabularySize: number;
  /** Non-zeros of the bagged TF-IDF matrix. */
  nonZeros: number;
  /** Bagged documents with no vocabulary term (they do not influence the fit). */
  emptyDocuments: number;
  seconds: number;
  /** Seconds per phase: vocabulary (bagging, df, selection), tfidf, iterations (power iterations), ritz (final basis + Rayleigh–Ritz). */
  phaseSeconds: { vocabulary: number; tfidf: number; iterations: number; ritz: number };
}

const isFraction = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v > 0 && v <= 1;

export function resolveLsaOptions(o: LsaOptions, prefix = "options"): ResolvedLsaOptions {
  if (o === null || typeof o !== "object") throw new InvalidParameterError(prefix, "expected LSA options");
  const r = { ...LSA_DEFAULTS, ...o };
  if (!isPositiveInteger(r.dim)) throw new InvalidParameterError(`${prefix}.dim`, `expected a positive integer, got ${JSON.stringify(r.dim)}`);
  if (typeof r.seed !== "number" || !Number.isInteger(r.seed)) throw new InvalidParameterError(`${prefix}.seed`, `expected an integer, got ${JSON.stringify(r.seed)}`);
  for (const f of ["docFraction", "featureFraction", "maxDfFraction"] as const) {
    if (!isFraction(r[f])) throw new InvalidParameterError(`${prefix}.${f}`, `expected a number in (0, 1], got ${JSON.stringify(r[f])}`);
  }
  for (const f of ["minDf", "maxFeatures", "oversample"] as const) {
    if (!isPositiveInteger(r[f])) throw new InvalidParameterError(`${prefix}.${f}`, `expected a positive integer, got ${JSON.stringify(r[f])}`);
  }
  if (!isPositiveInteger(r.powerIterations)) {
    throw new InvalidParameterError(`${prefix}.powerIterations`, `expected an integer ≥ 1, got ${JSON.stringify(r.powerIterations)}`);
  }
  if (typeof r.sublinearTf !== "boolean") throw new InvalidParameterError(`${prefix}.sublinearTf`, `expected a boolean`);
  return {
    dim: r.dim, seed: r.seed, docFraction: r.docFraction, featureFraction: r.featureFraction, minDf: r.minDf,
    maxDfFraction: r.maxDfFraction, maxFeatures: r.maxFeatures, powerIterations: r.powerIterations, oversample: r.oversample,
    sublinearTf: r.sublinearTf,
  };
}

// ---------------------------------------------------------------------------------------------
// Sparse TF-IDF rows

/** Compressed sparse rows: row i's entries are [ptr[i], ptr[i+1]). */
export interface Csr {
  rows: number;
  cols: number;
  ptr: Int32Array;
  index: Int32Array;
  value: Float64Array;
}

/** L2-normalised TF-IDF rows of tokenised documents over a vocabulary (unknown terms dropped). */
export function tfidfRows(docs: readonly string[][], index: ReadonlyMap<string, number>, idf: ArrayLike<number>, sublinearTf: boolean): Csr {
  const ptr = new Int32Array(docs.length + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  const counts = new Map<number, number>();
  for (let i = 0; i < docs.length; i++) {
    counts.clear();
    for (const tok of docs[i]) {
      const t = index.get(tok);
      if (t !== undefined) counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    const terms = [...counts.keys()].sort((a, b) => a - b);
    let norm = 0;
    const start = vals.length;
    for (const t of terms) {
      const c = counts.get(t)!;
      const w = (sublinearTf ? 1 + Math.log(c) : c) * idf[t];
      cols.push(t);
      vals.push(w);
      norm += w * w;
    }
    if (norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let k = start; k < vals.length; k++) vals[k] *= inv;
    }
    ptr[i + 1] = vals.length;
  }
  return { rows: docs.length, cols: index.size, ptr, index: Int32Array.from(cols), value: Float64Array.from(vals) };
}

/** [A | B] side by side: rows × 2l from two rows × l row-major matrices. */
function interleave(a: Float64Array, b: Float64Array, rows: number, l: number): Float64Array {
  const out = new Float64Array(rows * 2 * l);
  for (let i = 0; i < rows; i++) {
    out.set(a.subarray(i * l, (i + 1) * l), i * 2 * l);
    out.set(b.subarray(i * l, (i + 1) * l), i * 2 * l + l);
  }
  return out;
}

/** W = Xᵀ(X·Z) for Z (cols × l, row-major), accumulated row by row (X·Z is never stored). */
function gramTimes(x: Csr, z: Float64Array, l: number): Float64Array {
  const w = new Float64Array(x.cols * l);
  const y = new Float64Array(l);
  for (let i = 0; i < x.rows; i++) {
    const a = x.ptr[i], b = x.ptr[i + 1];
    if (a === b) continue;
    y.fill(0);
    for (let k = a; k < b; k++) {
      const v = x.value[k], o = x.index[k] * l;
      for (let j = 0; j < l; j++) y[j] += v * z[o + j];
    }
    for (let k = a; k < b; k++) {
      const v = x.value[k], o = x.index[k] * l;
      for (let j = 0; j < l; j++) w[o + j] += v * y[j];
    }
  }
  return w;
}

// ---------------------------------------------------------------------------------------------
// Orthonormalisation

/** Lower Cholesky factor of a symmetric l×l matrix (row-major), or undefined if a pivot is not positive. */
function cholesky(g: Float64Array, l: number): Float64Array | undefined {
  const L = new Float64Array(l * l);
  for (let j = 0; j < l; j++) {
    let d = g[j * l + j];
    for (let k = 0; k < j; k++) d -= L[j * l + k] ** 2;
    if (!(d > 0)) return undefined;
    const ljj = Math.sqrt(d);
    L[j * l + j] = ljj;
    for (let i = j + 1; i < l; i++) {
      let v = g[i * l + j];
      for (let k = 0; k < j; k++) v -= L[i * l + k] * L[j * l + k];
      L[i * l + j] = v / ljj;
    }
  }
  return L;
}

/** Inverse of a lower-triangular l×l matrix (row-major). */
function invertLower(L: Float64Array, l: number): Float64Array {
  const inv = new Float64Array(l * l);
  for (let j = 0; j < l; j++) {
    inv[j * l + j] = 1 / L[j * l + j];
    for (let i = j + 1; i < l; i++) {
      let v = 0;
      for (let k = j; k < i; k++) v -= L[i * l + k] * inv[k * l + j];
      inv[i * l + j] = v / L[i * l + i];
    }
  }
  return inv;
}

/**
 * Fast approximate orthonormalisation for the power iterations (only the spanned subspace matters):
 * columns scaled to unit norm, then shifted Cholesky QR — G = YᵀY + 1e-5·I (float32 product through
 * tfjs), G = L·Lᵀ, Q = Y·L⁻ᵀ (float32 product).
 */
async function orthFast(y: Float64Array, rows: number, l: number): Promise<Float64Array> {
  const scaled = new Float64Array(y.length);
  const norms = new Float64Array(l);
  for (let i = 0; i < rows; i++) for (let j = 0; j < l; j++) norms[j] += y[i * l + j] ** 2;
  for (let j = 0; j < l; j++) norms[j] = norms[j] > 0 ? 1 / Math.sqrt(norms[j]) : 0;
  for (let i = 0; i < rows; i++) for (let j = 0; j < l; j++) scaled[i * l + j] = y[i * l + j] * norms[j];
  const g = await matmulFloat32(transposeFlat(scaled, rows, l), l, rows, scaled, l);
  for (let a = 0; a < l; a++) {
    for (let b = 0; b < a; b++) g[a * l + b] = g[b * l + a] = (g[a * l + b] + g[b * l + a]) / 2;
    g[a * l + a] += 1e-5;
  }
  const L = cholesky(g, l);
  if (L === undefined) throw new Error("orthFast: the shifted Gram matrix is not positive definite (non-finite input?)");
  const inv = invertLower(L, l);
  // Q = Y·L⁻ᵀ: (L⁻ᵀ)[a][b] = inv[b][a].
  return matmulFloat32(scaled, rows, l, transposeFlat(inv, l, l), l);
}

function transposeFlat(a: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j];
  return out;
}

/**
 * Float64 Gram–Schmidt, two passes per column ("twice is enough"), in place on a column store
 * (column j is cs[j·rows ..]). A column that loses almost all its norm (linearly dependent) is
 * replaced by a random vector from `rng` and orthogonalised again.
 */
function gramSchmidt(cs: Float64Array, rows: number, l: number, rng: Random): void {
  for (let j = 0; j < l; j++) {
    const cj = j * rows;
    for (let attempt = 0; ; attempt++) {
      let before = 0;
      for (let r = 0; r < rows; r++) before += cs[cj + r] ** 2;
      for (let pass = 0; pass < 2; pass++) {
        for (let i = 0; i < j; i++) {
          const ci = i * rows;
          let d = 0;
          for (let r = 0; r < rows; r++) d += cs[ci + r] * cs[cj + r];
          for (let r = 0; r < rows; r++) cs[cj + r] -= d * cs[ci + r];
        }
      }
      let after = 0;
      for (let r = 0; r < rows; r++) after += cs[cj + r] ** 2;
      if (after > 1e-20 * Math.max(before, 1e-300) && after > 0) {
        const inv = 1 / Math.sqrt(after);
        for (let r = 0; r < rows; r++) cs[cj + r] *= inv;
        break;
      }
      if (attempt > 5) throw new Error("gramSchmidt: cannot complete an orthonormal basis");
      for (let r = 0; r < rows; r++) cs[cj + r] = rng.normal();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Fit and transform

/** Word → column of a model's vocabulary. */
export function lsaIndex(model: Pick<LsaModel, "vocabulary">): Map<string, number> {
  return new Map(model.vocabulary.map((t, i) => [t, i] as const));
}

/** Steps `fitLsa` reports through `onStep`: the TF-IDF matrix, each power iteration, the Rayleigh–Ritz step. */
export function lsaFitSteps(options: LsaOptions): number {
  return 2 + resolveLsaOptions(options).powerIterations;
}

/**
 * Fits LSA on tokenised documents (see the module comment for every step). `onStep` is called after
 * each of the `lsaFitSteps(options)` steps (for a progress bar).
 * @throws InvalidParameterError for bad options, or when the bagged corpus has fewer documents or
 *   vocabulary terms than `dim`.
 */
export async function fitLsa(
  docs: readonly string[][], options: LsaOptions, onStep: () => void = () => {},
): Promise<{ model: LsaModel; info: LsaFitInfo }> {
  const o = resolveLsaOptions(options);
  const started = performance.now();
  const rng = new Random(o.seed);
  const n = docs.length;
  // 1. Bagging.
  const nBag = Math.max(1, Math.ceil(o.docFraction * n));
  const bagIdx = o.docFraction >= 1 ? Int32Array.from({ length: n }, (_, i) => i) : rng.sample(n, nBag).sort();
  const bag = Array.from(bagIdx, (i) => docs[i]);
  // 2. Document frequencies.
  const df = new Map<string, number>();
  for (const d of bag) for (const t of new Set(d)) df.set(t, (df.get(t) ?? 0) + 1);
  const maxDf = o.maxDfFraction * nBag;
  const eligible = [...df.entries()].filter(([, c]) => c >= o.minDf && c <= maxDf);
  eligible.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  // 3. Feature subsampling (one draw per eligible term, in order, so the draw does not depend on the cap).
  const vocabulary: string[] = [];
  const vocabDf: number[] = [];
  for (const [t, c] of eligible) {
    const keep = o.featureFraction >= 1 || rng.uniform() < o.featureFraction;
    if (keep && vocabulary.length < o.maxFeatures) {
      vocabulary.push(t);
      vocabDf.push(c);
    }
  }
  const V = vocabulary.length;
  const k = o.dim;
  if (nBag < k || V < k) {
    throw new InvalidParameterError(
      "options.dim",
      `cannot fit ${k} components: the bagged corpus has ${nBag} documents and ${V} vocabulary terms (need at least ${k} of each); ` +
        "use more documents, a smaller dim or a lower minDf",
    );
  }
  const phase = { vocabulary: 0, tfidf: 0, iterations: 0, ritz: 0 };
  let mark = performance.now();
  const lap = (name: keyof typeof phase) => {
    const now = performance.now();
    phase[name] = (now - mark) / 1000;
    mark = now;
  };
  phase.vocabulary = (mark - started) / 1000;
  // 4. TF-IDF (float32-rounded idf: the model stores float32).
  const idf = new Float32Array(V);
  for (let t = 0; t < V; t++) idf[t] = Math.fround(Math.log((1 + nBag) / (1 + vocabDf[t])) + 1);
  const index = new Map(vocabulary.map((t, i) => [t, i] as const));
  const x = tfidfRows(bag, index, idf, o.sublinearTf);
  let emptyDocuments = 0;
  for (let i = 0; i < x.rows; i++) if (x.ptr[i] === x.ptr[i + 1]) emptyDocuments++;
  lap("tfidf");
  onStep();
  // 5. Subspace iteration in term space.
  const l = Math.min(k + o.oversample, V, nBag);
  let z: Float64Array = new Float64Array(V * l);
  for (let i = 0; i < z.length; i++) z[i] = rng.normal(); // Ω: no orthonormalisation needed before the first product
  for (let it = 0; it < o.powerIterations; it++) {
    z = await orthFast(gramTimes(x, z, l), V, l);
    onStep();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  lap("iterations");
  // Rayleigh–Ritz in float64 on the (nearly orthonormal) basis Z: with B = ZᵀZ = L·Lᵀ and
  // M = Zᵀ·XᵀX·Z, the eigenvectors Q of L⁻¹·M·L⁻ᵀ give P = L⁻ᵀ·Q with Pᵀ·B·P = I, so the
  // components Z·P are orthonormal to float64 precision without re-orthonormalising Z.
  const w = gramTimes(x, z, l); // V × l
  const both = matmulTransA(new Matrix(V, l, z), new Matrix(V, 2 * l, interleave(z, w, V, l))).data; // l × 2l: [B | M]
  const B = new Float64Array(l * l), M = new Float64Array(l * l);
  for (let a = 0; a < l; a++) {
    for (let b = 0; b < l; b++) {
      B[a * l + b] = (both[a * 2 * l + b] + both[b * 2 * l + a]) / 2;
      M[a * l + b] = (both[a * 2 * l + l + b] + both[b * 2 * l + l + a]) / 2;
    }
  }
  let L = cholesky(B, l);
  if (L !== undefined) {
    let lo = Infinity, hi = 0;
    for (let j = 0; j < l; j++) {
      lo = Math.min(lo, L[j * l + j]);
      hi = Math.max(hi, L[j * l + j]);
    }
    if (!(lo > 1e-5 * hi)) L = undefined;
  }
  if (L === undefined) {
    // Nearly dependent columns (a corpus of rank < ℓ): float64 Gram–Schmidt with random completion.
    const zc = transposeFlat(z, V, l);
    gramSchmidt(zc, V, l, rng);
    z = transposeFlat(zc, l, V);
    const w2 = gramTimes(x, z, l);
    const m2 = matmulTransA(new Matrix(V, l, z), new Matrix(V, l, w2)).data;
    for (let a = 0; a < l; a++) for (let b = 0; b < l; b++) M[a * l + b] = (m2[a * l + b] + m2[b * l + a]) / 2;
    L = new Float64Array(l * l);
    for (let j = 0; j < l; j++) L[j * l + j] = 1;
  }
  const Li = invertLower(L, l);
  const Lim = matmul(new Matrix(l, l, Li), new Matrix(l, l, M));
  const C = matmulTransB(Lim, new Matrix(l, l, Li)).data; // L⁻¹·M·L⁻ᵀ
  for (let a = 0; a < l; a++) for (let b = 0; b < a; b++) C[a * l + b] = C[b * l + a] = (C[a * l + b] + C[b * l + a]) / 2;
  const eig = svd(new Matrix(l, l, C));
  const qk = new Matrix(l, k);
  for (let a = 0; a < l; a++) for (let c = 0; c < k; c++) qk.data[a * k + c] = eig.U!.data[a * l + c];
  const pk = matmulTransA(new Matrix(l, l, Li), qk); // L⁻ᵀ·Q_k
  const comps = matmul(new Matrix(V, l, z), pk).data;
  // Sign convention: the largest-magnitude loading of each component is positive.
  for (let c = 0; c < k; c++) {
    let best = 0, at = 0;
    for (let t = 0; t < V; t++) {
      const v = Math.abs(comps[t * k + c]);
      if (v > best) {
        best = v;
        at = t;
      }
    }
    if (comps[at * k + c] < 0) for (let t = 0; t < V; t++) comps[t * k + c] = -comps[t * k + c];
  }
  lap("ritz");
  onStep();
  const singularValues = new Float32Array(k);
  for (let c = 0; c < k; c++) singularValues[c] = Math.sqrt(Math.max(eig.s[c], 0));
  const model: LsaModel = { vocabulary, idf, components: Float32Array.from(comps), singularValues, dim: k, sublinearTf: o.sublinearTf };
  return {
    model,
    info: {
      documents: n, baggedDocuments: nBag, eligibleTerms: eligible.length, vocabularySize: V, nonZeros: x.value.length,
      emptyDocuments, seconds: (performance.now() - started) / 1000, phaseSeconds: phase,
    },
  };
}

/** max |CᵀC − I| over the k×k entries, for C (rows × k, row-major), in float64. */
export function maxGramError(c: ArrayLike<number>, rows: number, k: number): number {
  const cm = new Matrix(rows, k, c instanceof Float64Array ? c : Float64Array.from(c));
  const g = matmulTransA(cm, cm).data;
  let worst = 0;
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) worst = Math.max(worst, Math.abs(g[a * k + b] - (a === b ? 1 : 0)));
  return worst;
}

/** LSA embeddings (rows × dim) of tokenised documents: x_tfidf · components (see the module comment). */
export function lsaTransform(model: LsaModel, index: ReadonlyMap<string, number>, docs: readonly string[][]): Matrix {
  const x = tfidfRows(docs, index, model.idf, model.sublinearTf);
  const k = model.dim, c = model.components;
  const out = new Matrix(docs.length, k);
  for (let i = 0; i < x.rows; i++) {
    const o = i * k;
    for (let p = x.ptr[i]; p < x.ptr[i + 1]; p++) {
      const v = x.value[p], r = x.index[p] * k;
      for (let j = 0; j < k; j++) out.data[o + j] += v * c[r + j];
    }
  }
  return out;
}
