// Messages (the control-plane contract): inter-agent message transitions, live, filtered by instance and correlation id.

import { useState } from 'react';
import { StatusBadge } from '../../components/status-badge';
import { StreamNote } from '../../components/stream-note';
import { clockTime, shortId } from '../../lib/format';
import { MessageFilters } from './message-filters';
import { useMessageEvents, type MessageFilter } from './use-message-events';

export function MessagesView() {
  const [filter, setFilter] = useState<MessageFilter>({ instance: '', correlation_id: '' });
  const live = useMessageEvents(filter);
  const events = [...live.data.events].reverse();
  return (
    <div className="view messages">
      <section className="panel" aria-labelledby="messages-title">
        <div className="panel-head">
          <h2 id="messages-title">Messages</h2>
          <StreamNote live={live} name="messages" />
          <span className="spacer" />
          <span className="muted">{events.length} events</span>
        </div>
        <MessageFilters value={filter} onChange={setFilter} />
        {!live.data.loaded ? (
          <p className="empty">Loading…</p>
        ) : events.length === 0 ? (
          <p className="empty">No message events{filter.instance || filter.correlation_id ? ' match these filters' : ' yet'}. Agents send with POST /api/messages.</p>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="message-table">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Event</th>
                  <th scope="col">From → To</th>
                  <th scope="col">Type</th>
                  <th scope="col">Correlation</th>
                  <th scope="col" className="hide-narrow">Message</th>
                  <th scope="col" className="hide-narrow">Detail</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e, i) => (
                  <tr key={`${e.message_id}-${e.event}-${i}`} data-message={e.message_id} data-event={e.event}>
                    <td className="muted">{clockTime(e.timestamp)}</td>
                    <td>
                      <StatusBadge status={e.event} />
                    </td>
                    <td>
                      <button type="button" className="link-button" onClick={() => setFilter({ ...filter, instance: e.from })} title={`Only messages of ${e.from}`}>
                        {e.from}
                      </button>
                      {' → '}
                      <button type="button" className="link-button" onClick={() => setFilter({ ...filter, instance: e.to })} title={`Only messages of ${e.to}`}>
                        {e.to}
                      </button>
                    </td>
                    <td className="mono">{e.message_type}</td>
                    <td>
                      {e.correlation_id ? (
                        <button type="button" className="link-button mono" onClick={() => setFilter({ ...filter, correlation_id: e.correlation_id! })} title="Only this chain">
                          {shortId(e.correlation_id)}
                        </button>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td className="mono muted hide-narrow" title={e.message_id}>
                      {shortId(e.message_id)}
                    </td>
                    <td className="error-text hide-narrow">{e.detail ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
