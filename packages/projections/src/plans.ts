// The `plans` slice (docs/workspaces-and-plans.md): plans of ordered shell steps, their statuses and captured output, folded
// from `plan.created` / `plan.step_status` / `plan.step_output` / `plan.completed` / `plan.failed`.

import type { OpaqueView, ProjectedEvent } from './state';

/** Step status vocabulary (docs/workspaces-and-plans.md); `skipped` follows a failure or a cancel. */
export type PlanStepStatus = 'pending' | 'running' | 'completed' | 'failed' | 'skipped';
/** Plan status vocabulary (docs/workspaces-and-plans.md). */
export type PlanStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

export const PLAN_STEP_STATUSES: readonly PlanStepStatus[] = ['pending', 'running', 'completed', 'failed', 'skipped'];
export const PLAN_STATUSES: readonly PlanStatus[] = ['pending', 'running', 'completed', 'failed', 'cancelled'];

/** Output kept per step: the last this many characters (a chatty step must not grow the state without bound). @default 65536 */
export const MAX_PLAN_STEP_OUTPUT_CHARS = 64 * 1024;
/** Finished plans kept in `plans`; beyond this the one finished longest ago is evicted. @default 200 */
export const MAX_FINISHED_PLANS = 200;

export type PlanStepView = {
  name: string;
  command: string;
  status: PlanStepStatus;
  /** Everything the step printed (stdout and stderr interleaved), at most the last MAX_PLAN_STEP_OUTPUT_CHARS. */
  output: string;
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
};

export type PlanView = {
  id: string;
  name: string;
  status: PlanStatus;
  steps: PlanStepView[];
  /** Working directory of the steps; `null` means the server's own. */
  cwd: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** `ts` of the last event of this plan (the poll endpoint's `last_update`). */
  updated_at: string;
  error: string | null;
  summary: Record<string, unknown> | null;
  /** Cluster mode: the node that created the plan, where it runs (its `cwd` is that node's). Absent on one node. */
  node_id?: string;
};

type Plans = Record<string, PlanView>;

/**
 * Fold one `plan.*` event (every one names its plan by `plan_id`):
 * - `created` `{plan_id, name, steps:[{name, command}], cwd?, node_id?}` → a pending plan of pending steps;
 * - `step_status` `{plan_id, step_index, status, output?, error?}` → the step's status; `running` starts the plan
 *   and clears the step's output, `completed`/`failed` replace it with `output` when given;
 * - `step_output` `{plan_id, step_index, output}` → appends a chunk;
 * - `completed` `{plan_id, summary}` and `failed` `{plan_id, error, status?: 'failed'|'cancelled'}` end the plan.
 * Typed as the opaque slice of `FleetState`; the records are `PlanView`s.
 */
export function reducePlans(slice: Record<string, OpaqueView>, event: ProjectedEvent): Record<string, OpaqueView> {
  return reduce(slice as unknown as Plans, event) as unknown as Record<string, OpaqueView>;
}

function reduce(slice: Plans, event: ProjectedEvent): Plans {
  const d = asObject(event.data);
  const id = d && typeof d.plan_id === 'string' && d.plan_id ? d.plan_id : undefined;
  if (!d || !id) return slice;
  const prev = Object.hasOwn(slice, id) ? slice[id] : undefined;
  const ts = event.ts;
  if (event.topic === 'plan.created') {
    const steps = Array.isArray(d.steps) ? d.steps : [];
    const plan: PlanView = {
      id,
      name: typeof d.name === 'string' ? d.name : '',
      status: 'pending',
      steps: steps.map((s) => {
        const o = asObject(s) ?? {};
        return {
          name: typeof o.name === 'string' ? o.name : '',
          command: typeof o.command === 'string' ? o.command : '',
          status: 'pending',
          output: '',
          error: null,
          started_at: null,
          finished_at: null,
        };
      }),
      cwd: typeof d.cwd === 'string' && d.cwd ? d.cwd : null,
      created_at: ts,
      started_at: null,
      finished_at: null,
      updated_at: ts,
      error: null,
      summary: null,
      ...(typeof d.node_id === 'string' && d.node_id ? { node_id: d.node_id } : {}),
    };
    return { ...slice, [id]: plan };
  }
  if (!prev) return slice;
  switch (event.topic) {
    case 'plan.step_status': {
      const i = stepIndex(prev, d.step_index);
      const status = d.status as PlanStepStatus;
      if (i < 0 || !PLAN_STEP_STATUSES.includes(status)) return slice;
      const step = prev.steps[i]!;
      const next: PlanStepView = { ...step, status };
      if (status === 'running') {
        next.started_at = ts;
        next.finished_at = null;
        next.output = '';
        next.error = null;
      } else if (status === 'completed' || status === 'failed') {
        next.finished_at = ts;
        if (typeof d.output === 'string') next.output = tail(d.output);
        next.error = typeof d.error === 'string' ? d.error : null;
      }
      const plan: PlanView = { ...replaceStep(prev, i, next), updated_at: ts };
      if (status === 'running' && plan.status === 'pending') {
        plan.status = 'running';
        plan.started_at = ts;
      }
      return { ...slice, [id]: plan };
    }
    case 'plan.step_output': {
      const i = stepIndex(prev, d.step_index);
      if (i < 0 || typeof d.output !== 'string' || d.output === '') return slice;
      const step = prev.steps[i]!;
      return { ...slice, [id]: { ...replaceStep(prev, i, { ...step, output: tail(step.output + d.output) }), updated_at: ts } };
    }
    case 'plan.completed': {
      const summary = asObject(d.summary) ?? null;
      return evictFinished({ ...slice, [id]: { ...prev, status: 'completed', summary: summary as Record<string, unknown> | null, error: null, finished_at: ts, updated_at: ts } });
    }
    case 'plan.failed': {
      const status: PlanStatus = d.status === 'cancelled' ? 'cancelled' : 'failed';
      const error = typeof d.error === 'string' ? d.error : status;
      return evictFinished({ ...slice, [id]: { ...prev, status, error, finished_at: ts, updated_at: ts } });
    }
    default:
      return slice;
  }
}

/** Whether a plan reached an end state. */
export function isPlanFinished(plan: Pick<PlanView, 'status'>): boolean {
  return plan.status === 'completed' || plan.status === 'failed' || plan.status === 'cancelled';
}

/** The plan `id` in the slice, typed, or `undefined`. */
export function getPlan(slice: Readonly<Record<string, OpaqueView>>, id: string): PlanView | undefined {
  return Object.hasOwn(slice, id) ? (slice[id] as unknown as PlanView) : undefined;
}

function stepIndex(plan: PlanView, v: unknown): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < plan.steps.length ? v : -1;
}

function replaceStep(plan: PlanView, i: number, step: PlanStepView): PlanView {
  return { ...plan, steps: plan.steps.map((s, j) => (j === i ? step : s)) };
}

function tail(text: string): string {
  return text.length > MAX_PLAN_STEP_OUTPUT_CHARS ? text.slice(text.length - MAX_PLAN_STEP_OUTPUT_CHARS) : text;
}

function evictFinished(slice: Plans): Plans {
  const finished = Object.values(slice).filter(isPlanFinished);
  const excess = finished.length - MAX_FINISHED_PLANS;
  if (excess <= 0) return slice;
  // Stable sort: equal timestamps keep key order, so server and client evict the same plan.
  finished.sort((a, b) => ((a.finished_at ?? '') < (b.finished_at ?? '') ? -1 : (a.finished_at ?? '') > (b.finished_at ?? '') ? 1 : 0));
  const gone = new Set(finished.slice(0, excess).map((p) => p.id));
  return Object.fromEntries(Object.entries(slice).filter(([k]) => !gone.has(k)));
}

function asObject(v: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
