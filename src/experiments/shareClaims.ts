/**
 * Per-encoder work shared with other processes instead of waited for. Notebooks run side by side
 * (`npm run figures -- --jobs 2`, the test suite's two workers) often need the same embeddings:
 * Table 2, Fig. 5, Fig. 7 and Ext. 1 all embed the Table 2 encoders, in the same order. The cache
 * computes each entry once (io/claim.ts), but a process that found an entry claimed used to wait for
 * it, so the second notebook idled one core for as long as the first one computed — encoder after
 * encoder.
 *
 * `mapSharingClaims(items, work)` runs `work(item)` for every item under `deferringClaimed`: an
 * item whose cache entry another process is computing is put aside and the next one done first;
 * the ones put aside are tried again after each pass, and only when every remaining item is held
 * elsewhere does it wait (for the first of them, as `computeOnce` always did). The results come back
 * in the items' order, and they are the same entries with the same bits as a loop in order gives:
 * the order in which the cache entries get computed changes nothing in them.
 *
 * What `work` computed before an entry claimed elsewhere stopped it stays in the cache (its own
 * entries are written as they finish), so trying an item again reads it instead of computing it.
 * `work` must therefore not change shared state before its cached steps in a way that a second
 * attempt would repeat (it may memoise, e.g. a fitted model reused by later items).
 */
import { ClaimedElsewhere, deferringClaimed } from "../io/claim";

export interface ShareClaimsOptions<I> {
  /** Says which item waits for which entry (default: a line to stderr); `undefined` for silence. */
  log?: ((message: string) => void) | undefined;
  /** The item's name in messages. Default String(item). */
  name?: (item: I) => string;
}

/** `items.map(work)` awaited one at a time, doing first the items whose entries no other process is computing. */
export async function mapSharingClaims<I, R>(items: readonly I[], work: (item: I) => Promise<R>, options: ShareClaimsOptions<I> = {}): Promise<R[]> {
  const log = "log" in options ? options.log : (m: string) => console.warn(m);
  const name = options.name ?? ((item: I) => String(item));
  const results = new Array<R>(items.length);
  let pending = items.map((_, i) => i);
  const said = new Set<number>();
  while (pending.length > 0) {
    const deferred: number[] = [];
    for (const i of pending) {
      try {
        results[i] = await deferringClaimed(() => work(items[i]));
      } catch (e) {
        if (!(e instanceof ClaimedElsewhere)) throw e;
        deferred.push(i);
        if (!said.has(i)) log?.(`${name(items[i])}: put aside while another process computes ${e.entry}`);
        said.add(i);
      }
    }
    if (deferred.length === pending.length) {
      // Every remaining item is held elsewhere: wait for the first, as computeOnce does.
      const [first, ...rest] = deferred;
      results[first] = await work(items[first]);
      pending = rest;
    } else {
      pending = deferred;
    }
  }
  return results;
}
