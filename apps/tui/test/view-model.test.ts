import { initialState } from '@switchboard/projections';
import { describe, expect, it } from 'vitest';
import { appendFeed, feedEntryFor, fleetStats, sessionDetail, sessionRows, totalCost, type FeedEntry } from '../src/view-model';
import { agent, cost, ev, fold, session } from './helpers/events';

describe('fleetStats', () => {
  it('counts nothing in an empty fleet', () => {
    expect(fleetStats(initialState())).toEqual({
      sessions: 0, activeSessions: 0, endedSessions: 0, activeAgents: 0, waitingAgents: 0, swarms: 0, totalCostUsd: 0,
    });
  });

  it('counts active and ended sessions apart', () => {
    const s = fold([session('s1'), session('s2'), session('s3'), ev('session.ended', { id: 's2' }, 5)]);
    expect(fleetStats(s)).toMatchObject({ sessions: 3, activeSessions: 2, endedSessions: 1 });
  });

  it('counts running and waiting agents as active, finished ones not', () => {
    const s = fold([
      session('s1'),
      agent('a1', 's1'),
      agent('a2', 's1'),
      agent('a3', 's1'),
      agent('a4', 's1'),
      ev('agent.permission_requested', { id: 'a2', detail: 'Bash: rm' }),
      ev('agent.completed', { id: 'a3' }),
      ev('agent.failed', { id: 'a4' }),
    ]);
    expect(fleetStats(s)).toMatchObject({ activeAgents: 2, waitingAgents: 1 });
  });

  it('follows an agent that acts again after its permission request', () => {
    const s = fold([session('s1'), agent('a1', 's1'), ev('agent.permission_requested', { id: 'a1' }), ev('agent.action', { id: 'a1', detail: 'go' })]);
    expect(fleetStats(s)).toMatchObject({ activeAgents: 1, waitingAgents: 0 });
  });

  it('counts live swarms only', () => {
    const s = fold([
      ev('swarm.formed', { id: 'w1', agents: ['a1'] }),
      ev('swarm.formed', { id: 'w2', agents: ['a2'] }),
      ev('swarm.dissolved', { id: 'w1' }),
    ]);
    expect(fleetStats(s).swarms).toBe(1);
  });
});

describe('totalCost', () => {
  it("takes the producers' running total", () => {
    expect(fleetStats(fold([cost('s1', 0.5, 10.25), cost('s1', 0.25, 10.5)])).totalCostUsd).toBe(10.5);
  });

  it('falls back to the sum of increments when no total was reported', () => {
    const m = { ...initialState().metrics, cost_usd: 1.5 };
    expect(totalCost(m)).toBe(1.5);
  });
});

describe('sessionRows', () => {
  it('lists active sessions newest first, then ended ones most recently ended first', () => {
    const s = fold([
      session('old', 'old', 1),
      session('new', 'new', 2),
      session('e1', 'e1', 3),
      session('e2', 'e2', 4),
      ev('session.ended', { id: 'e2' }, 5),
      ev('session.ended', { id: 'e1' }, 6),
    ]);
    expect(sessionRows(s).map((r) => [r.id, r.ended])).toEqual([
      ['new', false],
      ['old', false],
      ['e1', true],
      ['e2', true],
    ]);
  });

  it('marks ended sessions for graying and counts each session’s active agents and cost', () => {
    const s = fold([
      session('s1', 'build-api'),
      session('s2', 'fix-tests', 1),
      agent('a1', 's1'),
      agent('a2', 's1'),
      ev('agent.completed', { id: 'a2' }),
      cost('s1', 0.125, 0.125),
      ev('session.ended', { id: 's2' }, 2),
    ]);
    expect(sessionRows(s)).toEqual([
      { id: 's1', name: 'build-api', target: 'claude', ended: false, activeAgents: 1, costUsd: 0.125 },
      { id: 's2', name: 'fix-tests', target: 'claude', ended: true, activeAgents: 0, costUsd: 0 },
    ]);
  });

  it('names a session without a name by its id', () => {
    const s = fold([ev('session.ended', { id: 'ghost' })]);
    expect(sessionRows(s)[0]).toMatchObject({ id: 'ghost', name: 'ghost', ended: true });
  });
});

describe('sessionDetail', () => {
  it('is null when nothing is selected or the session is unknown', () => {
    expect(sessionDetail(initialState(), null)).toBeNull();
    expect(sessionDetail(initialState(), 'nope')).toBeNull();
  });

  it("lists the session's agents, waiting first, with their last activity, its cost and its swarms", () => {
    const s = fold([
      session('s1'),
      session('s2'),
      agent('a1', 's1', 'planner', 1),
      agent('a2', 's1', 'coder', 2),
      agent('a3', 's1', 'tester', 3),
      agent('b1', 's2', 'other'),
      ev('agent.action', { id: 'a1', detail: 'Edit src/app.ts' }),
      ev('agent.permission_requested', { id: 'a2', detail: 'Bash: npm install' }),
      ev('agent.completed', { id: 'a3', detail: 'done' }),
      cost('s1', 0.25, 0.25),
      ev('swarm.formed', { id: 'w1', agents: ['a1', 'b1'] }),
      ev('swarm.formed', { id: 'w2', agents: ['b1'] }),
    ]);
    const d = sessionDetail(s, 's1')!;
    expect(d.session.id).toBe('s1');
    expect(d.agents).toEqual([
      { id: 'a2', name: 'coder', status: 'waiting_permission', activity: 'Bash: npm install' },
      { id: 'a1', name: 'planner', status: 'running', activity: 'Edit src/app.ts' },
      { id: 'a3', name: 'tester', status: 'completed', activity: 'done' },
    ]);
    expect(d.cost).toEqual({ cost_usd: 0.25, tokens_in: 100, tokens_out: 50 });
    expect(d.swarms).toEqual(['w1']);
  });
});

describe('feedEntryFor', () => {
  const base = fold([session('s1', 'build-api'), agent('a1', 's1', 'planner')]);
  const entry = (topic: string, data: Record<string, unknown>) => {
    const e = ev(topic, data);
    return feedEntryFor(e, fold([e], base));
  };

  it.each([
    ['agent.started', { id: 'a9', session_id: 's1', name: 'coder' }, 'info', 'agent coder started (build-api)'],
    ['agent.completed', { id: 'a1', detail: 'tests pass' }, 'success', 'agent planner completed (build-api): tests pass'],
    ['agent.failed', { id: 'a1', detail: 'crashed' }, 'error', 'agent planner failed (build-api): crashed'],
    ['agent.permission_requested', { id: 'a1', detail: 'Bash: rm -rf dist' }, 'warning', 'agent planner requests permission (build-api): Bash: rm -rf dist'],
    ['session.created', { id: 's2', name: 'fix-ci', target: 'codex' }, 'info', 'session fix-ci created'],
    ['session.ended', { id: 's1' }, 'info', 'session build-api ended'],
    ['swarm.formed', { id: 'w1', agents: ['a1', 'a2'], goal: 'ship it' }, 'info', 'swarm w1 formed with 2 agents: ship it'],
    ['swarm.dissolved', { id: 'w1' }, 'info', 'swarm w1 dissolved'],
    ['task.completed', { id: 't1', kind: 'index' }, 'success', 'task index t1 completed'],
    ['task.failed', { id: 't1', kind: 'index', error: 'timeout' }, 'error', 'task index t1 failed: timeout'],
  ] as const)('turns %s into a %s entry', (topic, data, level, text) => {
    expect(entry(topic, data)).toMatchObject({ level, text });
  });

  it('leaves out agent actions, cost updates, task progress and swarm updates', () => {
    expect(entry('agent.action', { id: 'a1', detail: 'Read x' })).toBeNull();
    expect(entry('metrics.cost_updated', { cost_usd: 1, tokens_in: 1, tokens_out: 1, total_cost_usd: 1 })).toBeNull();
    expect(entry('task.progress', { id: 't1', kind: 'index', percent: 50 })).toBeNull();
    expect(entry('swarm.updated', { id: 'w1', agents: [] })).toBeNull();
  });

  it('keys an entry by seq and keeps the event time and the session it is about', () => {
    const e = ev('agent.completed', { id: 'a1' });
    expect(feedEntryFor(e, base)).toMatchObject({ key: `e${e.seq}`, ts: e.ts, sessionId: 's1', icon: '✓' });
  });

  it('cuts long names so the verb stays near the start of the line', () => {
    const s = fold([session('s9', 'x'.repeat(40)), agent('a9', 's9', 'y'.repeat(40))]);
    expect(feedEntryFor(ev('agent.completed', { id: 'a9' }), s)?.text).toBe(`agent ${'y'.repeat(23)}… completed (${'x'.repeat(23)}…)`);
  });

  it('names an agent the state does not know by the event, then by its id', () => {
    expect(feedEntryFor(ev('agent.failed', { id: 'zz', name: 'ghost' }), base)?.text).toBe('agent ghost failed');
    expect(feedEntryFor(ev('agent.failed', { id: 'zz' }), base)?.text).toBe('agent zz failed');
  });
});

describe('appendFeed', () => {
  const e = (n: number): FeedEntry => ({ key: `e${n}`, ts: '', level: 'info', icon: '·', text: String(n) });

  it('appends newest last and keeps at most `limit` entries', () => {
    let feed: FeedEntry[] = [];
    for (let i = 1; i <= 5; i++) feed = appendFeed(feed, e(i), 3);
    expect(feed.map((x) => x.text)).toEqual(['3', '4', '5']);
  });

  it('never mutates the feed it was given', () => {
    const feed = Object.freeze([e(1), e(2)]);
    expect(appendFeed(feed, e(3), 2).map((x) => x.text)).toEqual(['2', '3']);
    expect(feed).toHaveLength(2);
  });
});
