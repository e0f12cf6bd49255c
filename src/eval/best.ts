/**
 * The first element with the largest `value` (ties keep the earlier one): how the (ω, δ) chooser and
 * every notebook's report pick a best cell, so that a tie resolves the same way in both.
 */
export function firstBest<T>(items: readonly T[], value: (item: T) => number): T {
  return items.reduce((b, r) => (value(r) > value(b) ? r : b), items[0]);
}
