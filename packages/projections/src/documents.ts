// The `documents` slice: document.indexed upserts, keeping the MAX_DOCUMENTS most recently indexed.

import { MAX_DOCUMENTS } from './constants';
import { evictOldest } from './evict';
import { dataOf, idOf, stringField } from './event-data';
import { getRecord, putRecord } from './records';
import type { DocumentView, SliceReducer } from './state';

type Documents = Record<string, DocumentView>;

/** Fold one `document.*` event: `document.indexed` upserts `{ id, name, indexed_at }`; other topics change nothing. */
export const reduceDocuments: SliceReducer<Documents> = (slice, event) => {
  if (event.topic !== 'document.indexed') return slice;
  const d = dataOf(event);
  const id = d && idOf(d);
  if (!d || !id) return slice;
  const name = stringField(d, 'name') ?? getRecord(slice, id)?.name ?? '';
  const after = putRecord(slice, id, { id, name, indexed_at: event.ts });
  if (after === slice) return slice;
  return evictOldest(after, MAX_DOCUMENTS, () => true, (doc) => doc.indexed_at);
};
