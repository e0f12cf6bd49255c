import { InvalidParameterError } from "../errors";
import { describeEntry } from "./matrix";

/**
 * The largest seed. The state is seeded from 32 bits, so the seeds 0 … 2^32 − 1 are exactly the
 * distinct streams; anything else would wrap onto one of them (2^32 ≡ 0, −1 ≡ 2^32 − 1).
 */
export const SEED_MAX = 2 ** 32 - 1;

/** `value` if it is a seed (an integer in [0, SEED_MAX]), else an InvalidParameterError naming `name`. */
export function checkSeed(value: unknown, name = "seed"): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > SEED_MAX) {
    const got = typeof value === "number" ? String(value) : describeEntry(value);
    throw new InvalidParameterError(name, `expected an integer seed in [0, 2^32 − 1] (0 … ${SEED_MAX}), got ${got}`);
  }
  return value;
}

/** A `Random`'s state (`getState`): xoshiro128**'s four words and the cached second normal deviate. */
export interface RandomState {
  words: [number, number, number, number];
  spareNormal: number | null;
}

/**
 * A seeded pseudo-random generator (xoshiro128**, seeded through splitmix32). Every random choice in
 * latent-bridge takes one of these or a seed, so the same seed always gives the same result.
 */
export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | null = null;

  /** `seed`: an integer in [0, 2^32 − 1] (`SEED_MAX`); each gives a different stream. */
  constructor(seed: number) {
    let z = checkSeed(seed, "seed");
    const next = () => {
      z = (z + 0x9e3779b9) | 0;
      let t = z ^ (z >>> 16);
      t = Math.imul(t, 0x21f0aaad);
      t ^= t >>> 15;
      t = Math.imul(t, 0x735a2d97);
      return (t ^ (t >>> 15)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** The generator's whole state: `setState` of it continues this exact stream (a training checkpoint keeps it). */
  getState(): RandomState {
    // The words as unsigned integers: the generator's bit operations read them as int32 either way.
    return { words: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0], spareNormal: this.spareNormal };
  }

  /** Continues the stream `getState` saved. @throws InvalidParameterError for anything else (xoshiro's all-zero state included). */
  setState(state: RandomState): void {
    const w = (state as Partial<RandomState> | null)?.words;
    const ok = Array.isArray(w) && w.length === 4 && w.every((x) => Number.isInteger(x) && x >= 0 && x <= SEED_MAX) && w.some((x) => x !== 0);
    const spare = (state as Partial<RandomState> | null)?.spareNormal;
    if (!ok || !(spare === null || (typeof spare === "number" && Number.isFinite(spare)))) {
      throw new InvalidParameterError("state", "expected { words: four 32-bit unsigned integers, not all 0; spareNormal: a finite number or null } (from getState)");
    }
    [this.s0, this.s1, this.s2, this.s3] = w;
    this.spareNormal = spare;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** k distinct indices from 0..n-1, in random order. */
  sample(n: number, k: number): Int32Array {
    if (k > n) throw new InvalidParameterError("k", `cannot draw ${k} distinct items from ${n}`);
    return this.permutation(n).subarray(0, k).slice();
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
