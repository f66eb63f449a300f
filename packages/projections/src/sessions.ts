// The `sessions` slice: session.created / session.updated / session.ended, keeping at most MAX_ENDED_SESSIONS ended.

import { MAX_ENDED_SESSIONS } from './constants';
import { evictOldest } from './evict';
import { dataOf, idOf, stringField } from './event-data';
import { compact, getRecord, putRecord } from './records';
import type { SessionView, SliceReducer } from './state';

type Sessions = Record<string, SessionView>;

/**
 * Fold one `session.*` event. `created` (re)starts a session as active; `updated` merges name, target,
 * workspace_id and instance into a known session; `ended` marks it ended, creating it when unknown.
 */
export const reduceSessions: SliceReducer<Sessions> = (slice, event) => {
  const d = dataOf(event);
  const id = d && idOf(d);
  if (!d || !id) return slice;
  const prev = getRecord(slice, id);
  const fields = {
    name: stringField(d, 'name'),
    target: stringField(d, 'target'),
    workspace_id: stringField(d, 'workspace_id'),
    instance: stringField(d, 'instance'),
  };
  switch (event.topic) {
    case 'session.created':
      return putRecord(slice, id, compact<SessionView>({
        id,
        name: fields.name ?? '',
        target: fields.target ?? '',
        workspace_id: fields.workspace_id,
        instance: fields.instance,
        status: 'active',
        created_at: event.ts,
        updated_at: event.ts,
      }));
    case 'session.updated':
      // An update of an unknown session is dropped rather than creating it: the session may have been evicted
      // after it ended, and resurrecting it as active would pin it in memory for good.
      if (!prev) return slice;
      return putRecord(slice, id, merge(prev, fields, { updated_at: event.ts }));
    case 'session.ended': {
      const base: SessionView = prev ?? { id, name: '', target: '', status: 'ended', created_at: event.ts, updated_at: event.ts };
      const next = putRecord(slice, id, merge(base, fields, { status: 'ended', updated_at: event.ts, ended_at: event.ts }));
      if (next === slice) return slice;
      return evictOldest(next, MAX_ENDED_SESSIONS, isEnded, endedAt);
    }
    default:
      return slice;
  }
};

function merge(base: SessionView, fields: Partial<SessionView>, changes: Partial<SessionView>): SessionView {
  return compact<SessionView>({
    ...base,
    name: fields.name ?? base.name,
    target: fields.target ?? base.target,
    workspace_id: fields.workspace_id ?? base.workspace_id,
    instance: fields.instance ?? base.instance,
    ...changes,
  });
}

function isEnded(s: SessionView): boolean {
  return s.status === 'ended';
}

function endedAt(s: SessionView): string {
  return s.ended_at ?? s.updated_at;
}
