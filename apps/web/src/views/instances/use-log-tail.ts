// The log tail of one instance, live from `/ws/instances/:name/logs` (docs/control-plane.md): the backlog, then new lines
// as they are written; a `rotated` frame becomes a marker line. A reconnect sends the position the last frame gave,
// so the server continues exactly there (docs/control-plane.md "Exact log resume"). Polls `GET …/logs?tail=N`
// every 3 s as fallback.

import { useLiveStream, type StreamFrame } from '@switchboard/react';
import { api, seg } from '../../lib/api';
import { wsUrl } from '../../lib/stream-url';
import { INITIAL_LOG as INITIAL, LOG_BACKLOG, append, reduceLog, type LogState } from './log-reducer';

export function useLogTail(name: string | null) {
  const url = name ? wsUrl(`/ws/instances/${seg(name)}/logs`, { backlog: String(LOG_BACKLOG) }) : null;
  return useLiveStream<LogState>(
    url,
    () => {
      // The position of this stream's latest frame; a REST poll replaces the lines, so it forgets it.
      let position: LogState['position'] = null;
      return {
        url: url!,
        connectUrl: () => (position ? `${url!}&file=${encodeURIComponent(position.file)}&offset=${position.offset}` : url!),
        initial: INITIAL,
        reduce: (state: LogState, frame: StreamFrame) => {
          const next = reduceLog(state, frame);
          position = next.position;
          return next;
        },
        pollIntervalMs: 3000,
        poll: async (state, signal) => {
          const body = await api<{ lines: string[] }>('GET', `/api/instances/${seg(name!)}/logs?tail=${LOG_BACKLOG}`, undefined, signal);
          position = null;
          return { ...append(state, body.lines.map((text) => ({ text, kind: 'line' as const })), true), position: null };
        },
      };
    },
    INITIAL,
  );
}
