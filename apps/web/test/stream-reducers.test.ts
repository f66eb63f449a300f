// The views' stream reducers, folded over seed frames (docs/control-plane.md, docs/workspaces-and-plans.md): pure, no socket.
import { describe, expect, it } from 'vitest';
import type { StreamFrame } from '@switchboard/react';
import { reduceInstances, type InstancesState } from '../src/views/instances/instances-reducer';
import { reduceLog, type LogState } from '../src/views/instances/log-reducer';
import { reducePlans, type PlansLive } from '../src/views/plans/plans-reducer';
import { reduceMessages } from '../src/views/messages/messages-reducer';

const fold = <S>(reduce: (s: S, f: StreamFrame) => S, initial: S, frames: StreamFrame[]): S => frames.reduce(reduce, initial);
const t = '2026-01-01T00:00:00Z';

describe('instances frames', () => {
  const empty: InstancesState = { instances: {}, include_archived: false, loaded: false };
  const info = (name: string, status = 'stopped') => ({ name, status, pid: null, port: null, archived_at: null, command: 'sleep 1' });

  it('applies a snapshot, then status, creation, archive and deletion deltas', () => {
    const s = fold(reduceInstances, empty, [
      { type: 'snapshot', instances: [info('a'), info('b')], include_archived: false },
      { type: 'status_changed', name: 'a', status: 'running', pid: 42, timestamp: t },
      { type: 'instance_created', name: 'c', port: 9000, status: 'stopped', timestamp: t },
      { type: 'instance_archived', name: 'b', timestamp: t },
      { type: 'instance_deleted', name: 'c', timestamp: t },
    ]);
    expect(s.loaded).toBe(true);
    expect(Object.keys(s.instances)).toEqual(['a']);
    expect(s.instances.a).toMatchObject({ status: 'running', pid: 42, command: 'sleep 1' });
  });

  it('takes the restart bookkeeping from instance_updated and drops a pending restart on a status change', () => {
    const s = fold(reduceInstances, empty, [
      { type: 'snapshot', instances: [info('a', 'crashed')], include_archived: false },
      { type: 'instance_updated', name: 'a', instance: { ...info('a', 'crashed'), restart: 'on-failure', restart_count: 2, next_restart_at: t }, timestamp: t },
    ]);
    expect(s.instances.a).toMatchObject({ restart: 'on-failure', restart_count: 2, next_restart_at: t });
    const started = reduceInstances(s, { type: 'status_changed', name: 'a', status: 'starting', pid: null, timestamp: t });
    expect(started.instances.a).toMatchObject({ status: 'starting', restart_count: 2, next_restart_at: null });
  });

  it('keeps an archived instance, marked, when archived ones are shown', () => {
    const s = fold(reduceInstances, empty, [
      { type: 'snapshot', instances: [info('a')], include_archived: true },
      { type: 'instance_archived', name: 'a', timestamp: t },
    ]);
    expect(s.instances.a!.archived_at).toBe(t);
    const back = reduceInstances(s, { type: 'instance_unarchived', name: 'a', status: 'stopped', port: null, pid: null, timestamp: t });
    expect(back.instances.a!.archived_at).toBeNull();
  });
});

describe('log frames', () => {
  const empty: LogState = { lines: [], nextId: 1, loaded: false, position: null };

  it('replaces on backlog, appends lines, and marks a rotation', () => {
    const s = fold(reduceLog, empty, [
      { type: 'backlog', lines: ['one', 'two'], count: 2 },
      { type: 'lines', lines: ['three'], count: 1 },
      { type: 'rotated' },
      { type: 'lines', lines: ['fresh'], count: 1 },
    ]);
    expect(s.lines.map((l) => `${l.kind}:${l.text}`)).toEqual(['line:one', 'line:two', 'line:three', 'rotated:log rotated — following the new file', 'line:fresh']);
    // A reconnect's backlog replaces everything: no duplicates.
    const again = reduceLog(s, { type: 'backlog', lines: ['two', 'three'], count: 2 });
    expect(again.lines.map((l) => l.text)).toEqual(['two', 'three']);
    expect(new Set(again.lines.map((l) => l.id)).size).toBe(2);
  });

  it('remembers the position of the latest frame, appends after resumed and marks missed lines', () => {
    const s = fold(reduceLog, empty, [
      { type: 'backlog', lines: ['one'], count: 1, file: 'abcd0123-1', offset: 4 },
      { type: 'lines', lines: ['two'], count: 1, file: 'abcd0123-1', offset: 8 },
      { type: 'rotated', file: 'abcd0123-2', offset: 0 },
    ]);
    expect(s.position).toEqual({ file: 'abcd0123-2', offset: 0 });
    const resumed = fold(reduceLog, s, [
      { type: 'resumed', file: 'abcd0123-2', offset: 0 },
      { type: 'lines', lines: ['three'], count: 1, file: 'abcd0123-2', offset: 6 },
    ]);
    expect(resumed.lines.map((l) => l.text)).toEqual(['one', 'two', 'log rotated — following the new file', 'three']);
    expect(resumed.position).toEqual({ file: 'abcd0123-2', offset: 6 });
    const missed = reduceLog(resumed, { type: 'missed', reason: 'rotated_away', message: 'gone' });
    expect(missed.lines.at(-1)).toMatchObject({ kind: 'missed', text: 'some lines were missed — gone' });
  });
});

describe('plan frames', () => {
  it('builds steps from status and output chunks, then ends the plan', () => {
    const s = fold<PlansLive>(reducePlans, {}, [
      { type: 'subscribed', plan_id: 'p' },
      { type: 'step_status', plan_id: 'p', step_index: 0, step_name: 'lint', status: 'running', output: null, error: null, timestamp: t },
      { type: 'step_output', plan_id: 'p', step_index: 0, output: 'line 1\n', timestamp: t },
      { type: 'step_output', plan_id: 'p', step_index: 0, output: 'line 2\n', timestamp: t },
      { type: 'step_status', plan_id: 'p', step_index: 0, step_name: 'lint', status: 'completed', output: 'line 1\nline 2\n', error: null, timestamp: t },
      { type: 'step_status', plan_id: 'p', step_index: 1, step_name: 'ship', status: 'failed', output: '', error: 'exit code 1', timestamp: t },
      { type: 'plan_failed', plan_id: 'p', error: 'step 1 failed', timestamp: t },
    ]);
    expect(s.p!.status).toBe('failed');
    expect(s.p!.error).toBe('step 1 failed');
    expect(s.p!.steps.map((x) => [x.name, x.status, x.output])).toEqual([
      ['lint', 'completed', 'line 1\nline 2\n'],
      ['ship', 'failed', ''],
    ]);
  });

  it('takes the state a subscription is answered with, then continues with the frames after it', () => {
    const step = (i: number, name: string, status: string, output: string) => ({ step_index: i, step_name: name, status, output, error: null, started_at: null, finished_at: null });
    const s = fold<PlansLive>(reducePlans, { p: { status: 'failed', steps: [], error: 'stale', updated: '' } }, [
      { type: 'subscribed', plan_id: 'p' },
      { type: 'plan_state', plan_id: 'p', name: 'x', status: 'running', steps: [step(0, 'lint', 'completed', 'ok\n'), step(1, 'ship', 'running', 'a\n')], error: null, summary: null, timestamp: t },
      { type: 'step_output', plan_id: 'p', step_index: 1, output: 'b\n', timestamp: t },
      { type: 'plan_state', plan_id: 'unknown', name: null, status: null, steps: [], error: null, summary: null, timestamp: t },
    ]);
    expect(s.p).toMatchObject({ status: 'running', error: null });
    expect(s.p!.steps.map((x) => [x.name, x.status, x.output])).toEqual([['lint', 'completed', 'ok\n'], ['ship', 'running', 'a\nb\n']]);
    expect(s.unknown).toBeUndefined();
  });
});

describe('message frames', () => {
  it('starts from the recent events and appends transitions without their type', () => {
    const ev = (id: string, event: string) => ({ message_id: id, event, from: 'a', to: 'b', message_type: 'x', correlation_id: null, detail: null, timestamp: t });
    const s = fold(reduceMessages, { events: [], loaded: false }, [
      { type: 'snapshot', recent_events: [ev('m1', 'sent')] },
      { type: 'message_event', ...ev('m1', 'delivered') },
    ]);
    expect(s.events.map((e) => `${e.message_id}:${e.event}`)).toEqual(['m1:sent', 'm1:delivered']);
    expect(s.events[1]).not.toHaveProperty('type');
  });
});

describe('names and ids that are Object.prototype members', () => {
  it('an instance named constructor is a row like any other', () => {
    const empty: InstancesState = { instances: {}, include_archived: false, loaded: true };
    const s = fold(reduceInstances, empty, [
      { type: 'instance_created', name: 'constructor', status: 'stopped', port: null, timestamp: t },
      { type: 'status_changed', name: 'constructor', status: 'running', pid: 7, timestamp: t },
    ]);
    expect(Object.keys(s.instances)).toEqual(['constructor']);
    expect(Object.getOwnPropertyDescriptor(s.instances, 'constructor')!.value).toMatchObject({ name: 'constructor', status: 'running', pid: 7, port: null });
    // Deleting an instance never seen changes nothing, even when its name is inherited.
    expect(reduceInstances(empty, { type: 'instance_deleted', name: 'toString', timestamp: t })).toBe(empty);
  });

  it.each(['__proto__', 'constructor', 'toString'])('a plan id %s starts a blank plan', (id) => {
    const s = fold(reducePlans, {} as PlansLive, [{ type: 'step_status', plan_id: id, step_index: 0, step_name: 'a', status: 'running', timestamp: t }]);
    expect(Object.getPrototypeOf(s)).toBe(Object.prototype);
    expect(Object.keys(s)).toEqual([id]);
    expect(Object.getOwnPropertyDescriptor(s, id)!.value).toMatchObject({ status: 'running', steps: [{ name: 'a', status: 'running' }] });
  });
});
