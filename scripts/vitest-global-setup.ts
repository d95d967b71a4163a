/**
 * Runs in vitest's main process. Vitest 5 formats failures with `Map.groupBy`, which Node 20 lacks
 * (it arrived in Node 21); without this, a failing run on Node 20 crashes while printing why.
 */
export default function setup(): void {
  const map = Map as unknown as { groupBy?: unknown };
  if (typeof map.groupBy === 'function') return;
  map.groupBy = <T, K>(items: Iterable<T>, key: (item: T, index: number) => K): Map<K, T[]> => {
    const groups = new Map<K, T[]>();
    let index = 0;
    for (const item of items) {
      const k = key(item, index++);
      const group = groups.get(k);
      if (group === undefined) groups.set(k, [item]);
      else group.push(item);
    }
    return groups;
  };
}
