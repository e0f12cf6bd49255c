import { describe, expect, it } from "vitest";
import {
  accuracy,
  argmaxRows,
  cosineSimilarities,
  linearCka,
  meanCosineSimilarity,
  meanSquaredError,
  pearsonCorrelation,
  topKRetrievalAccuracy,
} from "../src/metrics/metrics";
import { InvalidParameterError, NonFiniteError, ShapeMismatchError, ZeroNormError } from "../src/errors";
import { Matrix, selectRows, transpose } from "../src/linalg/matrix";
import { matmul } from "../src/linalg/product";
import { Random } from "../src/linalg/random";

function gaussian(rng: Random, rows: number, cols: number): Matrix {
  const m = new Matrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.normal();
  return m;
}

/** A random d×d orthogonal matrix: Gram–Schmidt on the columns of a gaussian matrix. */
function randomRotation(rng: Random, d: number): Matrix {
  const cols: Float64Array[] = [];
  while (cols.length < d) {
    const v = new Float64Array(d);
    for (let i = 0; i < d; i++) v[i] = rng.normal();
    for (const u of cols) {
      let p = 0;
      for (let i = 0; i < d; i++) p += u[i] * v[i];
      for (let i = 0; i < d; i++) v[i] -= p * u[i];
    }
    let nrm = 0;
    for (let i = 0; i < d; i++) nrm += v[i] * v[i];
    nrm = Math.sqrt(nrm);
    if (nrm < 1e-8) continue;
    for (let i = 0; i < d; i++) v[i] /= nrm;
    cols.push(v);
  }
  const q = new Matrix(d, d);
  for (let j = 0; j < d; j++) for (let i = 0; i < d; i++) q.set(i, j, cols[j][i]);
  return q;
}

/** Reference CKA via the n×n centred Gram matrices: ⟨HKH, HLH⟩ / (‖HKH‖·‖HLH‖). */
function naiveCka(x: Matrix, y: Matrix): number {
  const n = x.rows;
  const gram = (m: Matrix): number[][] => {
    const k: number[][] = [];
    for (let i = 0; i < n; i++) {
      k.push([]);
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let c = 0; c < m.cols; c++) s += m.get(i, c) * m.get(j, c);
        k[i].push(s);
      }
    }
    const rowMean = k.map((r) => r.reduce((a, b) => a + b, 0) / n);
    const all = rowMean.reduce((a, b) => a + b, 0) / n;
    return k.map((r, i) => r.map((v, j) => v - rowMean[i] - rowMean[j] + all));
  };
  const K = gram(x), L = gram(y);
  let kl = 0, kk = 0, ll = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      kl += K[i][j] * L[i][j];
      kk += K[i][j] * K[i][j];
      ll += L[i][j] * L[i][j];
    }
  }
  return kl / Math.sqrt(kk * ll);
}

/** Reference top-k via an explicit per-pair scalar loop. */
function naiveTopK(q: Matrix, t: Matrix, k: number): number {
  const cos = (a: Float64Array, b: Float64Array) => {
    let ab = 0, aa = 0, bb = 0;
    for (let i = 0; i < a.length; i++) {
      ab += a[i] * b[i];
      aa += a[i] * a[i];
      bb += b[i] * b[i];
    }
    return ab / Math.sqrt(aa * bb);
  };
  let hits = 0;
  for (let i = 0; i < q.rows; i++) {
    const own = cos(q.row(i), t.row(i));
    let higher = 0;
    for (let j = 0; j < t.rows; j++) if (cos(q.row(i), t.row(j)) > own) higher++;
    if (higher < k) hits++;
  }
  return hits / q.rows;
}

describe("cosineSimilarities / meanCosineSimilarity", () => {
  it("gives 0, 1, -1 for orthogonal, parallel and antiparallel rows", () => {
    const a = Matrix.from([[1, 0], [1, 2], [3, -1]]);
    const b = Matrix.from([[0, 5], [2, 4], [-6, 2]]);
    const c = cosineSimilarities(a, b);
    expect(c.length).toBe(3);
    expect(c[0]).toBeCloseTo(0, 12);
    expect(c[1]).toBeCloseTo(1, 12);
    expect(c[2]).toBeCloseTo(-1, 12);
    expect(meanCosineSimilarity(a, b)).toBeCloseTo(0, 12);
  });

  it("matches a hand-computed 45° case and handles extreme magnitudes", () => {
    const c = cosineSimilarities(Matrix.from([[1, 0], [1e200, 0], [1e-200, 0]]), Matrix.from([[1, 1], [1e200, 1e200], [1e-200, 1e-200]]));
    for (const v of c) expect(v).toBeCloseTo(Math.SQRT1_2, 12);
  });

  it("throws typed errors for bad input", () => {
    const a = Matrix.from([[1, 2], [3, 4]]);
    expect(() => cosineSimilarities(a, Matrix.from([[1, 2, 3], [4, 5, 6]]))).toThrow(ShapeMismatchError);
    expect(() => cosineSimilarities(a, Matrix.from([[1, 2]]))).toThrow(ShapeMismatchError);
    const zero = Matrix.from([[1, 2], [0, 0]]);
    expect(() => cosineSimilarities(a, zero)).toThrow(ZeroNormError);
    try {
      cosineSimilarities(zero, a);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ZeroNormError);
      expect((e as ZeroNormError).argument).toBe("a");
      expect((e as ZeroNormError).row).toBe(1);
    }
    expect(() => cosineSimilarities(a, Matrix.from([[1, NaN], [1, 1]]))).toThrow(NonFiniteError);
    expect(() => meanCosineSimilarity(new Matrix(0, 2), new Matrix(0, 2))).toThrow(InvalidParameterError);
    expect(() => meanCosineSimilarity(a, zero)).toThrow(ZeroNormError);
  });

  /** The definition the fused pass must reproduce bit for bit: unitRows' scaling (largest |entry|, then the reciprocal norm), then the row dot products. */
  function referenceCosines(a: Matrix, b: Matrix): Float64Array {
    const unit = (m: Matrix) => {
      const out = new Float64Array(m.data.length);
      for (let i = 0; i < m.rows; i++) {
        let max = 0, s = 0;
        for (let j = 0; j < m.cols; j++) max = Math.max(max, Math.abs(m.data[i * m.cols + j]));
        for (let j = 0; j < m.cols; j++) {
          out[i * m.cols + j] = m.data[i * m.cols + j] / max;
          s += out[i * m.cols + j] ** 2;
        }
        const inv = 1 / Math.sqrt(s);
        for (let j = 0; j < m.cols; j++) out[i * m.cols + j] *= inv;
      }
      return out;
    };
    const ua = unit(a), ub = unit(b), c = new Float64Array(a.rows);
    for (let i = 0; i < a.rows; i++) {
      let s = 0;
      for (let j = 0; j < a.cols; j++) s += ua[i * a.cols + j] * ub[i * a.cols + j];
      c[i] = Math.min(1, Math.max(-1, s));
    }
    return c;
  }
  const centredCopy = (m: Matrix, c: Float64Array) => new Matrix(m.rows, m.cols, m.data.map((v, k) => v - c[k % m.cols]));

  it("equals the unit-row definition bit for bit, with and without a centre, at every magnitude", () => {
    const rng = new Random(11);
    for (const [rows, cols, scale] of [[50, 7, 1], [20, 300, 1e-150], [30, 64, 1e150], [1, 1, 3]] as const) {
      const a = gaussian(rng, rows, cols), b = gaussian(rng, rows, cols);
      for (let k = 0; k < a.data.length; k++) {
        a.data[k] *= scale * (k % 5 === 0 ? 1e3 : 1);
        b.data[k] *= scale;
      }
      const centre = Float64Array.from({ length: cols }, () => rng.normal() * scale);
      expect(cosineSimilarities(a, b)).toEqual(referenceCosines(a, b));
      expect(cosineSimilarities(a, b, { centre })).toEqual(referenceCosines(centredCopy(a, centre), centredCopy(b, centre)));
      const mean = referenceCosines(centredCopy(a, centre), centredCopy(b, centre)).reduce((s, v) => s + v, 0) / rows;
      expect(meanCosineSimilarity(a, b, { centre })).toBe(mean);
    }
  });

  it("throws the same typed errors with a centre as for the centred matrices, and checks the centre", () => {
    const a = Matrix.from([[1, 2], [3, 4]]), b = Matrix.from([[2, 1], [5, 5]]);
    const centre = Float64Array.from([3, 4]);
    // Row 1 of a equals the centre: no direction around it.
    try {
      cosineSimilarities(a, b, { centre });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ZeroNormError);
      expect((e as ZeroNormError).argument).toBe("a");
      expect((e as ZeroNormError).row).toBe(1);
    }
    // Finite entries whose difference from the centre overflows.
    try {
      cosineSimilarities(Matrix.from([[1, 2], [1.5e308, 4]]), b, { centre: [-1e308, 0] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(NonFiniteError);
      expect((e as NonFiniteError).argument).toBe("a");
    }
    expect(() => cosineSimilarities(a, Matrix.from([[1, 1], [NaN, 1]]), { centre: [0, 0] })).toThrow(NonFiniteError);
    expect(() => cosineSimilarities(a, b, { centre: [0, 0, 0] })).toThrow(ShapeMismatchError);
    expect(() => cosineSimilarities(a, b, { centre: [0, Infinity] })).toThrow(NonFiniteError);
    try {
      cosineSimilarities(a, b, { centre: [0, NaN] });
      expect.unreachable();
    } catch (e) {
      expect((e as NonFiniteError).argument).toBe("centre");
    }
  });
});

describe("meanSquaredError", () => {
  it("matches a hand computation", () => {
    // differences: 1, -2, 0, 3 → squares 1 + 4 + 0 + 9 = 14 over 4 entries
    const a = Matrix.from([[1, 0], [5, 7]]);
    const b = Matrix.from([[0, 2], [5, 4]]);
    expect(meanSquaredError(a, b)).toBeCloseTo(3.5, 12);
    expect(meanSquaredError(a, a)).toBe(0);
  });

  it("throws typed errors for bad input", () => {
    const a = Matrix.from([[1, 2]]);
    try {
      meanSquaredError(a, Matrix.from([[1], [2]]));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ShapeMismatchError);
      expect((e as ShapeMismatchError).argument).toBe("b");
    }
    expect(() => meanSquaredError(new Matrix(0, 3), new Matrix(0, 3))).toThrow(InvalidParameterError);
    expect(() => meanSquaredError(a, Matrix.from([[Infinity, 0]]))).toThrow(NonFiniteError);
  });
});

describe("accuracy", () => {
  it("counts exact matches", () => {
    expect(accuracy([0, 1, 2, 3], [0, 1, 0, 3])).toBeCloseTo(0.75, 12);
    expect(accuracy(new Int32Array([4, 4]), [4, 4])).toBe(1);
    expect(accuracy([1, 2, 3], [0, 0, 0])).toBe(0);
  });

  it("throws typed errors for bad input", () => {
    expect(() => accuracy([], [])).toThrow(InvalidParameterError);
    try {
      accuracy([1, 2], [1]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ShapeMismatchError);
      expect((e as ShapeMismatchError).argument).toBe("truth");
    }
    expect(() => accuracy([NaN], [1])).toThrow(NonFiniteError);
  });
});

describe("argmaxRows", () => {
  it("picks the largest score, lowest index on ties", () => {
    const s = Matrix.from([
      [0.1, 0.7, 0.2],
      [5, 5, 1],
      [-3, -2, -2],
      [-Infinity, -Infinity, -1],
    ]);
    expect(Array.from(argmaxRows(s))).toEqual([1, 0, 1, 2]);
    expect(argmaxRows(new Matrix(0, 3)).length).toBe(0);
  });

  it("throws typed errors for bad input", () => {
    expect(() => argmaxRows(new Matrix(2, 0))).toThrow(InvalidParameterError);
    expect(() => argmaxRows(Matrix.from([[1, NaN]]))).toThrow(NonFiniteError);
  });
});

describe("pearsonCorrelation", () => {
  it("is 1 for y = 3x + 1 and -1 for y = -x", () => {
    const x = [0.5, -2, 3, 7, 1.25, 4];
    expect(pearsonCorrelation(x, x.map((v) => 3 * v + 1))).toBeCloseTo(1, 12);
    expect(pearsonCorrelation(x, x.map((v) => -v))).toBeCloseTo(-1, 12);
  });

  it("matches a hand-computed small case", () => {
    // x = 1,2,3 ; y = 1,3,2 → dx = -1,0,1 ; dy = -1,1,0 → sxy = 1, sxx = 2, syy = 2 → r = 0.5
    expect(pearsonCorrelation([1, 2, 3], [1, 3, 2])).toBeCloseTo(0.5, 12);
    // x = 1,2,3,4 ; y = 2,1,4,3 → dx = -1.5,-.5,.5,1.5 ; dy = -.5,-1.5,1.5,.5 → sxy = 4·0.75 = 3, sxx = syy = 5 → 0.6
    expect(pearsonCorrelation([1, 2, 3, 4], [2, 1, 4, 3])).toBeCloseTo(0.6, 12);
    expect(pearsonCorrelation(new Float64Array([1e-200, 2e-200, 3e-200]), [1e200, 3e200, 2e200])).toBeCloseTo(0.5, 12);
  });

  it("throws typed errors for bad input", () => {
    expect(() => pearsonCorrelation([0.1, 0.1, 0.1], [1, 2, 3])).toThrow(InvalidParameterError);
    try {
      pearsonCorrelation([1, 2, 3], [4, 4, 4]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidParameterError);
      expect((e as InvalidParameterError).argument).toBe("y");
      expect((e as Error).message).toMatch(/undefined for constant input/);
    }
    expect(() => pearsonCorrelation([1, 2, 3], [1, 2])).toThrow(ShapeMismatchError);
    expect(() => pearsonCorrelation([1], [2])).toThrow(InvalidParameterError);
    expect(() => pearsonCorrelation([1, Infinity], [1, 2])).toThrow(NonFiniteError);
  });
});

describe("linearCka", () => {
  const rng = new Random(1234);
  const x = gaussian(rng, 200, 6);

  it("is 1 for a representation against itself", () => {
    expect(linearCka(x, x)).toBeCloseTo(1, 12);
  });

  it("is invariant to an orthogonal rotation and isotropic scaling of y", () => {
    const y = gaussian(rng, 200, 4);
    // Correlate y with x so the CKA is far from both 0 and 1.
    for (let i = 0; i < 200; i++) y.set(i, 0, y.get(i, 0) + 2 * x.get(i, 0));
    const base = linearCka(x, y);
    expect(base).toBeGreaterThan(0.05);
    expect(base).toBeLessThan(0.95);
    const q = randomRotation(rng, 4);
    // Sanity check: QᵀQ = I.
    const qtq = matmul(transpose(q), q);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(qtq.get(i, j)).toBeCloseTo(i === j ? 1 : 0, 12);
    const yRot = matmul(y, q);
    for (let i = 0; i < yRot.data.length; i++) yRot.data[i] *= 7.5;
    expect(linearCka(x, yRot)).toBeCloseTo(base, 10);
    // Also invariant to translation of y (centring) and symmetric in its arguments.
    const yShift = y.clone();
    for (let i = 0; i < 200; i++) for (let j = 0; j < 4; j++) yShift.set(i, j, y.get(i, j) + 100 * (j + 1));
    expect(linearCka(x, yShift)).toBeCloseTo(base, 9);
    expect(linearCka(y, x)).toBeCloseTo(base, 12);
  });

  it("matches the n×n Gram-matrix definition", () => {
    const r = new Random(99);
    const a = gaussian(r, 40, 3);
    const b = gaussian(r, 40, 7);
    for (let i = 0; i < 40; i++) b.set(i, 2, b.get(i, 2) + a.get(i, 1) - a.get(i, 0));
    expect(linearCka(a, b)).toBeCloseTo(naiveCka(a, b), 10);
  });

  it("is small for independent gaussian representations", () => {
    const r = new Random(7);
    const v = linearCka(gaussian(r, 500, 5), gaussian(r, 500, 5));
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThan(0.1);
  });

  it("throws typed errors for bad input", () => {
    try {
      linearCka(x, gaussian(rng, 199, 6));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ShapeMismatchError);
      expect((e as ShapeMismatchError).argument).toBe("y");
    }
    const constant = new Matrix(200, 3);
    constant.data.fill(0.1);
    expect(() => linearCka(x, constant)).toThrow(InvalidParameterError);
    expect(() => linearCka(Matrix.from([[1, 2]]), Matrix.from([[3]]))).toThrow(InvalidParameterError);
    const bad = x.clone();
    bad.set(3, 2, NaN);
    expect(() => linearCka(bad, x)).toThrow(NonFiniteError);
  });
});

describe("topKRetrievalAccuracy", () => {
  const rng = new Random(2024);
  const n = 200;
  const targets = gaussian(rng, n, 16);

  it("is 1 for targets retrieved against themselves", () => {
    expect(topKRetrievalAccuracy(targets, targets)).toBe(1);
    expect(topKRetrievalAccuracy(targets, targets, 5)).toBe(1);
  });

  it("is the fraction of fixed points against a random row permutation", () => {
    const perm = new Random(5).permutation(n);
    let fixed = 0;
    for (let i = 0; i < n; i++) if (perm[i] === i) fixed++;
    const shuffled = selectRows(targets, perm);
    const top1 = topKRetrievalAccuracy(shuffled, targets, 1);
    expect(top1).toBeCloseTo(fixed / n, 12);
    expect(top1).toBeLessThan(0.05);
  });

  it("is monotone in k and equals 1 at k = n", () => {
    const noisy = targets.clone();
    const r = new Random(11);
    for (let i = 0; i < noisy.data.length; i++) noisy.data[i] += 1.5 * r.normal();
    let prev = 0;
    for (const k of [1, 2, 5, 10, 50, n]) {
      const acc = topKRetrievalAccuracy(noisy, targets, k);
      expect(acc).toBeGreaterThanOrEqual(prev);
      prev = acc;
    }
    expect(topKRetrievalAccuracy(noisy, targets, 1)).toBeLessThan(1);
    expect(topKRetrievalAccuracy(noisy, targets, n)).toBe(1);
  });

  it("matches hand-computed ranks, with ties counted in the query's favour", () => {
    // ranks: row 0 → 2 (target 1 scores higher), row 1 → 1, row 2 → 1
    const t = Matrix.from([[1, 0], [0, 1], [-1, 0]]);
    const q = Matrix.from([[0, 1], [0, 1], [-1, 0.1]]);
    expect(topKRetrievalAccuracy(q, t, 1)).toBeCloseTo(2 / 3, 12);
    expect(topKRetrievalAccuracy(q, t, 2)).toBe(1);
    // ties: rows 0 and 1 tie at rank 1; row 2 has two strictly better rows → rank 3
    const tt = Matrix.from([[1, 0], [1, 0], [0, 1]]);
    const qt = Matrix.from([[1, 0], [1, 0], [1, 0]]);
    expect(topKRetrievalAccuracy(qt, tt, 1)).toBeCloseTo(2 / 3, 12);
    expect(topKRetrievalAccuracy(qt, tt, 2)).toBeCloseTo(2 / 3, 12);
    expect(topKRetrievalAccuracy(qt, tt, 3)).toBe(1);
  });

  it("agrees with a per-pair reference across several query blocks", () => {
    const r = new Random(3);
    const t = gaussian(r, 600, 8);
    const q = t.clone();
    for (let i = 0; i < q.data.length; i++) q.data[i] += 0.8 * r.normal();
    for (const k of [1, 3]) expect(topKRetrievalAccuracy(q, t, k)).toBeCloseTo(naiveTopK(q, t, k), 12);
  });

  it("throws typed errors for bad input", () => {
    try {
      topKRetrievalAccuracy(targets, gaussian(rng, n, 15));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ShapeMismatchError);
      expect((e as ShapeMismatchError).argument).toBe("targets");
    }
    for (const k of [0, n + 1, 1.5, -1, NaN]) {
      try {
        topKRetrievalAccuracy(targets, targets, k);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidParameterError);
        expect((e as InvalidParameterError).argument).toBe("k");
      }
    }
    const zero = targets.clone();
    zero.row(4).fill(0);
    expect(() => topKRetrievalAccuracy(zero, targets)).toThrow(ZeroNormError);
    expect(() => topKRetrievalAccuracy(targets, zero)).toThrow(ZeroNormError);
    expect(() => topKRetrievalAccuracy(new Matrix(0, 3), new Matrix(0, 3))).toThrow(InvalidParameterError);
    const bad = targets.clone();
    bad.set(0, 0, Infinity);
    expect(() => topKRetrievalAccuracy(bad, targets)).toThrow(NonFiniteError);
  });
});

describe("issue 13: metrics on extreme input (bugs found by test/fuzz/metrics.test.ts)", () => {
  it("fuzz #6: meanSquaredError of entries ~1e300 is their (finite) MSE, and an MSE beyond float64 is a NonFiniteError, not Infinity", () => {
    // (2e154)² overflows, (2e154)²/4 = 1e308 does not: the plain sum gave Infinity.
    const a = Matrix.from([[2e154, 0], [0, 0]]), b = Matrix.from([[0, 0], [0, 0]]);
    expect(meanSquaredError(a, b) / 1e308).toBeCloseTo(1, 14);
    expect(() => meanSquaredError(Matrix.from([[1.7e308]]), Matrix.from([[-1.7e308]]))).toThrow(/b: the mean squared error overflows float64/);
    // Ordinary input: unchanged, bit for bit.
    expect(meanSquaredError(Matrix.from([[1, 2]]), Matrix.from([[0, 0]]))).toBe(2.5);
  });

  it("fuzz #7: Pearson and CKA of entries near ±1.8e308 (whose mean overflowed to NaN) are scale-invariant and finite", () => {
    const x = [-1.14e302, -3, -2, 3, 0, -9.86e41, -1, -1.7976931348623157e308];
    const y = [1, 2, 3, 4, 5, 6, 7, 8];
    const r = pearsonCorrelation(x, y);
    expect(Number.isFinite(r)).toBe(true);
    expect(r).toBeCloseTo(pearsonCorrelation(x.map((v) => v / 2 ** 1000), y), 12);
    const m = Matrix.from([[1e308, 1], [-1e308, 2], [1.5e308, 0]]);
    const n = Matrix.from([[1, 1], [-1, 2], [1.5, 0]]);
    expect(linearCka(m, n)).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(linearCka(m, n))).toBe(true);
  });

  it("item 10: plain arrays of rows are accepted, anything else is a typed error naming the argument (it was a raw TypeError)", () => {
    expect(meanCosineSimilarity([[1, 0], [0, 2]], [[2, 0], [0, 1]])).toBe(1);
    expect(meanSquaredError([[1, 2]], [[0, 0]])).toBe(2.5);
    expect(() => meanCosineSimilarity(null as never, [[1]])).toThrow(/^a: expected a Matrix or an array of rows, got null$/);
    expect(() => cosineSimilarities([1, 2] as never, [[1]])).toThrow(/^a: expected an array of rows/);
    expect(() => pearsonCorrelation(3 as never, [1, 2])).toThrow(/^x: expected an array of numbers, got number$/);
    expect(() => pearsonCorrelation([1, null, 3] as never, [1, 2, 3])).toThrow(/^x: expected finite numbers, found null/);
  });
});
