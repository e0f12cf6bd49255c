/** Mean reciprocal rank: known answers, its bounds against top-k accuracy, and bad input. */
import { describe, expect, it } from "vitest";
import { meanReciprocalRank, retrievalScores, topKRetrievalAccuracy } from "../src/metrics/metrics";
import { Matrix } from "../src/linalg/matrix";
import { InvalidParameterError, NonFiniteError, ShapeMismatchError, ZeroNormError } from "../src/errors";
import { randomMatrix } from "./helpers";

describe("meanReciprocalRank", () => {
  it("is 1 for perfect retrieval and the mean of 1/rank otherwise (a known permutation)", () => {
    const t = Matrix.identity(4);
    expect(meanReciprocalRank(t, t)).toBe(1);
    // Query i points at target (i+1) mod 4: its own target then ranks 2nd (cos 0 ties with two others,
    // but ties count in the query's favour, so rank = 1 + one strictly better target).
    const q = Matrix.from([[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0]]);
    expect(meanReciprocalRank(q, t)).toBe(0.5);
    // Graded: queries 0 and 2 exact (rank 1); query 1 ranks its own target 2nd, behind t0.
    const t2 = Matrix.from([[1, 0], [0, 1], [-1, 0]]);
    const q2 = Matrix.from([[1, 0], [1, -0.1], [-1, 0]]); // q2[1]: cos with t0 ≈ 0.995, t2 ≈ −0.995, t1 ≈ −0.0995
    expect(meanReciprocalRank(q2, t2)).toBeCloseTo((1 + 1 / 2 + 1) / 3, 12);
  });

  it("lies between top-1 accuracy and 1, and below top-k + (1 − top-k)/(k+1)", () => {
    const t = randomMatrix(60, 8, 1), q = randomMatrix(60, 8, 2);
    for (let i = 0; i < q.data.length; i++) q.data[i] = 0.6 * q.data[i] + t.data[i];
    const mrr = meanReciprocalRank(q, t), top1 = topKRetrievalAccuracy(q, t, 1), top3 = topKRetrievalAccuracy(q, t, 3);
    expect(mrr).toBeGreaterThanOrEqual(top1);
    expect(mrr).toBeLessThanOrEqual(1);
    expect(mrr).toBeLessThanOrEqual(top1 + (top3 - top1) / 2 + (1 - top3) / 4 + 1e-12);
    expect(mrr).toBeLessThan(1);
  });

  it("rejects bad input with typed errors naming the argument", () => {
    const a = randomMatrix(3, 2, 1);
    expect(() => meanReciprocalRank(a, randomMatrix(4, 2, 1))).toThrow(ShapeMismatchError);
    expect(() => meanReciprocalRank(new Matrix(0, 2), new Matrix(0, 2))).toThrow(InvalidParameterError);
    const nan = a.clone();
    nan.data[1] = NaN;
    expect(() => meanReciprocalRank(nan, a)).toThrow(NonFiniteError);
    const zero = a.clone();
    zero.data[2] = 0;
    zero.data[3] = 0;
    expect(() => meanReciprocalRank(a, zero)).toThrow(ZeroNormError);
  });
});

describe("retrievalScores", () => {
  it("equals topKRetrievalAccuracy at every k and meanReciprocalRank, ties included (one ranking)", () => {
    const t = randomMatrix(700, 6, 3), q = randomMatrix(700, 6, 4); // > one 512-row block
    for (let i = 0; i < q.data.length; i++) q.data[i] = 0.8 * q.data[i] + t.data[i];
    // Exact ties: rows 1 and 2 repeat row 0's target, so queries 0–2 tie three ways.
    for (const r of [1, 2]) t.data.set(t.data.subarray(0, 6), r * 6);
    const ks = [1, 2, 5, 700];
    const scores = retrievalScores(q, t, ks);
    ks.forEach((k, i) => expect(scores.topK[i]).toBe(topKRetrievalAccuracy(q, t, k)));
    expect(scores.mrr).toBe(meanReciprocalRank(q, t));
    expect(scores.topK[3]).toBe(1);
    expect(scores.topK[0]).toBeGreaterThan(0);
    expect(scores.topK[0]).toBeLessThan(1);
  });

  it("rejects a bad k naming its position, and bad matrices as the single metrics do", () => {
    const a = randomMatrix(3, 2, 1);
    expect(() => retrievalScores(a, a, [1, 4])).toThrow(/ks\[1\].*\[1, 3\].*got 4/);
    expect(() => retrievalScores(a, a, [0.5])).toThrow(InvalidParameterError);
    expect(() => retrievalScores(a, randomMatrix(4, 2, 1))).toThrow(ShapeMismatchError);
    expect(() => retrievalScores(new Matrix(0, 2), new Matrix(0, 2))).toThrow(InvalidParameterError);
    const nan = a.clone();
    nan.data[1] = NaN;
    expect(() => retrievalScores(nan, a)).toThrow(NonFiniteError);
  });
});
