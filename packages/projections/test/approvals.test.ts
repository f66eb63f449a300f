// The `approvals` slice and how approvals reach `agents`: table tests for each transition, and properties over
// generated sequences (request order kept, the first decision stands, the decided ones bounded, JSON round trip).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { APPROVAL_SCHEMAS } from '@switchboard/protocol';
import { decidedApprovals, MAX_DECIDED_APPROVALS, pendingApprovals, reduceApprovals, type Approvals } from '../src/approvals';
import { applyEvents, initialState } from '../src/fleet';
import type { ProjectedEvent } from '../src/state';
import { at, deepFreeze, ev, fold } from './fixtures';

const requested = (id: string, n: number, extra: Record<string, unknown> = {}) =>
  ev('approval.requested', { id, tool: 'Bash', summary: `run ${id}`, requested_at: at(n), expires_at: at(n + 600), ...extra }, n);
const decided = (id: string, decision: string, n: number, extra: Record<string, unknown> = {}) =>
  ev('approval.decided', { id, decision, decided_by: 'alice', decided_at: at(n), ...extra }, n);

describe('approvals slice', () => {
  it('adds a pending approval and decides it once', () => {
    const s = fold(reduceApprovals, {}, [requested('apr_1', 1, { agent_id: 'a1', session_id: 's1' }), decided('apr_1', 'deny', 2, { reason: 'no' })]);
    expect(s.apr_1).toStrictEqual({
      id: 'apr_1', status: 'decided', tool: 'Bash', summary: 'run apr_1', agent_id: 'a1', session_id: 's1',
      requested_at: at(1), expires_at: at(601), decision: 'deny', reason: 'no', decided_by: 'alice', decided_at: at(2),
    });
  });

  it.each<[string, ProjectedEvent[]]>([
    ['a second decision', [requested('apr_1', 1), decided('apr_1', 'deny', 2), decided('apr_1', 'allow', 3)]],
    ['an expiry after a decision', [requested('apr_1', 1), decided('apr_1', 'deny', 2), decided('apr_1', 'expired', 3)]],
    ['a repeated request', [requested('apr_1', 1), decided('apr_1', 'deny', 2), requested('apr_1', 4)]],
  ])('ignores %s: the first decision stands', (_name, events) => {
    const s = fold(reduceApprovals, {}, events);
    expect(s.apr_1).toMatchObject({ status: 'decided', decision: 'deny', decided_at: at(2) });
  });

  it.each<[string, ProjectedEvent]>([
    ['a decision for an unknown id', decided('apr_x', 'allow', 1)],
    ['an unknown decision', decided('apr_1', 'maybe', 1)],
    ['data that is not an object', ev('approval.requested', [1], 1)],
    ['a request without an id', ev('approval.requested', { tool: 'x' }, 1)],
    ['another approval topic', ev('approval.reminded', { id: 'apr_1' }, 1)],
  ])('changes nothing for %s', (_name, e) => {
    const start = fold(reduceApprovals, {}, [requested('apr_1', 0)]);
    expect(reduceApprovals(start, e)).toBe(start);
  });

  it('lists pending in request order and decided most recent first', () => {
    const s = fold(reduceApprovals, {}, [
      requested('apr_b', 1), requested('apr_a', 2), requested('apr_c', 3), requested('apr_d', 4),
      decided('apr_a', 'allow', 5), decided('apr_d', 'expired', 6),
    ]);
    expect(pendingApprovals(s).map((a) => a.id)).toEqual(['apr_b', 'apr_c']);
    expect(decidedApprovals(s).map((a) => a.id)).toEqual(['apr_d', 'apr_a']);
  });

  it(`keeps the ${MAX_DECIDED_APPROVALS} most recently decided and every pending one`, () => {
    const events: ProjectedEvent[] = [requested('apr_keep', 0)];
    for (let i = 0; i < MAX_DECIDED_APPROVALS + 5; i++) events.push(requested(`apr_${i}x`, i + 1), decided(`apr_${i}x`, 'allow', i + 1));
    const s = fold(reduceApprovals, {}, events);
    expect(decidedApprovals(s)).toHaveLength(MAX_DECIDED_APPROVALS);
    expect(s.apr_0x).toBeUndefined();
    expect(s.apr_keep?.status).toBe('pending');
  });

  it('takes ids named like Object.prototype members as plain ids', () => {
    const s = fold(reduceApprovals, {}, [requested('__proto__', 1), requested('constructor', 2), decided('constructor', 'allow', 3)]);
    expect(Object.getPrototypeOf(s)).toBe(Object.prototype);
    expect(pendingApprovals(s).map((a) => a.id)).toEqual(['__proto__']);
    expect(decidedApprovals(s).map((a) => a.id)).toEqual(['constructor']);
  });
});

describe('agents waiting for approvals', () => {
  const started = ev('agent.started', { id: 'a1', session_id: 's1', name: 'coder' }, 0);

  it('an approval for a known agent makes it wait; its decision ends the wait', () => {
    let s = applyEvents(initialState(), [started, requested('apr_1', 1, { agent_id: 'a1' })]);
    expect(s.agents.a1).toMatchObject({ status: 'waiting_permission', approval_id: 'apr_1' });
    s = applyEvents(s, [decided('apr_1', 'deny', 2, { agent_id: 'a1' })]);
    expect(s.agents.a1!.status).toBe('running');
    expect(s.agents.a1).not.toHaveProperty('approval_id');
  });

  it('keeps the approval_id of agent.permission_requested until the agent acts', () => {
    let s = applyEvents(initialState(), [started, ev('agent.permission_requested', { id: 'a1', approval_id: 'apr_9' }, 1)]);
    expect(s.agents.a1).toMatchObject({ status: 'waiting_permission', approval_id: 'apr_9' });
    s = applyEvents(s, [ev('agent.action', { id: 'a1', action: 'go' }, 2)]);
    expect(s.agents.a1!.status).toBe('running');
    expect(s.agents.a1).not.toHaveProperty('approval_id');
  });

  it('a late decision of an older approval does not end the wait for a newer one', () => {
    const s = applyEvents(initialState(), [
      started, requested('apr_1', 1, { agent_id: 'a1' }), requested('apr_2', 2, { agent_id: 'a1' }), decided('apr_1', 'allow', 3, { agent_id: 'a1' }),
    ]);
    expect(s.agents.a1).toMatchObject({ status: 'waiting_permission', approval_id: 'apr_2' });
  });

  it('never creates an agent, nor revives a finished one', () => {
    const s = applyEvents(initialState(), [
      requested('apr_1', 1, { agent_id: 'ghost', session_id: 's1' }),
      started, ev('agent.completed', { id: 'a1' }, 2), requested('apr_2', 3, { agent_id: 'a1' }),
    ]);
    expect(s.agents.ghost).toBeUndefined();
    expect(s.agents.a1!.status).toBe('completed');
  });
});

// ---- properties -------------------------------------------------------------------------------------------------

const RUNS = { seed: 20261207, numRuns: 300 };
const approvalId = fc.constantFrom('apr_a', 'apr_b', 'apr_c', 'apr_d', '__proto__', 'constructor');
const agentId = fc.constantFrom('a1', 'a2');
const n = fc.integer({ min: 0, max: 50 });
const genEvent: fc.Arbitrary<ProjectedEvent> = fc.oneof(
  fc.tuple(approvalId, n, fc.option(agentId, { nil: undefined })).map(([id, t, agent]) => requested(id, t, agent ? { agent_id: agent } : {})),
  fc.tuple(approvalId, fc.constantFrom('allow', 'deny', 'expired'), n, fc.option(agentId, { nil: undefined })).map(([id, d, t, agent]) =>
    decided(id, d, t, agent ? { agent_id: agent } : {})),
  fc.tuple(agentId, n).map(([id, t]) => ev('agent.started', { id, session_id: 's1', name: id }, t)),
  fc.tuple(agentId, n).map(([id, t]) => ev('agent.permission_requested', { id }, t)),
  fc.tuple(agentId, n).map(([id, t]) => ev('agent.action', { id, action: 'x' }, t)),
);
const events = fc.array(genEvent, { maxLength: 40 });

describe('approvals: properties', () => {
  it('generates events the approval schemas accept', () => {
    fc.assert(fc.property(genEvent, (e) => {
      if (e.topic.startsWith('approval.')) expect(APPROVAL_SCHEMAS[e.topic as keyof typeof APPROVAL_SCHEMAS].safeParse(e.data).success).toBe(true);
    }), RUNS);
  });

  it('keeps pending ones in first-request order, and the first decision of each stands', () => {
    fc.assert(fc.property(events, (es) => {
      deepFreeze(es);
      const s: Approvals = applyEvents(initialState(), es).approvals;
      const firstRequest: string[] = [];
      const firstDecision = new Map<string, string>();
      for (const e of es) {
        const d = e.data as { id: string; decision?: string };
        if (e.topic === 'approval.requested' && !firstRequest.includes(d.id)) firstRequest.push(d.id);
        if (e.topic === 'approval.decided' && firstRequest.includes(d.id) && !firstDecision.has(d.id)) firstDecision.set(d.id, d.decision!);
      }
      expect(pendingApprovals(s).map((a) => a.id)).toEqual(firstRequest.filter((id) => !firstDecision.has(id)));
      for (const [id, decision] of firstDecision) expect(Object.hasOwn(s, id) && s[id]!.decision).toBe(decision);
    }), RUNS);
  });

  it('an agent holding an approval_id is always waiting', () => {
    fc.assert(fc.property(events, (es) => {
      const s = applyEvents(initialState(), es);
      for (const agent of Object.values(s.agents)) if (agent.approval_id !== undefined) expect(agent.status).toBe('waiting_permission');
    }), RUNS);
  });

  it('gives a client resuming from a JSON snapshot the same state, without undefined fields', () => {
    fc.assert(fc.property(events, events, (prefix, rest) => {
      const server = applyEvents(initialState(), prefix);
      const client = JSON.parse(JSON.stringify(server));
      const a = JSON.stringify(applyEvents(server, rest));
      expect(JSON.stringify(applyEvents(client, rest))).toBe(a);
      expect(JSON.stringify(JSON.parse(a))).toBe(a);
    }), RUNS);
  });

  it('folds a state saved before the approvals slice existed', () => {
    const { approvals: _gone, ...old } = initialState();
    const s = applyEvents(old as ReturnType<typeof initialState>, [requested('apr_1', 1)]);
    expect(pendingApprovals(s.approvals).map((a) => a.id)).toEqual(['apr_1']);
  });
});
