// The `searches` slice: search.completed upserts, keeping the MAX_SEARCHES most recently completed.

import { MAX_SEARCHES } from './constants';
import { evictOldest } from './evict';
import { dataOf, idOf, numberField, stringField } from './event-data';
import { getRecord, putRecord } from './records';
import type { SearchView, SliceReducer } from './state';

type Searches = Record<string, SearchView>;

/**
 * Fold one `search.*` event: `search.completed` upserts `{ id, query, results, completed_at }` (`results` is a
 * count); other topics change nothing.
 */
export const reduceSearches: SliceReducer<Searches> = (slice, event) => {
  if (event.topic !== 'search.completed') return slice;
  const d = dataOf(event);
  const id = d && idOf(d);
  if (!d || !id) return slice;
  const prev = getRecord(slice, id);
  const after = putRecord(slice, id, {
    id,
    query: stringField(d, 'query') ?? prev?.query ?? '',
    results: numberField(d, 'results') ?? prev?.results ?? 0,
    completed_at: event.ts,
  });
  if (after === slice) return slice;
  return evictOldest(after, MAX_SEARCHES, () => true, (s) => s.completed_at);
};
