// The log tail's lines, folded from `/ws/instances/:name/logs` frames (docs/control-plane.md). Pure.

import { logPositionOf, type LogPosition } from '@switchboard/protocol';
import type { StreamFrame } from '@switchboard/react';

export interface LogLine {
  id: number;
  text: string;
  kind: 'line' | 'rotated' | 'missed';
}

export interface LogState {
  lines: LogLine[];
  nextId: number;
  loaded: boolean;
  /** Where the stream stopped: a reconnect resumes there (docs/control-plane.md "Exact log resume"). */
  position: LogPosition | null;
}

/** Lines requested on connect and kept in the panel. */
export const LOG_BACKLOG = 200;
export const MAX_LOG_LINES = 2000;

export const INITIAL_LOG: LogState = { lines: [], nextId: 1, loaded: false, position: null };

export function append(state: LogState, items: Array<Omit<LogLine, 'id'>>, replace = false): LogState {
  let id = state.nextId;
  const added = items.map((l) => ({ ...l, id: id++ }));
  const lines = (replace ? added : [...state.lines, ...added]).slice(-MAX_LOG_LINES);
  return { ...state, lines, nextId: id, loaded: true };
}

export function reduceLog(state: LogState, f: StreamFrame): LogState {
  const next = reduceLines(state, f);
  const position = logPositionOf(f);
  return position ? { ...next, position } : next;
}

function reduceLines(state: LogState, f: StreamFrame): LogState {
  const lines = Array.isArray(f.lines) ? (f.lines as string[]).map((text) => ({ text, kind: 'line' as const })) : [];
  switch (f.type) {
    case 'backlog':
      // A backlog starts a connect without a usable position and replaces what we had: no gap, no duplicate.
      return append(state, lines, true);
    case 'lines':
      return append(state, lines);
    case 'rotated':
      return append(state, [{ text: 'log rotated — following the new file', kind: 'rotated' }]);
    case 'resumed':
      // Reconnected where we stopped: the lines that follow continue ours.
      return state;
    case 'missed':
      return append(state, [{ text: `some lines were missed — ${typeof f.message === 'string' ? f.message : 'the position is gone'}`, kind: 'missed' }]);
    default:
      return state;
  }
}
