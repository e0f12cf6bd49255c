/**
 * A bounded memo of values computed from a matrix, keyed by the matrix's CONTENT, not its identity:
 * its shape, a 64-bit hash of its entries' bit patterns to find an entry, and a kept copy of those
 * entries compared bit for bit on every hit, so a hit is exact (two matrices that hash alike are
 * told apart, never confused). A study that fits the same anchors again and again — every pair shares
 * each encoder's anchors, every fold of a cross-validation the same subsets — gets each factorisation
 * once, even when the anchors arrive as fresh copies (`selectRows`), and a matrix changed in place
 * simply misses. Hashing and comparing read each entry once (milliseconds for a million entries),
 * far below the O(k·d·min(k, d)) of the SVDs it saves.
 *
 * Values and the key copies (one per content, shared by its tags) are kept until their total size
 * passes `maxBytes`; then the least recently used values go first, and a copy with them once no
 * value needs it. A value handed out is shared with later hits: callers must treat it as
 * read-only.
 *
 * One memo serves a whole study: the estimators take it as their `memo` option
 * (`ProcrustesTranslator`: the anchors' row spaces; `InverseRelativeProjection`: the target side of
 * a fit; `LeastSquaresTranslator`: the design's pseudo-inverse; `filteredSpectrum`: the SVDs the
 * ridge and whitened variants filter), each under its own tag. Results are the same bit for bit
 * with or without it.
 */
import { InvalidParameterError } from "../errors";
import type { Matrix } from "./matrix";

function wordsOf(d: Float64Array): Uint32Array {
  return new Uint32Array(d.buffer, d.byteOffset, d.length * 2);
}

/** The content key of a matrix: `rows×cols:` and two 32-bit hashes of its entries' bit patterns (to look up; hits are then compared exactly). */
export function matrixContentKey(m: Matrix): string {
  const words = wordsOf(m.data);
  // Two murmur3-style lanes with different seeds, the second over the words mixed with their
  // position: every bit of every word reaches every bit of both.
  let a = 0x3c6ef372, b = 0x9747b28c;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    let k = Math.imul(w, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    b ^= k;
    b = (Math.imul((b << 13) | (b >>> 19), 5) + 0xe6546b64) | 0;
    let j = Math.imul(w ^ Math.imul(i + 1, 0x9e3779b9), 0x85ebca6b);
    j = Math.imul((j << 17) | (j >>> 15), 0xc2b2ae35);
    a ^= j;
    a = (Math.imul((a << 11) | (a >>> 21), 9) + 0x52dce729) | 0;
  }
  const fmix = (h: number) => {
    h ^= words.length;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  };
  return `${m.rows}x${m.cols}:${fmix(a).toString(16)}:${fmix(b).toString(16)}`;
}

function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  const x = wordsOf(a), y = wordsOf(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/**
 * The budget of the memo a study keeps for one run (`evaluateStitching`, Fig. 6's grid, the IRP panel):
 * Ext. 1's panel on Fashion-MNIST-sized spaces (six encoders up to 2,048-d, 500 anchors) reuses
 * ~900 MiB of factorisations per seed; at 512 MiB it recomputed enough to run 7 % longer.
 */
export const STUDY_MEMO_BYTES = 2 ** 30;

export class MatrixContentMemo {
  readonly maxBytes: number;
  private readonly entries = new Map<string, { value: unknown; bytes: number; copy: KeptCopy; content: string }>();
  /** One copy per kept content, shared by the entries of every tag computed from it. */
  private readonly copies = new Map<string, KeptCopy>();
  private heldBytes = 0;
  /** Lookups answered from the memo, and values computed. */
  hits = 0;
  misses = 0;

  /** @param maxBytes - Bytes kept at most (default 512 MiB); a value that would not fit is returned but not kept. */
  constructor(maxBytes = 512 * 2 ** 20) {
    if (typeof maxBytes !== "number" || !(maxBytes >= 0) || !Number.isFinite(maxBytes)) {
      throw new InvalidParameterError("maxBytes", `expected a finite number of bytes ≥ 0, got ${maxBytes}`);
    }
    this.maxBytes = maxBytes;
  }

  /** Bytes kept now: the values and one copy of each kept key's entries. */
  get bytes(): number {
    return this.heldBytes;
  }

  /**
   * The value for `key`'s content (`tag` names the computation, so one memo serves several, each
   * tag always with values of one type): a kept one, or `compute()`, kept with its size `bytes(value)`.
   */
  get<T>(key: Matrix, tag: string, compute: () => T, bytes: (value: T) => number): T {
    const content = matrixContentKey(key);
    const k = `${tag}|${content}`;
    const found = this.entries.get(k);
    if (found && sameBits(found.copy.data, key.data)) {
      this.hits++;
      // Most recently used last (a Map keeps insertion order).
      this.entries.delete(k);
      this.entries.set(k, found);
      return found.value as T;
    }
    this.misses++;
    const value = compute();
    // A hash collision (the kept entry is another matrix's) is replaced like any older entry.
    if (found) this.drop(k);
    const kept = this.copies.get(content);
    // Another matrix with the same hash holds the copy: computed, not kept (a hit must stay exact).
    if (kept && !sameBits(kept.data, key.data)) return value;
    const size = bytes(value), copyBytes = kept ? 0 : 8 * key.data.length;
    if (size + copyBytes > this.maxBytes) return value;
    let copy = kept;
    if (!copy) {
      copy = { data: Float64Array.from(key.data), refs: 0 };
      this.copies.set(content, copy);
      this.heldBytes += copyBytes;
    }
    copy.refs++;
    this.entries.set(k, { value, bytes: size, copy, content });
    this.heldBytes += size;
    for (const old of this.entries.keys()) {
      if (this.heldBytes <= this.maxBytes) break;
      this.drop(old);
    }
    return value;
  }

  private drop(k: string): void {
    const e = this.entries.get(k);
    if (!e) return;
    this.entries.delete(k);
    this.heldBytes -= e.bytes;
    if (--e.copy.refs === 0) {
      this.copies.delete(e.content);
      this.heldBytes -= 8 * e.copy.data.length;
    }
  }
}

interface KeptCopy {
  data: Float64Array;
  refs: number;
}
