import { describe, expect, it } from 'vitest';
import type { OpaqueView, ProjectedEvent } from '../src/state';
import { MAX_FINISHED_PLANS, MAX_PLAN_STEP_OUTPUT_CHARS, reducePlans, type PlanView } from '../src/plans';
import { applyEvents, initialState } from '../src/fleet';

const T0 = Date.UTC(2026, 10, 22);
const at = (n: number) => new Date(T0 + n * 1000).toISOString();
const ev = (topic: string, data: unknown, n = 0): ProjectedEvent => ({ topic, data, ts: at(n) });
const fold = (events: ProjectedEvent[], initial: Record<string, OpaqueView> = {}) => events.reduce(reducePlans, initial);
const plan = (slice: Record<string, OpaqueView>, id = 'p1') => slice[id] as unknown as PlanView;

const created = ev('plan.created', { plan_id: 'p1', name: 'deploy', steps: [{ name: 'build', command: 'make' }, { name: 'test', command: 'make test' }] }, 0);
const status = (i: number, s: string, n: number, extra: Record<string, unknown> = {}) =>
  ev('plan.step_status', { plan_id: 'p1', step_index: i, step_name: ['build', 'test'][i], status: s, output: null, error: null, ...extra }, n);
const output = (i: number, text: string, n: number) => ev('plan.step_output', { plan_id: 'p1', step_index: i, output: text }, n);

describe('reducePlans', () => {
  it('plan.created makes a pending plan of pending steps', () => {
    expect(plan(fold([created]))).toEqual({
      id: 'p1',
      name: 'deploy',
      status: 'pending',
      steps: [
        { name: 'build', command: 'make', status: 'pending', output: '', error: null, started_at: null, finished_at: null },
        { name: 'test', command: 'make test', status: 'pending', output: '', error: null, started_at: null, finished_at: null },
      ],
      cwd: null,
      created_at: at(0),
      started_at: null,
      finished_at: null,
      updated_at: at(0),
      error: null,
      summary: null,
    });
  });

  it('folds a successful run: running starts the plan, output chunks append, completed ends it', () => {
    const p = plan(fold([
      created,
      status(0, 'running', 1),
      output(0, 'compil', 2),
      output(0, 'ing\n', 2),
      status(0, 'completed', 3, { output: 'compiling\n' }),
      status(1, 'running', 3),
      output(1, 'ok\n', 4),
      status(1, 'completed', 5, { output: 'ok\n' }),
      ev('plan.completed', { plan_id: 'p1', summary: { total_steps: 2 } }, 5),
    ]));
    expect(p).toMatchObject({ status: 'completed', started_at: at(1), finished_at: at(5), updated_at: at(5), summary: { total_steps: 2 }, error: null });
    expect(p.steps.map((s) => [s.status, s.output, s.started_at, s.finished_at])).toEqual([
      ['completed', 'compiling\n', at(1), at(3)],
      ['completed', 'ok\n', at(3), at(5)],
    ]);
  });

  it('folds a failure: the step keeps its error, the rest skipped, the plan failed with the error', () => {
    const p = plan(fold([
      created,
      status(0, 'running', 1),
      status(0, 'failed', 2, { error: 'exit code 2', output: 'boom\n' }),
      status(1, 'skipped', 2),
      ev('plan.failed', { plan_id: 'p1', error: 'step 0 failed', status: 'failed' }, 2),
    ]));
    expect(p.status).toBe('failed');
    expect(p.error).toBe('step 0 failed');
    expect(p.steps.map((s) => [s.status, s.error, s.output])).toEqual([['failed', 'exit code 2', 'boom\n'], ['skipped', null, '']]);
  });

  it('plan.failed with status cancelled cancels the plan', () => {
    const p = plan(fold([created, ev('plan.failed', { plan_id: 'p1', error: 'cancelled by request', status: 'cancelled' }, 1)]));
    expect(p).toMatchObject({ status: 'cancelled', error: 'cancelled by request', finished_at: at(1) });
  });

  it('ignores unknown plans, bad step indexes and unknown statuses without changing the slice', () => {
    const s = fold([created]);
    for (const e of [
      ev('plan.step_status', { plan_id: 'nope', step_index: 0, status: 'running' }),
      ev('plan.step_status', { plan_id: 'p1', step_index: 5, status: 'running' }),
      ev('plan.step_status', { plan_id: 'p1', step_index: 0, status: 'exploded' }),
      ev('plan.step_output', { plan_id: 'p1', step_index: -1, output: 'x' }),
      ev('plan.step_output', { plan_id: 'p1', step_index: 0, output: '' }),
      ev('plan.completed', { plan_id: 'nope' }),
      ev('plan.created', { name: 'no id' }),
    ]) {
      expect(reducePlans(s, e)).toBe(s);
    }
  });

  it('keeps only the tail of a step output', () => {
    const big = 'x'.repeat(MAX_PLAN_STEP_OUTPUT_CHARS);
    const p = plan(fold([created, status(0, 'running', 1), output(0, big, 2), output(0, 'END', 3)]));
    expect(p.steps[0]!.output.length).toBe(MAX_PLAN_STEP_OUTPUT_CHARS);
    expect(p.steps[0]!.output.endsWith('xEND')).toBe(true);
  });

  it('evicts the plans finished longest ago beyond the cap, never a running one', () => {
    const events: ProjectedEvent[] = [ev('plan.created', { plan_id: 'live', name: 'l', steps: [{ name: 's', command: 'c' }] }, 0)];
    for (let i = 0; i <= MAX_FINISHED_PLANS; i++) {
      events.push(ev('plan.created', { plan_id: `p${i}`, name: 'n', steps: [] }, i));
      events.push(ev('plan.completed', { plan_id: `p${i}`, summary: {} }, i + 1));
    }
    const s = fold(events);
    expect(Object.keys(s)).toHaveLength(MAX_FINISHED_PLANS + 1);
    expect(s).not.toHaveProperty('p0');
    expect(s).toHaveProperty('live');
    expect(s).toHaveProperty(`p${MAX_FINISHED_PLANS}`);
  });

  it('is wired into the fleet state under `plans`', () => {
    expect(applyEvents(initialState(), [created]).plans.p1).toMatchObject({ id: 'p1', status: 'pending' });
  });
});
