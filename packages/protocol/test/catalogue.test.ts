// The topic catalogue check (docs/protocol.md#events): valid data of every topic passes, and a wrong field is named as data.<field>.

import { describe, expect, it } from 'vitest';
import { CATALOGUE, CATALOGUE_FAMILIES, SERVER_FAMILIES, catalogueSchema, checkEventData, type CatalogueTopic } from '../src/catalogue';

/** Valid data of every catalogue topic: the smallest shape and a full one. Typed to cover every topic. */
const VALID: { [T in CatalogueTopic]: unknown[] } = {
  'session.created': [
    { id: 's1', name: 'refactor', target: 'api' },
    { id: 's1', name: '', target: '', workspace_id: 'w1', instance: 'worker-1', extra: { kept: true } },
  ],
  'session.updated': [{ id: 's1' }, { id: 's1', name: 'renamed', workspace_id: 'w2' }],
  'session.ended': [{ id: 's1' }, { id: 's1', name: 'n', target: 't', instance: 'i' }],
  'agent.started': [{ id: 'a1', session_id: 's1', name: 'planner' }, { id: 'a1', session_id: 's1', name: 'p', detail: { model: 'x' } }],
  'agent.action': [{ id: 'a1' }, { id: 'a1', action: 'read_file', detail: 'api.ts' }],
  'agent.completed': [{ id: 'a1' }, { id: 'a1', session_id: 's1', detail: null }],
  'agent.failed': [{ id: 'a1' }, { id: 'a1', detail: { error: 'boom' } }],
  'agent.permission_requested': [{ id: 'a1' }, { id: 'a1', detail: 'rm -rf build' }],
  'swarm.formed': [{ id: 'w1', agents: [] }, { id: 'w1', agents: ['a1', 'a2'], goal: 'ship' }],
  'swarm.updated': [{ id: 'w1' }, { id: 'w1', agents: ['a3'], goal: 'test' }],
  'swarm.dissolved': [{ id: 'w1' }],
  'metrics.cost_updated': [
    { cost_usd: 0, tokens_in: 0, tokens_out: 0, total_cost_usd: 0 },
    { session_id: 's1', agent_id: 'a1', cost_usd: 0.25, tokens_in: 100, tokens_out: 20, total_cost_usd: 10.5 },
  ],
  'task.started': [{ id: 't1', kind: 'index', percent: 0 }, { id: 't1', kind: 'index', percent: 0, message: 'queued' }],
  'task.progress': [{ id: 't1', kind: 'index', percent: 100 }, { id: 't1', kind: 'index', percent: 42.5, message: 'parsing' }],
  'task.completed': [{ id: 't1' }, { id: 't1', kind: 'index', percent: 100, message: 'done' }],
  'task.failed': [{ id: 't1' }, { id: 't1', kind: 'index', percent: 40, error: 'disk full' }],
  'document.indexed': [{ id: 'd1', name: 'README.md' }],
  'search.completed': [{ id: 'q1', query: 'backoff', results: 0 }, { id: 'q1', query: '', results: 12 }],
};

const validRows = Object.entries(VALID).flatMap(([topic, list]) => list.map((data) => [topic, data] as const));

/** Data that breaks exactly one field, and the field the check must name. */
const INVALID: Array<[topic: string, data: unknown, field: string]> = [
  ['session.created', { name: 'n', target: 't' }, 'data.id'],
  ['session.created', { id: '', name: 'n', target: 't' }, 'data.id'],
  ['session.created', { id: 's1', target: 't' }, 'data.name'],
  ['session.created', { id: 's1', name: 'n' }, 'data.target'],
  ['session.created', { id: 's1', name: 'n', target: 't', workspace_id: 7 }, 'data.workspace_id'],
  ['session.updated', { name: 'n' }, 'data.id'],
  ['session.updated', { id: 's1', instance: false }, 'data.instance'],
  ['session.ended', { id: 42 }, 'data.id'],
  ['agent.started', { id: 'a1', name: 'p' }, 'data.session_id'],
  ['agent.started', { id: 'a1', session_id: 's1' }, 'data.name'],
  ['agent.action', { session_id: 's1' }, 'data.id'],
  ['agent.completed', { id: 'a1', session_id: 3 }, 'data.session_id'],
  ['agent.failed', { id: 'a1', name: [] }, 'data.name'],
  ['agent.permission_requested', {}, 'data.id'],
  ['swarm.formed', { id: 'w1' }, 'data.agents'],
  ['swarm.formed', { id: 'w1', agents: 'a1' }, 'data.agents'],
  ['swarm.formed', { id: 'w1', agents: ['a1', 2] }, 'data.agents.1'],
  ['swarm.formed', { id: 'w1', agents: [], goal: 1 }, 'data.goal'],
  ['swarm.updated', { agents: [] }, 'data.id'],
  ['swarm.dissolved', { id: null }, 'data.id'],
  ['metrics.cost_updated', { tokens_in: 0, tokens_out: 0, total_cost_usd: 0 }, 'data.cost_usd'],
  ['metrics.cost_updated', { cost_usd: -1, tokens_in: 0, tokens_out: 0, total_cost_usd: 0 }, 'data.cost_usd'],
  ['metrics.cost_updated', { cost_usd: 0, tokens_in: '5', tokens_out: 0, total_cost_usd: 0 }, 'data.tokens_in'],
  ['metrics.cost_updated', { cost_usd: 0, tokens_in: 0, tokens_out: Number.POSITIVE_INFINITY, total_cost_usd: 0 }, 'data.tokens_out'],
  ['metrics.cost_updated', { cost_usd: 0, tokens_in: 0, tokens_out: 0 }, 'data.total_cost_usd'],
  ['metrics.cost_updated', { session_id: 1, cost_usd: 0, tokens_in: 0, tokens_out: 0, total_cost_usd: 0 }, 'data.session_id'],
  ['metrics.cost_updated', { agent_id: {}, cost_usd: 0, tokens_in: 0, tokens_out: 0, total_cost_usd: 0 }, 'data.agent_id'],
  ['task.started', { id: 't1', percent: 0 }, 'data.kind'],
  ['task.started', { id: 't1', kind: 'k' }, 'data.percent'],
  ['task.progress', { id: 't1', kind: 'k', percent: 150 }, 'data.percent'],
  ['task.progress', { id: 't1', kind: 'k', percent: -1 }, 'data.percent'],
  ['task.progress', { id: 't1', kind: 'k', percent: Number.NaN }, 'data.percent'],
  ['task.progress', { id: 't1', kind: 'k', percent: 5, message: 5 }, 'data.message'],
  ['task.completed', { id: 't1', percent: 101 }, 'data.percent'],
  ['task.failed', { id: 't1', error: { message: 'x' } }, 'data.error'],
  ['task.failed', { error: 'x' }, 'data.id'],
  ['document.indexed', { id: 'd1' }, 'data.name'],
  ['document.indexed', { name: 'README.md' }, 'data.id'],
  ['search.completed', { id: 'q1', results: 1 }, 'data.query'],
  ['search.completed', { id: 'q1', query: 'x', results: 1.5 }, 'data.results'],
  ['search.completed', { id: 'q1', query: 'x', results: -1 }, 'data.results'],
  ['search.completed', { id: 'q1', query: 'x' }, 'data.results'],
];

describe('checkEventData', () => {
  it('has a valid example for every catalogue topic', () => {
    expect(Object.keys(VALID).sort()).toStrictEqual(Object.keys(CATALOGUE).sort());
  });

  it.each(validRows)('accepts valid %s data %j', (topic, data) => {
    expect(checkEventData(topic, data)).toStrictEqual({ ok: true });
  });

  it.each(INVALID)('rejects %s %j naming %s', (topic, data, field) => {
    const result = checkEventData(topic, data);
    expect(result).toMatchObject({ ok: false, field });
    if (!result.ok) expect(result.message.startsWith(`${field}: `)).toBe(true);
  });

  it.each(Object.keys(CATALOGUE).flatMap((topic) => [null, 'text', 7, [], [{ id: 'x' }]].map((data) => [topic, data] as const)))(
    'rejects %s with data %j that is not an object, naming data',
    (topic, data) => {
      expect(checkEventData(topic, data)).toMatchObject({ ok: false, field: 'data' });
    },
  );

  it.each([
    ['custom.thing', null],
    ['custom.thing', 'text'],
    ['deploy', [1, 2]],
    ['deploy.finished', { anything: true }],
    ['x.y.z', undefined],
  ])('accepts any data for %s, a family outside the catalogue', (topic, data) => {
    expect(checkEventData(topic, data)).toStrictEqual({ ok: true });
  });

  it.each([...CATALOGUE_FAMILIES].map((family) => `${family}.not_in_catalogue`))(
    'accepts an object for %s, a new topic of a catalogue family',
    (topic) => {
      expect(checkEventData(topic, { any: 'shape' })).toStrictEqual({ ok: true });
    },
  );

  it.each([...CATALOGUE_FAMILIES].flatMap((family) => [null, 'text', 3, []].map((data) => [`${family}.not_in_catalogue`, data] as const)))(
    'rejects %s with non-object data %j, naming data',
    (topic, data) => {
      expect(checkEventData(topic, data)).toMatchObject({ ok: false, field: 'data' });
    },
  );

  it('knows every family of the catalogue, and the server-written ones among them', () => {
    const families = new Set(Object.keys(CATALOGUE).map((t) => t.split('.')[0]!));
    for (const f of families) expect(CATALOGUE_FAMILIES.has(f)).toBe(true);
    for (const f of SERVER_FAMILIES) expect(CATALOGUE_FAMILIES.has(f)).toBe(true);
    for (const f of families) expect(SERVER_FAMILIES.has(f)).toBe(false);
  });

  // Object.prototype members must never be found as catalogue schemas (they once answered 500).
  const PROTOTYPE_NAMES = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__'];

  it.each(PROTOTYPE_NAMES)('has no schema for %s, an Object.prototype member', (name) => {
    expect(catalogueSchema(name)).toBeUndefined();
    expect(catalogueSchema(`${name}.x`)).toBeUndefined();
  });

  it.each(PROTOTYPE_NAMES.flatMap((name) => [name, `${name}.x`, `x.${name}`].flatMap((topic) => [{}, null, 'text', [1]].map((data) => [topic, data] as const))))(
    'accepts %s with data %j as a custom topic',
    (topic, data) => {
      expect(checkEventData(topic, data)).toStrictEqual({ ok: true });
    },
  );

  it.each(PROTOTYPE_NAMES)('treats agent.%s as a new topic of a catalogue family', (name) => {
    expect(checkEventData(`agent.${name}`, { any: 1 })).toStrictEqual({ ok: true });
    expect(checkEventData(`agent.${name}`, 'text')).toMatchObject({ ok: false, field: 'data' });
  });

  it('still finds the real schemas', () => {
    expect(catalogueSchema('agent.started')).toBe(CATALOGUE['agent.started']);
  });
});
