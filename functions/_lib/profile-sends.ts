/**
 * Recent sends of two profiles that became one person (a visitor who signed
 * in): one list, in time order. A send in both lists counts once: copying
 * one profile's sends onto the other (the merge, or the first reservation of
 * a visitor's enrollment after it) leaves them in both, so per instant the
 * larger count of the two is kept, never the sum.
 */
export function unionOfSends<T extends string | number>(a: readonly T[], b: readonly T[]): T[] {
  const counts = new Map<T, number>();
  for (const list of [a, b]) {
    const here = new Map<T, number>();
    for (const at of list) here.set(at, (here.get(at) ?? 0) + 1);
    for (const [at, n] of here) counts.set(at, Math.max(counts.get(at) ?? 0, n));
  }
  const out = [...counts].flatMap(([at, n]) => Array<T>(n).fill(at));
  return out.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}
