// The log tail of one instance, live from `/ws/instances/:name/logs` (SPEC §5.2): the backlog, then new lines
// as they are written; a `rotated` frame becomes a marker line. Polls `GET …/logs?tail=N` every 3 s as fallback.

import { useLiveStream } from '@switchboard/react';
import { api, seg } from '../../lib/api';
import { wsUrl } from '../../lib/stream-url';
import { INITIAL_LOG as INITIAL, LOG_BACKLOG, append, reduceLog, type LogState } from './log-reducer';

export function useLogTail(name: string | null) {
  const url = name ? wsUrl(`/ws/instances/${seg(name)}/logs`, { backlog: String(LOG_BACKLOG) }) : null;
  return useLiveStream<LogState>(
    url,
    () => ({
      url: url!,
      initial: INITIAL,
      reduce: reduceLog,
      pollIntervalMs: 3000,
      poll: async (state, signal) => {
        const body = await api<{ lines: string[] }>('GET', `/api/instances/${seg(name!)}/logs?tail=${LOG_BACKLOG}`, undefined, signal);
        return append(state, body.lines.map((text) => ({ text, kind: 'line' as const })), true);
      },
    }),
    INITIAL,
  );
}
