// The memory caps of the projections: which finished records go, and that active ones never do.

import { describe, expect, it } from 'vitest';
import { reduceAgents } from '../src/agents';
import {
  MAX_DOCUMENTS, MAX_ENDED_SESSIONS, MAX_FINISHED_AGENTS, MAX_FINISHED_TASKS, MAX_SEARCHES,
} from '../src/constants';
import { reduceDocuments } from '../src/documents';
import { reduceSearches } from '../src/searches';
import { reduceSessions } from '../src/sessions';
import type { ProjectedEvent } from '../src/state';
import { reduceTasks } from '../src/tasks';
import { ev, fold } from './fixtures';

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => i + from);
const endSession = (id: string, n: number) => ev('session.ended', { id }, n);

describe('session eviction', () => {
  it(`keeps at most ${MAX_ENDED_SESSIONS} ended sessions, evicting the one ended first`, () => {
    const out = fold(reduceSessions, {}, range(MAX_ENDED_SESSIONS + 1).map((i) => endSession(`s${i}`, i)));
    expect(Object.keys(out)).toHaveLength(MAX_ENDED_SESSIONS);
    expect(out.s0).toBeUndefined();
    expect(out.s1).toBeDefined();
  });

  it('never evicts active sessions', () => {
    const active = range(MAX_ENDED_SESSIONS + 10).map((i) => ev('session.created', { id: `live${i}`, name: '', target: '' }, 0));
    const ended = range(MAX_ENDED_SESSIONS + 1).map((i) => endSession(`s${i}`, i + 1));
    const out = fold(reduceSessions, {}, [...active, ...ended]);
    expect(Object.values(out).filter((s) => s.status === 'active')).toHaveLength(MAX_ENDED_SESSIONS + 10);
    expect(Object.values(out).filter((s) => s.status === 'ended')).toHaveLength(MAX_ENDED_SESSIONS);
  });

  it('orders by end time, so a long-lived session that just ended stays', () => {
    const events: ProjectedEvent[] = [
      ev('session.created', { id: 'long', name: '', target: '' }, 0),
      ...range(MAX_ENDED_SESSIONS).map((i) => endSession(`s${i}`, i + 1)),
      endSession('long', MAX_ENDED_SESSIONS + 1),
    ];
    const out = fold(reduceSessions, {}, events);
    expect(out.long?.status).toBe('ended');
    expect(out.s0).toBeUndefined();
  });

  it('does not let integer-like ids jump the queue: they are evicted by end time too', () => {
    const events = [...range(MAX_ENDED_SESSIONS).map((i) => endSession(`b${i}`, i)), endSession('7', MAX_ENDED_SESSIONS)];
    const out = fold(reduceSessions, {}, events);
    expect(Object.keys(out)[0]).toBe('7'); // JS puts integer-like keys first...
    expect(out['7']).toBeDefined(); // ...but eviction goes by time, so it survives
    expect(out.b0).toBeUndefined();
  });

  it('breaks end-time ties by key order, integer-like ids ascending, the same on both sides of a JSON snapshot', () => {
    const events = range(MAX_ENDED_SESSIONS + 1).map((i) => endSession(String(MAX_ENDED_SESSIONS - i), 0));
    const out = fold(reduceSessions, {}, events);
    // Ids inserted 500, 499, …, 0 all end at one instant: integer-like keys are ordered ascending, so "0", inserted
    // last, is first in key order and is the one evicted. Surprising, but the same on server and client.
    expect(out['0']).toBeUndefined();
    expect(out['1']).toBeDefined();
    expect(out['500']).toBeDefined();
    expect(Object.keys(out)).toHaveLength(MAX_ENDED_SESSIONS);
    const half = fold(reduceSessions, {}, events.slice(0, 300));
    const resumed = fold(reduceSessions, JSON.parse(JSON.stringify(half)), events.slice(300));
    expect(resumed).toStrictEqual(out);
  });
});

describe('agent eviction', () => {
  it(`keeps at most ${MAX_FINISHED_AGENTS} finished agents and every running one`, () => {
    const running = range(20).map((i) => ev('agent.started', { id: `r${i}`, session_id: 's', name: '' }, 0));
    const finished = range(MAX_FINISHED_AGENTS + 1).map((i) =>
      ev(i % 2 ? 'agent.completed' : 'agent.failed', { id: `a${i}`, session_id: 's' }, i + 1));
    const out = fold(reduceAgents, {}, [...running, ...finished]);
    expect(Object.keys(out)).toHaveLength(MAX_FINISHED_AGENTS + 20);
    expect(out.a0).toBeUndefined();
    expect(out.r0?.status).toBe('running');
  });

  it('counts waiting agents as active', () => {
    const waiting = ev('agent.permission_requested', { id: 'w', session_id: 's' }, 0);
    const finished = range(MAX_FINISHED_AGENTS + 1).map((i) => ev('agent.completed', { id: `a${i}`, session_id: 's' }, i + 1));
    expect(fold(reduceAgents, {}, [waiting, ...finished]).w?.status).toBe('waiting_permission');
  });
});

describe('task eviction', () => {
  it(`keeps at most ${MAX_FINISHED_TASKS} finished tasks and every running one`, () => {
    const running = ev('task.started', { id: 'live', kind: 'k', percent: 1 }, 0);
    const finished = range(MAX_FINISHED_TASKS + 1).map((i) => ev(i % 2 ? 'task.completed' : 'task.failed', { id: `t${i}` }, i + 1));
    const out = fold(reduceTasks, {}, [running, ...finished]);
    expect(Object.keys(out)).toHaveLength(MAX_FINISHED_TASKS + 1);
    expect(out.t0).toBeUndefined();
    expect(out.live?.status).toBe('running');
  });
});

describe('document and search eviction', () => {
  it(`keeps the ${MAX_DOCUMENTS} documents indexed most recently`, () => {
    const first = range(MAX_DOCUMENTS).map((i) => ev('document.indexed', { id: `d${i}`, name: '' }, i));
    const reindexed = ev('document.indexed', { id: 'd0', name: 'again' }, MAX_DOCUMENTS);
    const out = fold(reduceDocuments, {}, [...first, reindexed, ev('document.indexed', { id: 'new', name: '' }, MAX_DOCUMENTS + 1)]);
    expect(Object.keys(out)).toHaveLength(MAX_DOCUMENTS);
    expect(out.d0?.name).toBe('again');
    expect(out.d1).toBeUndefined();
  });

  it(`keeps the ${MAX_SEARCHES} searches completed most recently`, () => {
    const out = fold(reduceSearches, {}, range(MAX_SEARCHES + 2).map((i) => ev('search.completed', { id: `q${i}`, query: '', results: 0 }, i)));
    expect(Object.keys(out)).toHaveLength(MAX_SEARCHES);
    expect(out.q0).toBeUndefined();
    expect(out.q1).toBeUndefined();
    expect(out.q2).toBeDefined();
  });
});
