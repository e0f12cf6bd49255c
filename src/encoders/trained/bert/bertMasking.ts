/**
 * The masked-language-model corruption (BERT's): each real, non-[UNK] token of a batch is chosen as
 * a target with probability `rate` (at least one per text that has a candidate); a chosen token is
 * replaced by [MASK] 80 % of the time, by a random regular token 10 % of the time, and kept 10 % of
 * the time. The model must predict the original tokens at the chosen positions. [UNK] is never a
 * target (predicting "unknown word" would inflate the accuracy with a word vocabulary, where ~7–9 %
 * of the tokens are [UNK]). Seeded: the same batch and generator state give the same corruption.
 */
import type { Random } from "../../../linalg/random";
import type { TokenBatch } from "./bertNetwork";
import { FIRST_REGULAR_ID, MASK, UNK } from "./bertVocabulary";

export interface MaskedBatch {
  /** The batch with corrupted ids (mask unchanged). */
  input: TokenBatch;
  /** Flat positions (into B·T) of the targets, in order. */
  positions: Int32Array;
  /** The original ids there. */
  targets: Int32Array;
}

/** Corrupts `b` for masked language modelling (see the module comment). */
export function maskTokens(b: TokenBatch, rate: number, vocabSize: number, rng: Random): MaskedBatch {
  const ids = Int32Array.from(b.ids);
  const positions: number[] = [];
  for (let r = 0; r < b.batch; r++) {
    const candidates: number[] = [];
    for (let t = 0; t < b.length; t++) {
      const at = r * b.length + t;
      if (b.mask[at] === 1 && b.ids[at] !== UNK) candidates.push(at);
    }
    const chosen = candidates.filter(() => rng.uniform() < rate);
    if (chosen.length === 0 && candidates.length > 0) chosen.push(candidates[rng.int(candidates.length)]);
    positions.push(...chosen);
  }
  positions.sort((a, c) => a - c);
  const targets = Int32Array.from(positions, (at) => b.ids[at]);
  for (const at of positions) {
    const u = rng.uniform();
    if (u < 0.8) ids[at] = MASK;
    else if (u < 0.9) ids[at] = FIRST_REGULAR_ID + rng.int(vocabSize - FIRST_REGULAR_ID);
  }
  return { input: { ...b, ids }, positions: Int32Array.from(positions), targets };
}
