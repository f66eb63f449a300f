// The activity feed's events: live ones from the client, plus the last few from before the page opened
// (read once from `GET /api/events`), kept per client so navigating between views keeps the feed.
// Arriving events are buffered and folded in once per animation frame (docs/architecture.md, "Keeping up with a
// busy fleet"): a thousand events a second cost sixty merges, not a thousand sorts.

import { Batcher, notifyScheduler, type SwitchboardClient, type SwitchboardEvent } from '@switchboard/client';
import type { PollResponse } from '@switchboard/protocol';
import { api } from '../../lib/api';
import { mergeActivity } from './activity-merge';

/** Events kept in the feed, newest first. @default 200 */
export const MAX_ACTIVITY = 200;
/** Events read from before the page opened. @default 40 */
export const BACKFILL = 40;

export interface ActivityStore {
  get(): readonly SwitchboardEvent[];
  subscribe(fn: () => void): () => void;
}

const stores = new WeakMap<SwitchboardClient, ActivityStore>();

export function activityStore(client: SwitchboardClient): ActivityStore {
  let store = stores.get(client);
  if (store) return store;
  let events: SwitchboardEvent[] = [];
  let incoming: SwitchboardEvent[] = [];
  const listeners = new Set<() => void>();
  const batch = new Batcher(() => {
    const arrived = incoming;
    incoming = [];
    const next = mergeActivity(events, arrived, MAX_ACTIVITY);
    if (next === events) return;
    events = next;
    listeners.forEach((l) => l());
  }, notifyScheduler('frame'));
  const add = (arrived: SwitchboardEvent[]) => {
    for (const e of arrived) incoming.push(e);
    // Only the newest MAX_ACTIVITY can show; a hidden tab (no frames) must not hoard the rest.
    if (incoming.length > 2 * MAX_ACTIVITY) incoming = incoming.slice(incoming.length - MAX_ACTIVITY);
    batch.request();
  };
  client.on('event', (e) => add([e]));
  let backfilled = false;
  client.on('snapshot', ({ epoch, seq }) => {
    if (backfilled) return;
    backfilled = true;
    const since = Math.max(0, seq - BACKFILL);
    api<PollResponse>('GET', `/api/events?since=${since}&epoch=${encodeURIComponent(epoch)}&limit=${BACKFILL}`)
      .then((page) => {
        if (page.recovered) add(page.events.filter((e) => e.seq <= seq).map((e) => ({ seq: e.seq, topic: e.topic, ts: e.ts, data: e.data })));
      })
      .catch(() => {
        // The backfill is a nicety; the live feed works without it.
      });
  });
  store = {
    get: () => events,
    subscribe: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
  stores.set(client, store);
  return store;
}
