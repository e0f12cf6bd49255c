/**
 * A bounded memo of values computed from a matrix, keyed by the matrix's CONTENT: its shape and a
 * 64-bit hash of its entries' bits (two independent 32-bit hashes), not its identity. A study that
 * fits the same anchors again and again — every pair shares each encoder's anchors, every fold of a
 * cross-validation the same subsets — gets each factorisation once, even when the anchors arrive as
 * fresh copies (`selectRows`), and a matrix changed in place simply misses. Hashing reads each entry
 * once (milliseconds for a million entries), far below the O(k·d·min(k, d)) of the SVDs it saves.
 *
 * Values are kept until their total size passes `maxBytes`; then the least recently used go first.
 * A value handed out is shared with later hits: callers must treat it as read-only.
 *
 * One memo serves a whole study: the estimators and grids take it as their `memo` option
 * (`ProcrustesTranslator`: the anchors' row spaces; `InverseRelativeProjection`: the target side of
 * a fit; `LeastSquaresTranslator`: the design's pseudo-inverse; the variants' SVDs), each under its
 * own tag. Results are the same bit for bit with or without it.
 */
import { InvalidParameterError } from "../errors";
import type { Matrix } from "./matrix";

/** The content key of a matrix: `rows×cols:` and two 32-bit hashes of its entries' bit patterns. */
export function matrixContentKey(m: Matrix): string {
  const d = m.data;
  const words = new Uint32Array(d.buffer, d.byteOffset, d.length * 2);
  // FNV-1a over the words, and a murmur3-style mix with another seed: independent enough that two
  // different matrices of one shape share both only by a 2⁻⁶⁴ accident.
  let a = 0x811c9dc5, b = 0x9747b28c;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    a = Math.imul(a ^ w, 0x01000193);
    let k = Math.imul(w, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    b ^= k;
    b = (Math.imul((b << 13) | (b >>> 19), 5) + 0xe6546b64) | 0;
  }
  b ^= words.length;
  b = Math.imul(b ^ (b >>> 16), 0x85ebca6b);
  b = Math.imul(b ^ (b >>> 13), 0xc2b2ae35);
  b ^= b >>> 16;
  return `${m.rows}x${m.cols}:${(a >>> 0).toString(16)}:${(b >>> 0).toString(16)}`;
}

/**
 * The budget of the memo a study keeps for one run (`evaluateStitching`, the grids, the IRP panel):
 * Ext. 1's panel on Fashion-MNIST-sized spaces (six encoders up to 2,048-d, 500 anchors) reuses
 * ~900 MiB of factorisations per seed; at 512 MiB it recomputed enough to run 7 % longer.
 */
export const STUDY_MEMO_BYTES = 2 ** 30;

export class MatrixContentMemo {
  readonly maxBytes: number;
  private readonly entries = new Map<string, { value: unknown; bytes: number }>();
  private heldBytes = 0;
  /** Lookups answered from the memo, and values computed. */
  hits = 0;
  misses = 0;

  /** @param maxBytes - Bytes of values kept at most (default 512 MiB); a larger value is returned but not kept. */
  constructor(maxBytes = 512 * 2 ** 20) {
    if (typeof maxBytes !== "number" || !(maxBytes >= 0) || !Number.isFinite(maxBytes)) {
      throw new InvalidParameterError("maxBytes", `expected a finite number of bytes ≥ 0, got ${maxBytes}`);
    }
    this.maxBytes = maxBytes;
  }

  /** Bytes of the values kept now. */
  get bytes(): number {
    return this.heldBytes;
  }

  /**
   * The value for `key`'s content (`tag` names the computation, so one memo serves several, each
   * tag always with values of one type): a kept one, or `compute()`, kept with its size `bytes(value)`.
   */
  get<T>(key: Matrix, tag: string, compute: () => T, bytes: (value: T) => number): T {
    const k = `${tag}|${matrixContentKey(key)}`;
    const found = this.entries.get(k);
    if (found) {
      this.hits++;
      // Most recently used last (a Map keeps insertion order).
      this.entries.delete(k);
      this.entries.set(k, found);
      return found.value as T;
    }
    this.misses++;
    const value = compute();
    const size = bytes(value);
    if (size <= this.maxBytes) {
      this.entries.set(k, { value, bytes: size });
      this.heldBytes += size;
      for (const [old, e] of this.entries) {
        if (this.heldBytes <= this.maxBytes) break;
        this.entries.delete(old);
        this.heldBytes -= e.bytes;
      }
    }
    return value;
  }
}
