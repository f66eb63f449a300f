// Deterministic eviction of finished records, so a slice stays bounded however long the server runs.
//
// Which record is "oldest": the one with the smallest recency timestamp (when it ended, was last updated or was
// indexed; always a server-assigned `event.ts`, so ISO strings compare as times), ties broken by key order.
// Two things this avoids:
// - Pure key (insertion) order would evict a session that lived for days the moment it ends, because it was
//   inserted long ago; ordering by the time it finished keeps the N most recently finished, as a dashboard expects.
// - JS orders integer-like keys ("42") before all others, ascending, whatever the insertion order. They only matter
//   here on timestamp ties, and even then the order is a function of the slice alone: JSON keeps key order, so a
//   client holding a snapshot evicts exactly what the server evicts.

import { copySlice } from './records';

/**
 * `slice` without its oldest evictable records beyond `cap`, or `slice` itself when at most `cap` are evictable.
 * Never changes `slice`; records for which `isEvictable` is false (active ones) are never removed and do not count.
 */
export function evictOldest<T>(
  slice: Record<string, T>,
  cap: number,
  isEvictable: (record: T) => boolean,
  recency: (record: T) => string,
): Record<string, T> {
  const keys = Object.keys(slice);
  let count = 0;
  for (const key of keys) if (isEvictable(slice[key]!)) count++;
  const excess = count - cap;
  if (excess <= 0) return slice;
  if (excess === 1) {
    // The steady state once a slice is full: one in, one out, found in a single pass without sorting.
    let oldest = '';
    let oldestAt: string | undefined;
    for (const key of keys) {
      const record = slice[key]!;
      if (!isEvictable(record)) continue;
      const at = recency(record);
      if (oldestAt === undefined || at < oldestAt) {
        oldest = key;
        oldestAt = at;
      }
    }
    return copySlice(slice, (key) => key === oldest);
  }
  const candidates = keys.filter((key) => isEvictable(slice[key]!)).map((key) => ({ key, at: recency(slice[key]!) }));
  // Array.prototype.sort is stable (ES2019), so equal timestamps stay in key order.
  candidates.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const evicted = new Set(candidates.slice(0, excess).map((c) => c.key));
  return copySlice(slice, (key) => evicted.has(key));
}
