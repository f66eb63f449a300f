// Folding arriving events into the activity feed's newest-first list (pure, so the tests need no page).

import type { SwitchboardEvent } from '@switchboard/client';

/**
 * `incoming` folded into `events` (both by seq; `events` newest first), newest first, without duplicates, at most
 * `max`. Live events arrive in ascending seq after everything held, which is the cheap path; a backfill or a
 * resume that overlaps takes the general one.
 */
export function mergeActivity(events: readonly SwitchboardEvent[], incoming: readonly SwitchboardEvent[], max: number): SwitchboardEvent[] {
  if (incoming.length === 0) return events as SwitchboardEvent[];
  let ascending = true;
  for (let i = 1; i < incoming.length && ascending; i++) ascending = incoming[i]!.seq > incoming[i - 1]!.seq;
  const newest = events.length > 0 ? events[0]!.seq : -Infinity;
  if (ascending && incoming[0]!.seq > newest) {
    const fresh = incoming.length > max ? incoming.slice(incoming.length - max) : incoming;
    const out: SwitchboardEvent[] = new Array(Math.min(max, fresh.length + events.length));
    let k = 0;
    for (let i = fresh.length - 1; i >= 0 && k < out.length; i--) out[k++] = fresh[i]!;
    for (let i = 0; k < out.length; i++) out[k++] = events[i]!;
    return out;
  }
  const bySeq = new Map(events.map((e) => [e.seq, e]));
  for (const e of incoming) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((a, b) => b.seq - a.seq).slice(0, max);
}
