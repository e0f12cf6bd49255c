/**
 * The text transformers' vocabularies, learned from the training corpus (no labels): words are the
 * tokeniser's (tokenize.ts: NFKC, lower case, runs of letters/digits), then
 *
 *   "word": the most frequent words (≥ 2 occurrences) up to the vocabulary size; any other word is [UNK];
 *   "bpe":  byte-pair encoding (Sennrich et al. 2016) over characters, the last one of each word
 *           marked "</w>": starting from the characters seen ≥ 2 times, the most frequent adjacent
 *           pair of symbols (over the corpus's word counts) is merged, again and again, until the
 *           vocabulary is full. A word is encoded by applying the merges in the order they were
 *           learned; characters never seen in training are [UNK].
 *
 * Ids 0…3 are the special tokens [PAD], [UNK], [MASK], [CLS] ([CLS] is reserved; the encoders pool by
 * mean). Training is deterministic: ties between equally frequent words or pairs are broken by the
 * symbols' code-point order.
 */
import { InvalidParameterError } from "../../../errors";

export type TokenizerKind = "word" | "bpe";
export const TOKENIZER_KINDS: readonly TokenizerKind[] = ["word", "bpe"];

export const PAD = 0, UNK = 1, MASK = 2, CLS = 3;
export const SPECIAL_TOKENS: readonly string[] = ["[PAD]", "[UNK]", "[MASK]", "[CLS]"];
/** Ids below this are special tokens (never a masked-language-model target or a random replacement). */
export const FIRST_REGULAR_ID = SPECIAL_TOKENS.length;

const END = "</w>";

/** A learned vocabulary: its tokens (ids = positions) and, for BPE, its merges in the order learned. */
export interface Vocabulary {
  kind: TokenizerKind;
  tokens: string[];
  /** BPE merges "a b" in learning order (empty for "word"). */
  merges: string[];
}

/** Counts of each word over tokenised documents. */
export function wordCounts(docs: readonly (readonly string[])[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of docs) for (const w of d) counts.set(w, (counts.get(w) ?? 0) + 1);
  return counts;
}

const byCountThenName = (a: [string, number], b: [string, number]) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** Learns a vocabulary of at most `size` ids (specials included) from word counts. @throws InvalidParameterError for a size below 16 or no words. */
export function learnVocabulary(kind: TokenizerKind, counts: ReadonlyMap<string, number>, size: number): Vocabulary {
  if (!Number.isInteger(size) || size < 16) throw new InvalidParameterError("vocabSize", `expected an integer ≥ 16, got ${size}`);
  if (counts.size === 0) throw new InvalidParameterError("texts", "no words to learn a vocabulary from");
  if (kind === "word") {
    const words = [...counts].filter(([, c]) => c >= 2).sort(byCountThenName).slice(0, size - FIRST_REGULAR_ID).map(([w]) => w);
    return { kind, tokens: [...SPECIAL_TOKENS, ...words], merges: [] };
  }
  if (kind !== "bpe") throw new InvalidParameterError("tokenizer", `expected "word" or "bpe", got ${JSON.stringify(kind)}`);
  return learnBpe(counts, size);
}

// ---------------------------------------------------------------------------------------------
// BPE

function symbolsOf(word: string): string[] {
  const chars = Array.from(word);
  chars[chars.length - 1] += END;
  return chars;
}

/** A max-heap of (count, pair) with lazy deletion: stale entries are skipped when popped. */
class PairHeap {
  private items: { count: number; pair: string }[] = [];
  private better(a: { count: number; pair: string }, b: { count: number; pair: string }): boolean {
    return a.count > b.count || (a.count === b.count && a.pair < b.pair);
  }
  push(count: number, pair: string): void {
    const h = this.items;
    h.push({ count, pair });
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.better(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }
  pop(): { count: number; pair: string } | undefined {
    const h = this.items;
    if (h.length === 0) return undefined;
    const top = h[0], last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let best = i;
        if (l < h.length && this.better(h[l], h[best])) best = l;
        if (r < h.length && this.better(h[r], h[best])) best = r;
        if (best === i) break;
        [h[i], h[best]] = [h[best], h[i]];
        i = best;
      }
    }
    return top;
  }
}

const SEP = "\u0000";

function learnBpe(counts: ReadonlyMap<string, number>, size: number): Vocabulary {
  const words = [...counts].sort(byCountThenName);
  const symbols = words.map(([w]) => symbolsOf(w));
  const freq = words.map(([, c]) => c);
  const charCounts = new Map<string, number>();
  symbols.forEach((s, i) => s.forEach((c) => charCounts.set(c, (charCounts.get(c) ?? 0) + freq[i])));
  const alphabet = [...charCounts].filter(([, c]) => c >= 2).sort(byCountThenName).map(([c]) => c).slice(0, size - FIRST_REGULAR_ID);
  const known = new Set(alphabet);
  const tokens = [...SPECIAL_TOKENS, ...alphabet];
  const merges: string[] = [];
  // Pair counts and, per pair, the words it occurs in.
  const pairCount = new Map<string, number>();
  const where = new Map<string, Set<number>>();
  let changed: Set<string> | undefined;
  const addPairs = (w: number, sign: number) => {
    const s = symbols[w];
    for (let k = 0; k + 1 < s.length; k++) {
      if (!known.has(s[k]) || !known.has(s[k + 1])) continue;
      const key = s[k] + SEP + s[k + 1];
      pairCount.set(key, (pairCount.get(key) ?? 0) + sign * freq[w]);
      changed?.add(key);
      if (sign > 0) {
        let set = where.get(key);
        if (set === undefined) where.set(key, (set = new Set()));
        set.add(w);
      }
    }
  };
  symbols.forEach((_, w) => addPairs(w, 1));
  const heap = new PairHeap();
  for (const [key, c] of pairCount) heap.push(c, key);
  while (tokens.length < size) {
    const top = heap.pop();
    if (top === undefined) break;
    const current = pairCount.get(top.pair) ?? 0;
    if (current !== top.count) continue; // stale entry
    if (current < 2) break;
    const [a, b] = top.pair.split(SEP);
    const merged = a + b;
    merges.push(`${a} ${b}`);
    tokens.push(merged);
    known.add(merged);
    // Every pair whose count changes gets a fresh heap entry (the old ones become stale).
    changed = new Set<string>();
    for (const w of where.get(top.pair) ?? []) {
      addPairs(w, -1);
      const s = symbols[w], out: string[] = [];
      for (let k = 0; k < s.length; k++) {
        if (k + 1 < s.length && s[k] === a && s[k + 1] === b) {
          out.push(merged);
          k++;
        } else out.push(s[k]);
      }
      symbols[w] = out;
      addPairs(w, 1);
    }
    pairCount.delete(top.pair);
    where.delete(top.pair);
    changed.delete(top.pair);
    for (const key of changed) {
      const c = pairCount.get(key);
      if (c !== undefined && c > 0) heap.push(c, key);
    }
  }
  return { kind: "bpe", tokens, merges };
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** Turns token lists (tokenize.ts output) into ids with a vocabulary; caches each word's ids. */
export class VocabularyEncoder {
  readonly vocabulary: Vocabulary;
  private readonly ids: Map<string, number>;
  private readonly ranks: Map<string, number>;
  private readonly cache = new Map<string, number[]>();

  /** @throws InvalidParameterError for a vocabulary whose special tokens, kind or merges are inconsistent. */
  constructor(vocabulary: Vocabulary) {
    checkVocabulary(vocabulary);
    this.vocabulary = vocabulary;
    this.ids = new Map(vocabulary.tokens.map((t, i) => [t, i]));
    this.ranks = new Map(vocabulary.merges.map((m, i) => [m, i]));
  }

  get size(): number {
    return this.vocabulary.tokens.length;
  }

  /** Ids of one word. */
  word(w: string): number[] {
    let got = this.cache.get(w);
    if (got !== undefined) return got;
    if (this.vocabulary.kind === "word") {
      got = [this.ids.get(w) ?? UNK];
    } else {
      const s = symbolsOf(w);
      for (;;) {
        let best = -1, bestRank = Infinity;
        for (let k = 0; k + 1 < s.length; k++) {
          const r = this.ranks.get(`${s[k]} ${s[k + 1]}`);
          if (r !== undefined && r < bestRank) {
            bestRank = r;
            best = k;
          }
        }
        if (best < 0) break;
        s.splice(best, 2, s[best] + s[best + 1]);
      }
      got = s.map((t) => this.ids.get(t) ?? UNK);
    }
    if (this.cache.size < 200_000) this.cache.set(w, got);
    return got;
  }

  /** Ids of a token list, truncated to `maxLength`. */
  encode(words: readonly string[], maxLength: number): Int32Array {
    const out: number[] = [];
    for (const w of words) {
      for (const id of this.word(w)) {
        if (out.length >= maxLength) return Int32Array.from(out);
        out.push(id);
      }
    }
    return Int32Array.from(out);
  }
}

/** @throws InvalidParameterError naming what is wrong with a stored vocabulary. */
export function checkVocabulary(v: Vocabulary): void {
  if (v === null || typeof v !== "object" || !Array.isArray(v.tokens) || !Array.isArray(v.merges)) {
    throw new InvalidParameterError("vocabulary", "expected { kind, tokens: string[], merges: string[] }");
  }
  if (!TOKENIZER_KINDS.includes(v.kind)) throw new InvalidParameterError("vocabulary.kind", `expected "word" or "bpe", got ${JSON.stringify(v.kind)}`);
  SPECIAL_TOKENS.forEach((t, i) => {
    if (v.tokens[i] !== t) throw new InvalidParameterError("vocabulary.tokens", `expected ${t} at id ${i}, got ${JSON.stringify(v.tokens[i])}`);
  });
  if (!v.tokens.every((t) => typeof t === "string" && t.length > 0) || new Set(v.tokens).size !== v.tokens.length) {
    throw new InvalidParameterError("vocabulary.tokens", "expected distinct non-empty strings");
  }
  if (v.kind === "word" && v.merges.length > 0) throw new InvalidParameterError("vocabulary.merges", "a word vocabulary has no merges");
  if (!v.merges.every((m) => typeof m === "string" && m.split(" ").length === 2)) throw new InvalidParameterError("vocabulary.merges", `expected merges "a b"`);
}
