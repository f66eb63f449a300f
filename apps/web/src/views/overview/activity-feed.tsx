// The activity feed: every event, newest first, with its time, topic and a one-line description. Rows are memoized
// by event (an event object never changes), so a new batch renders only the rows it added.

import { memo, useSyncExternalStore } from 'react';
import type { SwitchboardEvent } from '@switchboard/client';
import { useClient } from '@switchboard/react';
import { describeEvent } from '../../lib/describe-event';
import { clockTime } from '../../lib/format';
import { activityStore } from './activity-store';

const FeedRow = memo(function FeedRow({ event: e }: { event: SwitchboardEvent }) {
  return (
    <li data-seq={e.seq} className={`feed-item family-${e.topic.split('.')[0]}`}>
      <time dateTime={e.ts}>{clockTime(e.ts)}</time>
      <span className="topic">{e.topic}</span>
      <span className="desc">{describeEvent(e)}</span>
    </li>
  );
});

export function ActivityFeed({ limit = 60 }: { limit?: number }) {
  const store = activityStore(useClient());
  const events = useSyncExternalStore(store.subscribe, store.get, store.get);
  return (
    <section className="panel" aria-labelledby="activity-title">
      <h2 id="activity-title">Activity</h2>
      {events.length === 0 ? (
        <p className="empty">No events yet. Producers append with POST /api/events or the SDK’s publish.</p>
      ) : (
        <ol className="feed" data-testid="activity-feed">
          {events.slice(0, limit).map((e) => (
            <FeedRow key={e.seq} event={e} />
          ))}
        </ol>
      )}
    </section>
  );
}
