/** The first element with the largest `value` (ties keep the earlier one): how every notebook picks a best cell. */
export function firstBest<T>(items: readonly T[], value: (item: T) => number): T {
  return items.reduce((b, r) => (value(r) > value(b) ? r : b), items[0]);
}
