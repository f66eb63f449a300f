// The log tail of one instance, live from `/ws/instances/:name/logs` (SPEC §5.2): the backlog, then new lines
// as they are written; a `rotated` frame becomes a marker line. Polls `GET …/logs?tail=N` every 3 s as fallback.

import { useLiveStream, type StreamFrame } from '@switchboard/react';
import { api, seg } from '../../lib/api';
import { wsUrl } from '../../lib/stream-url';

export interface LogLine {
  id: number;
  text: string;
  kind: 'line' | 'rotated';
}

export interface LogState {
  lines: LogLine[];
  nextId: number;
  loaded: boolean;
}

/** Lines requested on connect and kept in the panel. */
export const LOG_BACKLOG = 200;
export const MAX_LOG_LINES = 2000;

const INITIAL: LogState = { lines: [], nextId: 1, loaded: false };

function append(state: LogState, items: Array<Omit<LogLine, 'id'>>, replace = false): LogState {
  let id = state.nextId;
  const added = items.map((l) => ({ ...l, id: id++ }));
  const lines = (replace ? added : [...state.lines, ...added]).slice(-MAX_LOG_LINES);
  return { lines, nextId: id, loaded: true };
}

export function reduceLog(state: LogState, f: StreamFrame): LogState {
  const lines = Array.isArray(f.lines) ? (f.lines as string[]).map((text) => ({ text, kind: 'line' as const })) : [];
  switch (f.type) {
    case 'backlog':
      // A backlog starts every (re)connect and replaces what we had: no gap and no duplicate (SPEC §5.2).
      return append(state, lines, true);
    case 'lines':
      return append(state, lines);
    case 'rotated':
      return append(state, [{ text: 'log rotated — following the new file', kind: 'rotated' }]);
    default:
      return state;
  }
}

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
