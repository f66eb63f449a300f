// REST of plans (docs/workspaces-and-plans.md): create, run, cancel, read, the polling fallback with `X-Poll-Interval: 2`, and
// the seed's direct message to one session's plan-stream connections.

import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SwitchboardError } from '@switchboard/protocol';
import type { PlanView } from '@switchboard/projections';
import type { App } from '../app';
import { fieldError, objectBody, optionalString, requiredString, type Body } from '../http/body-fields';
import type { PlanInput, PlanRunner } from '../plans/plan-runner';
import type { PlanSubscriptions } from '../streams/plans';

/** Seconds a polling client should wait between polls (the plan-stream contract). */
export const PLAN_POLL_INTERVAL_SECONDS = 2;
/** Most steps one plan may have. @default 100 */
const MAX_PLAN_STEPS = 100;

export function registerPlansApi(app: App, runner: PlanRunner, subs: PlanSubscriptions): void {
  const { router } = app;
  const find = (id: string): PlanView => {
    const plan = runner.get(id);
    if (!plan) throw new SwitchboardError('plan_not_found', `no plan ${id}`);
    return plan;
  };

  router.post('/api/plans', async (req) => {
    const input = await parsePlanInput(objectBody(await req.body()));
    return { status: 201, body: await runner.create(input) };
  });

  router.get('/api/plans', () => ({ body: runner.all() }));
  router.get('/api/plans/:id', (req) => ({ body: find(req.params.id!) }));
  // Cluster mode (docs/architecture.md "Cluster mode"): a plan runs on the node that created it, so run and cancel
  // are forwarded there through Redis; that node serialises them, so two runs sent to two nodes start it once.
  const { cluster } = app;
  const runLocal = async (action: 'run' | 'cancel', id: string): Promise<PlanView> => (action === 'run' ? runner.run(id) : runner.cancel(id));
  cluster?.handle('plan', (payload) => {
    const { action, id } = payload as { action: 'run' | 'cancel'; id: string };
    return runLocal(action === 'run' ? 'run' : 'cancel', id);
  });
  const act = async (action: 'run' | 'cancel', id: string): Promise<{ body: unknown }> => {
    const owner = find(id).node_id;
    if (cluster && owner !== undefined && owner !== cluster.nodeId) {
      return { body: await cluster.request(owner, 'plan', { action, id }, app.config.stopGraceMs * 2 + 10_000) };
    }
    return { body: await runLocal(action, id) };
  };
  router.post('/api/plans/:id/run', (req) => act('run', req.params.id!));
  router.post('/api/plans/:id/cancel', (req) => act('cancel', req.params.id!));

  router.get('/api/dashboard/plan/:id/poll', (req) => {
    const plan = find(req.params.id!);
    return {
      headers: { 'X-Poll-Interval': String(PLAN_POLL_INTERVAL_SECONDS) },
      body: {
        steps: plan.steps.map((s, i) => ({
          step_index: i,
          step_name: s.name,
          status: s.status,
          output: s.output,
          error: s.error,
          started_at: s.started_at,
          finished_at: s.finished_at,
        })),
        overall_status: plan.status,
        last_update: plan.updated_at,
      },
    };
  });

  // The plan-stream contract's send_to_session: a direct frame to the connections of one `/ws/{session_id}`.
  router.post('/api/dashboard/sessions/:session_id/send', async (req) => {
    const frame = objectBody(await req.body());
    requiredString(frame, 'type', { max: 100 });
    return { body: { session_id: req.params.session_id, delivered: subs.sendToSession(req.params.session_id!, frame) } };
  });
}

async function parsePlanInput(body: Body): Promise<PlanInput> {
  const name = requiredString(body, 'name', { max: 200 });
  const steps = body.steps;
  if (!Array.isArray(steps) || steps.length === 0) throw fieldError('steps', 'must be a non-empty array of {name, command}');
  if (steps.length > MAX_PLAN_STEPS) throw fieldError('steps', `must have at most ${MAX_PLAN_STEPS} steps`);
  const parsed = steps.map((raw, i) => {
    const field = `steps[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fieldError(field, 'must be an object {name, command}');
    const step = raw as Body;
    return {
      name: requiredString(step, 'name', { max: 200 }, `${field}.name`),
      command: requiredString(step, 'command', { max: 64 * 1024 }, `${field}.command`),
    };
  });
  const cwdText = optionalString(body, 'cwd', { max: 4096 });
  let cwd: string | undefined;
  if (cwdText !== undefined) {
    cwd = resolve(cwdText);
    const st = await stat(cwd).catch(() => null);
    if (!st?.isDirectory()) throw fieldError('cwd', `${cwd} is not an existing directory`);
  }
  return { name, steps: parsed, cwd };
}
