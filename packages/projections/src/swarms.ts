// The `swarms` slice: swarm.formed adds, swarm.updated merges members and goal, swarm.dissolved removes.

import { dataOf, idOf, stringField, stringsField } from './event-data';
import { compact, getRecord, putRecord, removeRecord } from './records';
import type { SliceReducer, SwarmView } from './state';

type Swarms = Record<string, SwarmView>;

/**
 * Fold one `swarm.*` event. Dissolved swarms are removed, so the slice holds only live swarms and needs no cap.
 * An update of an unknown swarm is ignored: it may already be dissolved, and re-adding it would never be undone.
 */
export const reduceSwarms: SliceReducer<Swarms> = (slice, event) => {
  const d = dataOf(event);
  const id = d && idOf(d);
  if (!d || !id) return slice;
  switch (event.topic) {
    case 'swarm.formed':
      return putRecord(slice, id, compact<SwarmView>({
        id,
        agents: stringsField(d, 'agents') ?? [],
        goal: stringField(d, 'goal'),
        formed_at: event.ts,
        updated_at: event.ts,
      }));
    case 'swarm.updated': {
      const prev = getRecord(slice, id);
      if (!prev) return slice;
      return putRecord(slice, id, compact<SwarmView>({
        ...prev,
        agents: stringsField(d, 'agents') ?? prev.agents,
        goal: stringField(d, 'goal') ?? prev.goal,
        updated_at: event.ts,
      }));
    }
    case 'swarm.dissolved':
      return removeRecord(slice, id);
    default:
      return slice;
  }
};
