import { InvalidParameterError } from "../errors";
import { Random } from "../linalg/random";

/** How many items `stratifiedSubset` takes: the same number from every class, or a total. */
export type SubsetSize = number | { perClass: number } | { total: number };

/**
 * A deterministic class-balanced subset of a labelled data set: returns indices into `labels`.
 *
 * - `{ perClass: k }` (or a plain number `k`): exactly `k` items of every class present in
 *   `labels`; a class with fewer than `k` items is an `InvalidParameterError`.
 * - `{ total: n }`: `n` items spread over the classes as evenly as possible — every class gets
 *   ⌊n/C⌋ or ⌈n/C⌉ (which classes get the extra one is drawn with the seed); a class with fewer
 *   items than its share gives all it has and the rest is spread over the others ("water filling").
 *   `n` larger than `labels.length` is an `InvalidParameterError`.
 *
 * Which items of a class are taken and the order of the returned indices (shuffled across classes)
 * depend only on `labels` and `seed`: the same call always returns the same indices. No index is
 * repeated. Classes are the distinct label values (non-negative integers).
 */
export function stratifiedSubset(labels: ArrayLike<number>, size: SubsetSize, seed: number): Int32Array {
  const n = labels.length;
  const groups = groupByClass(labels);
  const classes = [...groups.keys()].sort((a, b) => a - b);
  const rng = new Random(seed);

  const quota = new Map<number, number>();
  if (typeof size === "number" || "perClass" in size) {
    const k = typeof size === "number" ? size : size.perClass;
    if (!Number.isInteger(k) || k < 0) {
      throw new InvalidParameterError("perClass", `expected a non-negative integer, got ${k}`);
    }
    for (const c of classes) {
      const available = groups.get(c)!.length;
      if (available < k) {
        throw new InvalidParameterError(
          "perClass",
          `class ${c} has only ${available} items, cannot take ${k} from every class (use { total } for a best-effort balance)`,
        );
      }
      quota.set(c, k);
    }
  } else {
    const total = size.total;
    if (!Number.isInteger(total) || total < 0) {
      throw new InvalidParameterError("total", `expected a non-negative integer, got ${total}`);
    }
    if (total > n) throw new InvalidParameterError("total", `cannot take ${total} items from ${n}`);
    for (const c of classes) quota.set(c, 0);
    let remaining = total;
    while (remaining > 0) {
      const open = classes.filter((c) => quota.get(c)! < groups.get(c)!.length);
      const share = Math.floor(remaining / open.length);
      if (share === 0) {
        // Fewer items left than open classes: one more each for `remaining` classes drawn by seed.
        const order = rng.permutation(open.length);
        for (let i = 0; i < remaining; i++) {
          const c = open[order[i]];
          quota.set(c, quota.get(c)! + 1);
        }
        remaining = 0;
      } else {
        for (const c of open) {
          const add = Math.min(share, groups.get(c)!.length - quota.get(c)!);
          quota.set(c, quota.get(c)! + add);
          remaining -= add;
        }
      }
    }
  }

  let count = 0;
  for (const c of classes) count += quota.get(c)!;
  const picked = new Int32Array(count);
  let at = 0;
  for (const c of classes) {
    const members = groups.get(c)!;
    const chosen = rng.sample(members.length, quota.get(c)!);
    for (let i = 0; i < chosen.length; i++) picked[at++] = members[chosen[i]];
  }
  const order = rng.permutation(count);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = picked[order[i]];
  return out;
}

/** Indices of each class, ascending; validates that labels are non-negative integers. */
export function groupByClass(labels: ArrayLike<number>): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0) {
      throw new InvalidParameterError("labels", `expected non-negative integer class labels, found ${y} at index ${i}`);
    }
    let g = groups.get(y);
    if (!g) groups.set(y, (g = []));
    g.push(i);
  }
  return groups;
}

/** Number of items of each class 0..numClasses−1 among `indices` (all items when omitted). */
export function classCounts(labels: ArrayLike<number>, numClasses: number, indices?: ArrayLike<number>): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  const m = indices ? indices.length : labels.length;
  for (let i = 0; i < m; i++) {
    const y = labels[indices ? indices[i] : i];
    if (y >= 0 && y < numClasses) counts[y]++;
  }
  return counts;
}
