// The activity feed's events: live ones from the client, plus the last few from before the page opened
// (read once from `GET /api/events`), kept per client so navigating between views keeps the feed.

import type { SwitchboardClient, SwitchboardEvent } from '@switchboard/client';
import type { PollResponse } from '@switchboard/protocol';
import { api } from '../../lib/api';

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
  const listeners = new Set<() => void>();
  const merge = (incoming: SwitchboardEvent[]) => {
    // By seq, without duplicates: a resume after a reconnect may overlap what the backfill read.
    const bySeq = new Map(events.map((e) => [e.seq, e]));
    for (const e of incoming) bySeq.set(e.seq, e);
    events = [...bySeq.values()].sort((a, b) => b.seq - a.seq).slice(0, MAX_ACTIVITY);
    listeners.forEach((l) => l());
  };
  client.on('event', (e) => merge([e]));
  let backfilled = false;
  client.on('snapshot', ({ epoch, seq }) => {
    if (backfilled) return;
    backfilled = true;
    const since = Math.max(0, seq - BACKFILL);
    api<PollResponse>('GET', `/api/events?since=${since}&epoch=${encodeURIComponent(epoch)}&limit=${BACKFILL}`)
      .then((page) => {
        if (page.recovered) merge(page.events.filter((e) => e.seq <= seq).map((e) => ({ seq: e.seq, topic: e.topic, ts: e.ts, data: e.data })));
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
