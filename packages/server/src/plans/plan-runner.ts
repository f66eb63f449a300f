// Runs plans (docs/workspaces-and-plans.md): each step a `/bin/sh -c` child process in its own process group, in order; output
// appended as `plan.step_output` chunks as it is printed; a failure skips the remaining steps; cancel kills the
// running step's group. Every change is a `plan.*` event; the `plans` projection is the only state.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { SwitchboardError } from '@switchboard/protocol';
import { MAX_PLAN_STEP_OUTPUT_CHARS, getPlan, isPlanFinished, type PlanView } from '@switchboard/projections';
import type { EventLog } from '../log/event-log';
import type { AppendInput } from '../store/event-store';

export interface PlanInput {
  name: string;
  steps: Array<{ name: string; command: string }>;
  /** Working directory of every step; the server's own when absent. */
  cwd?: string;
}

export interface PlanRunnerOptions {
  log: EventLog;
  /** Cluster mode: this node's id, recorded in `plan.created` as the node that runs the plan. */
  nodeId?: string;
  /** Wait after SIGTERM before SIGKILL when a plan is cancelled (`stopGraceMs` of the server). @default 5000 */
  killGraceMs?: number;
  /** Output printed within this window leaves as one `plan.step_output` chunk. @default 20 */
  outputFlushMs?: number;
  /** A pending chunk this large is sent without waiting for the window. @default 16384 */
  outputChunkChars?: number;
}

interface RunState {
  cancelled: boolean;
  child?: ChildProcess;
  done: Promise<void>;
}

interface StepResult {
  code: number | null;
  signal: string | null;
  output: string;
  spawnError?: string;
}

/** After a step's process exits, wait this long for its pipes to close (a background child may hold them). */
const PIPE_CLOSE_GRACE_MS = 500;

export class PlanRunner {
  private readonly runs = new Map<string, RunState>();
  private readonly cancelReason = new Map<string, string>();
  private readonly killGraceMs: number;
  private readonly flushMs: number;
  private readonly chunkChars: number;

  constructor(private readonly options: PlanRunnerOptions) {
    this.killGraceMs = options.killGraceMs ?? 5000;
    this.flushMs = options.outputFlushMs ?? 20;
    this.chunkChars = options.outputChunkChars ?? 16 * 1024;
  }

  private get log(): EventLog {
    return this.options.log;
  }

  get(id: string): PlanView | undefined {
    return getPlan(this.log.state.plans, id);
  }

  all(): PlanView[] {
    return Object.values(this.log.state.plans) as unknown as PlanView[];
  }

  /** Plans left `running` by a previous server process failed: their step is failed, the rest skipped. */
  recover(): void {
    const events: AppendInput[] = [];
    for (const plan of this.all()) {
      if (plan.status !== 'running') continue;
      const index = plan.steps.findIndex((s) => s.status === 'running');
      events.push(...this.endEvents(plan, index < 0 ? null : { index, error: 'the server restarted while this step was running' }, {
        error: 'the server restarted while the plan was running',
        status: 'failed',
      }));
    }
    if (events.length) this.log.append(events);
  }

  async create(input: PlanInput): Promise<PlanView> {
    const id = `plan-${randomBytes(6).toString('hex')}`;
    const owner = this.options.nodeId ? { node_id: this.options.nodeId } : {};
    await this.log.append([{ topic: 'plan.created', data: { plan_id: id, name: input.name, steps: input.steps, ...(input.cwd ? { cwd: input.cwd } : {}), ...owner } }]);
    return this.get(id)!;
  }

  /** Start a pending plan; answers once its first step is running. */
  run(id: string): PlanView {
    const plan = this.require(id);
    // In cluster mode the plan's own events take effect a moment after they are appended: the run in progress is
    // what tells a second request apart until then.
    if (this.runs.has(id)) throw new SwitchboardError('invalid_state', `plan ${id} is running; only a pending plan can run`);
    if (plan.status !== 'pending') throw new SwitchboardError('invalid_state', `plan ${id} is ${plan.status}; only a pending plan can run`);
    const st: RunState = { cancelled: false, done: Promise.resolve() };
    this.runs.set(id, st);
    st.done = this.execute(plan, st).finally(() => this.runs.delete(id));
    return this.get(id)!;
  }

  /** Cancel a pending or running plan; resolves once it is `cancelled`. */
  async cancel(id: string, reason = 'cancelled by request'): Promise<PlanView> {
    const plan = this.require(id);
    if (isPlanFinished(plan)) throw new SwitchboardError('invalid_state', `plan ${id} is already ${plan.status}`);
    const st = this.runs.get(id);
    if (!st) {
      this.log.append(this.endEvents(plan, null, { error: reason, status: 'cancelled' }));
      return this.get(id)!;
    }
    if (!st.cancelled) {
      st.cancelled = true;
      this.cancelReason.set(id, reason);
      if (st.child) {
        const pgid = st.child.pid;
        signalGroup(st.child, 'SIGTERM');
        // Not cleared when the shell exits: what the step started in the background gets the grace, then SIGKILL.
        const timer = setTimeout(() => {
          if (pgid === undefined) return;
          try {
            process.kill(-pgid, 'SIGKILL');
          } catch {
            // Every member already exited.
          }
        }, this.killGraceMs);
        timer.unref();
      }
    }
    await st.done;
    return this.get(id)!;
  }

  /** Cancel every running plan (server shutdown). */
  async close(): Promise<void> {
    await Promise.all([...this.runs.keys()].map((id) => this.cancel(id, 'the server shut down').catch(() => undefined)));
  }

  private async execute(plan: PlanView, st: RunState): Promise<void> {
    const startedAt = Date.now();
    const id = plan.id;
    for (let i = 0; i < plan.steps.length; i++) {
      const step = plan.steps[i]!;
      this.log.append([stepStatus(id, i, step.name, 'running', null, null)]);
      const result = await this.runStep(id, i, step.command, plan.cwd, st);
      const ok = !st.cancelled && result.code === 0 && !result.spawnError;
      if (ok) {
        this.log.append([stepStatus(id, i, step.name, 'completed', result.output, null)]);
        continue;
      }
      const stepError = st.cancelled ? 'cancelled' : describeFailure(result);
      const end = st.cancelled
        ? { error: this.cancelReason.get(id) ?? 'cancelled by request', status: 'cancelled' as const }
        // Numbered from 1, as the dashboard shows steps; `step_index` in events and frames stays 0-based.
        : { error: `step ${i + 1} "${step.name}" failed: ${stepError}`, status: 'failed' as const };
      this.cancelReason.delete(id);
      // Awaited so the run ends only once its end is in the state (a failure is logged by the log itself).
      await this.log.append(this.endEvents(this.get(id)!, { index: i, error: stepError, output: result.output }, end)).catch(() => undefined);
      return;
    }
    await this.log.append([{
      topic: 'plan.completed',
      data: { plan_id: id, status: 'completed', summary: { total_steps: plan.steps.length, completed_steps: plan.steps.length, duration_ms: Date.now() - startedAt } },
    }]).catch(() => undefined);
  }

  /**
   * The events that end `plan`: the `failed` step (if any) failed, every other step not yet finished skipped,
   * then `plan.failed` (`status` `failed` or `cancelled`).
   */
  private endEvents(
    plan: PlanView,
    failed: { index: number; error: string; output?: string } | null,
    end: { error: string; status: 'failed' | 'cancelled' },
  ): AppendInput[] {
    const events: AppendInput[] = [];
    plan.steps.forEach((s, i) => {
      if (i === failed?.index) events.push(stepStatus(plan.id, i, s.name, 'failed', failed.output ?? s.output, failed.error));
      else if (s.status === 'pending' || s.status === 'running') events.push(stepStatus(plan.id, i, s.name, 'skipped', null, null));
    });
    events.push({ topic: 'plan.failed', data: { plan_id: plan.id, error: end.error, status: end.status } });
    return events;
  }

  private runStep(planId: string, index: number, command: string, cwd: string | null, st: RunState): Promise<StepResult> {
    return new Promise((resolve) => {
      let captured = '';
      let pending = '';
      let flushTimer: NodeJS.Timeout | undefined;
      let finished = false;
      const flush = () => {
        clearTimeout(flushTimer);
        flushTimer = undefined;
        if (!pending) return;
        const output = pending;
        pending = '';
        this.log.append([{ topic: 'plan.step_output', data: { plan_id: planId, step_index: index, output } }]);
      };
      // Bounded per step (docs/control-plane.md "Bounds"): the chunks stored as events stop at the bound with a
      // marker, and the step's final output is its last characters after a marker.
      let streamed = 0;
      let total = 0;
      let cut = false;
      const take = (text: string) => {
        if (!text) return;
        total += text.length;
        captured += text;
        if (!cut) {
          const room = MAX_PLAN_STEP_OUTPUT_CHARS - streamed;
          if (text.length <= room) {
            pending += text;
            streamed += text.length;
          } else {
            pending += text.slice(0, room) + STREAM_CUT_MARKER;
            streamed = MAX_PLAN_STEP_OUTPUT_CHARS;
            cut = true;
          }
        }
        if (captured.length > MAX_PLAN_STEP_OUTPUT_CHARS * 2) captured = captured.slice(-MAX_PLAN_STEP_OUTPUT_CHARS);
        if (pending.length >= this.chunkChars) flush();
        else flushTimer ??= setTimeout(flush, this.flushMs);
      };
      let child: ChildProcess;
      try {
        child = spawn('/bin/sh', ['-c', command], {
          cwd: cwd ?? undefined,
          detached: true, // its own process group: cancel reaches everything the step started
          stdio: ['ignore', 'pipe', 'pipe'],
          env: childEnv(),
        });
      } catch (err) {
        resolve({ code: null, signal: null, output: '', spawnError: (err as Error).message });
        return;
      }
      st.child = child;
      const out = new StringDecoder('utf8');
      const errOut = new StringDecoder('utf8');
      child.stdout!.on('data', (b: Buffer) => take(out.write(b)));
      child.stderr!.on('data', (b: Buffer) => take(errOut.write(b)));
      const finish = (code: number | null, signal: string | null, spawnError?: string) => {
        if (finished) return;
        finished = true;
        take(out.end() + errOut.end());
        flush();
        st.child = undefined;
        resolve({ code, signal, output: boundedOutput(captured, total), spawnError });
      };
      child.once('error', (err) => finish(null, null, err.message));
      child.once('close', (code, signal) => finish(code, signal));
      child.once('exit', (code, signal) => {
        const t = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          finish(code, signal);
        }, PIPE_CLOSE_GRACE_MS);
        t.unref();
        child.once('close', () => clearTimeout(t));
      });
    });
  }

  private require(id: string): PlanView {
    const plan = this.get(id);
    if (!plan) throw new SwitchboardError('plan_not_found', `no plan ${id}`);
    return plan;
  }
}

/** Closes the stored chunks of a step that printed more than the bound; the rest is not stored. */
const STREAM_CUT_MARKER = `\n[switchboard] output cut at ${MAX_PLAN_STEP_OUTPUT_CHARS} characters; the step's final output keeps its last characters\n`;

/** A step's final output: all of it within the bound, else a marker saying how much was cut, then its last characters. */
export function boundedOutput(captured: string, total: number): string {
  if (total <= MAX_PLAN_STEP_OUTPUT_CHARS) return captured.slice(-MAX_PLAN_STEP_OUTPUT_CHARS);
  const marker = `[switchboard] output cut: the first ${total - MAX_PLAN_STEP_OUTPUT_CHARS + 1024} characters are not kept\n`;
  return marker + captured.slice(-(MAX_PLAN_STEP_OUTPUT_CHARS - 1024));
}

function stepStatus(planId: string, index: number, name: string, status: string, output: string | null, error: string | null): AppendInput {
  return { topic: 'plan.step_status', data: { plan_id: planId, step_index: index, step_name: name, status, output, error } };
}

function describeFailure(r: StepResult): string {
  if (r.spawnError) return `could not start: ${r.spawnError}`;
  if (r.signal) return `killed by ${r.signal}`;
  return `exit code ${r.code}`;
}

/** Signal a child's whole process group (it was spawned detached), falling back to the child alone. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

/** The environment of plan steps: the server's own, minus its secret. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.SWITCHBOARD_TOKEN;
  return env;
}
