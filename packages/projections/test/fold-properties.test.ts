// Property tests: folding any sequence of catalogue events (plus some noise) never throws, never mutates what it
// is given, is deterministic, and gives a client that resumes from a JSON snapshot exactly the server's state.

import { checkEventData, type CatalogueTopic } from '@switchboard/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEvents, initialState } from '../src/fleet';
import type { ProjectedEvent } from '../src/state';
import { at, deepFreeze } from './fixtures';

// A fixed seed keeps the suite deterministic; change it locally to explore more.
const RUNS = { seed: 20261122, numRuns: 250 };

// Few ids, so events collide on the same records; some look like integers or Object.prototype members.
const id = fc.constantFrom('a', 'b', 'c', '1', '2', '10', 'constructor', '__proto__');
const str = fc.string({ maxLength: 6 });
const cents = fc.integer({ min: 0, max: 100_000 }).map((c) => c / 100);
const detail = fc.oneof(str, fc.record({ step: str, n: fc.integer() }, { noNullPrototype: true }));
const record = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }, requiredKeys?: Array<keyof T>) =>
  fc.record(model, { requiredKeys, noNullPrototype: true } as never) as fc.Arbitrary<Partial<T>>;

const session = { id, name: str, target: str, workspace_id: str, instance: str };
const agent = { id, session_id: id, name: str, detail, action: str };
const swarm = { id, agents: fc.array(id, { maxLength: 4 }), goal: str };
const task = { id, kind: str, percent: fc.integer({ min: 0, max: 100 }), message: str, error: str };

/** Valid data for every catalogue topic; typed so a topic added to the catalogue must get a generator here. */
const DATA: { [T in CatalogueTopic]: fc.Arbitrary<unknown> } = {
  'session.created': record(session, ['id', 'name', 'target']),
  'session.updated': record(session, ['id']),
  'session.ended': record(session, ['id']),
  'agent.started': record(agent, ['id', 'session_id', 'name']),
  'agent.action': record(agent, ['id']),
  'agent.completed': record(agent, ['id']),
  'agent.failed': record(agent, ['id']),
  'agent.permission_requested': record(agent, ['id']),
  'swarm.formed': record(swarm, ['id', 'agents']),
  'swarm.updated': record(swarm, ['id']),
  'swarm.dissolved': record(swarm, ['id']),
  'metrics.cost_updated': record(
    { session_id: id, agent_id: id, cost_usd: cents, tokens_in: fc.nat(10_000), tokens_out: fc.nat(10_000), total_cost_usd: cents },
    ['cost_usd', 'tokens_in', 'tokens_out', 'total_cost_usd'],
  ),
  'task.started': record(task, ['id', 'kind', 'percent']),
  'task.progress': record(task, ['id', 'kind', 'percent']),
  'task.completed': record(task, ['id']),
  'task.failed': record(task, ['id']),
  'document.indexed': record({ id, name: str }),
  'search.completed': record({ id, query: str, results: fc.nat(50) }),
};

const ts = fc.integer({ min: 0, max: 30 }).map(at);
const catalogueEvent: fc.Arbitrary<ProjectedEvent> = fc.oneof(
  ...Object.entries(DATA).map(([topic, data]) => fc.record({ topic: fc.constant(topic), data, ts }, { noNullPrototype: true })),
);
// Unknown topics of known families, custom families and malformed data: all must be ignored without harm.
const noise: fc.Arbitrary<ProjectedEvent> = fc.record({
  topic: fc.constantFrom('agent.paused', 'task.cancelled', 'custom.thing', 'heartbeat', 'constructor.x', 'session.ended'),
  data: fc.oneof(fc.constant(null), fc.integer(), str, fc.array(fc.integer(), { maxLength: 2 }), record({ id: fc.integer() })),
  ts,
}, { noNullPrototype: true });
const event = fc.oneof({ arbitrary: catalogueEvent, weight: 9 }, { arbitrary: noise, weight: 1 });
const events = fc.array(event, { maxLength: 40 });

/** Paths of `undefined` values: JSON would drop them, so a client's state would differ from the server's. */
function undefinedPaths(value: unknown, path = 'state'): string[] {
  if (value === undefined) return [path];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => undefinedPaths(v, `${path}.${k}`));
}

describe('folding generated events', () => {
  it('generates only datthe catalogue accepts', () => {
    fc.assert(fc.property(catalogueEvent, (e) => {
      expect(checkEventData(e.topic, e.data)).toStrictEqual({ ok: true });
    }), RUNS);
  });

  it('never throws, never mutates a frozen state or frozen events, and is deterministic', () => {
    fc.assert(fc.property(events, events, (prefix, rest) => {
      const start = deepFreeze(applyEvents(initialState(), deepFreeze(prefix)));
      deepFreeze(rest);
      const before = JSON.stringify(start);
      const once = applyEvents(start, rest);
      const twice = applyEvents(start, rest);
      expect(JSON.stringify(start)).toBe(before);
      // JSON text compares key order too, which eviction ties depend on.
      expect(JSON.stringify(twice)).toBe(JSON.stringify(once));
      expect(undefinedPaths(once)).toStrictEqual([]);
    }), RUNS);
  });

  it('gives a client resuming from a JSON snapshot the same state as the server', () => {
    fc.assert(fc.property(events, events, (prefix, rest) => {
      const server = applyEvents(initialState(), prefix);
      const client = JSON.parse(JSON.stringify(server));
      expect(JSON.stringify(applyEvents(client, rest))).toBe(JSON.stringify(applyEvents(server, rest)));
    }), RUNS);
  });

  it('returns the very same state for events of families without a projection', () => {
    fc.assert(fc.property(events, fc.array(fc.record({ topic: fc.constantFrom('custom.a', 'deploy.done', 'x'), data: fc.anything(), ts }), { maxLength: 10 }), (prefix, custom) => {
      const state = applyEvents(initialState(), prefix);
      expect(applyEvents(state, custom)).toBe(state);
    }), RUNS);
  });
});
