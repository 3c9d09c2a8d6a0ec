// Minimum and maximum of a list by a loop: `Math.max(...xs)` passes every value as a call
// argument and overflows the stack past ~100k values (a 300,000-block run crashed that way).

/** The largest f(x) over xs; -Infinity when empty. */
export function maxOf<T>(xs: readonly T[], f: (x: T) => number): number {
  let m = -Infinity;
  for (const x of xs) {
    const v = f(x);
    if (v > m) m = v;
  }
  return m;
}

/** The smallest f(x) over xs; Infinity when empty. */
export function minOf<T>(xs: readonly T[], f: (x: T) => number): number {
  let m = Infinity;
  for (const x of xs) {
    const v = f(x);
    if (v < m) m = v;
  }
  return m;
}
