// The log tail's lines, folded from `/ws/instances/:name/logs` frames (SPEC §5.2). Pure.

import type { StreamFrame } from '@switchboard/react';

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

export const INITIAL_LOG: LogState = { lines: [], nextId: 1, loaded: false };

export function append(state: LogState, items: Array<Omit<LogLine, 'id'>>, replace = false): LogState {
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
