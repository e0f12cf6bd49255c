/**
 * From texts to what the text encoders compute on: token lists (tokenize.ts, loading kuromoji's
 * dictionary only when a text needs it), hashed unigram + bigram features (bag-of-words MLPs), and
 * the rows an encoder embedded to zero (texts with no known term).
 */
import { stableHash32 } from "../../data/text/common";
import { InvalidParameterError, ShapeMismatchError } from "../../errors";
import type { Matrix } from "../../linalg/matrix";
import { getTokenizer, hasCjk, type CjkMode } from "./tokenize";

/** Tokenises texts, loading kuromoji only if `cjk` is "kuromoji" and some text has Japanese/Chinese characters. */
export async function tokenizeTexts(texts: readonly string[], cjk: CjkMode): Promise<string[][]> {
  for (let i = 0; i < texts.length; i++) {
    if (typeof texts[i] !== "string") throw new InvalidParameterError("texts", `expected strings, element ${i} is ${typeof texts[i]}`);
  }
  const needsDictionary = cjk === "kuromoji" && texts.some(hasCjk);
  const tokenize = await getTokenizer(needsDictionary ? "kuromoji" : "bigram");
  return texts.map((t) => tokenize(t));
}

/** Sorted unique hashed feature ids (unigrams and adjacent bigrams) of a token list, plus the bias feature `buckets`. */
export function hashedFeatures(tokens: readonly string[], buckets: number): Int32Array {
  const set = new Set<number>();
  for (let i = 0; i < tokens.length; i++) {
    set.add(stableHash32(tokens[i]) % buckets);
    if (i + 1 < tokens.length) set.add(stableHash32(`${tokens[i]}\u0001${tokens[i + 1]}`) % buckets);
  }
  set.add(buckets);
  return Int32Array.from([...set].sort((a, b) => a - b));
}

/**
 * Indices of the rows that are non-zero in EVERY matrix (same row count): the items every encoder of
 * a comparison could embed. LSA embeds a text with no vocabulary term to zero (≈ 2.7 % of WordNet
 * test glosses for lsa-128-s0, a different set per seed), and cosine-based relative projections
 * need non-zero rows.
 */
export function nonZeroRows(...matrices: Matrix[]): Int32Array {
  if (matrices.length === 0) return new Int32Array(0);
  const n = matrices[0].rows;
  for (const m of matrices) if (m.rows !== n) throw new ShapeMismatchError("matrices", `expected ${n} rows in every matrix, got ${m.rows}`);
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    if (matrices.every((m) => m.row(i).some((v) => v !== 0))) keep.push(i);
  }
  return Int32Array.from(keep);
}

/** Rows of `m` that are all zero. */
export function countZeroRows(m: Matrix): number {
  let n = 0;
  for (let i = 0; i < m.rows; i++) {
    let zero = true;
    for (let j = 0; j < m.cols && zero; j++) if (m.data[i * m.cols + j] !== 0) zero = false;
    if (zero) n++;
  }
  return n;
}
