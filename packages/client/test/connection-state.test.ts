import { describe, expect, it } from 'vitest';
import {
  CONNECTION_STATUSES,
  ConnectionState,
  TRANSITIONS,
  canTransition,
  statusLabel,
  type ConnectionStatus,
  type StateChange,
} from '../src/connection-state';

// The table of STYLE.md "State machines", written out independently of the implementation.
const ALLOWED: Array<[ConnectionStatus, ConnectionStatus]> = [
  ['closed', 'connecting'],
  ['connecting', 'open'],
  ['connecting', 'reconnecting'],
  ['connecting', 'polling'],
  ['connecting', 'closed'],
  ['open', 'reconnecting'],
  ['open', 'closed'],
  ['reconnecting', 'open'],
  ['reconnecting', 'polling'],
  ['reconnecting', 'closed'],
  ['polling', 'open'],
  ['polling', 'closed'],
];
const isAllowed = (from: ConnectionStatus, to: ConnectionStatus) => ALLOWED.some(([f, t]) => f === from && t === to);
const ALL_PAIRS = CONNECTION_STATUSES.flatMap((from) => CONNECTION_STATUSES.map((to) => [from, to] as const));

describe('connection state transition table', () => {
  it('lists exactly the moves of the spec, no more', () => {
    const fromTable = Object.entries(TRANSITIONS).flatMap(([from, tos]) => tos.map((to) => `${from}→${to}`)).sort();
    expect(fromTable).toEqual(ALLOWED.map(([f, t]) => `${f}→${t}`).sort());
  });

  it.each(ALL_PAIRS.filter(([f, t]) => isAllowed(f, t)))('allows %s → %s and reports it', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    const seen: StateChange[] = [];
    const machine = new ConnectionState((c) => seen.push(c), from);
    machine.transition(to, { code: 'client_closed' });
    expect(machine.status).toBe(to);
    expect(seen).toEqual([{ from, to, reason: { code: 'client_closed' } }]);
  });

  it.each(ALL_PAIRS.filter(([f, t]) => !isAllowed(f, t)))('refuses %s → %s without changing state', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    const seen: StateChange[] = [];
    const machine = new ConnectionState((c) => seen.push(c), from);
    expect(() => machine.transition(to, { code: 'connect_requested' })).toThrow(/refused state move/);
    expect(machine.status).toBe(from);
    expect(seen).toEqual([]);
  });

  it('can reach closed from every state', () => {
    for (const s of CONNECTION_STATUSES) if (s !== 'closed') expect(canTransition(s, 'closed')).toBe(true);
  });

  it('starts closed by default', () => {
    expect(new ConnectionState(() => {}).status).toBe('closed');
  });

  it('labels polling with the sentence the dashboards show', () => {
    expect(statusLabel('polling')).toBe('Live updates unavailable — polling');
    expect(statusLabel('closed')).toBe('Offline');
    expect(statusLabel('open')).toBe('Live');
    for (const s of CONNECTION_STATUSES) expect(statusLabel(s)).toMatch(/\S/);
  });
});
