// Asking and answering approvals (docs/protocol.md, "Approvals"). The event log is the only record: an approval is
// what `approval.requested` and `approval.decided` folded into the `approvals` slice, so pending approvals and their
// expiry survive a restart. In memory are only what can be rebuilt from that slice: the expiry times of the pending
// ones (one timer for all of them, armed for the earliest) and the long-poll waiters of this process.

import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import {
  DEFAULT_APPROVAL_TIMEOUT_S,
  EXPIRY_DECIDER,
  HUMAN_DECISIONS,
  LOCAL_DECIDER,
  MAX_APPROVAL_NAME_LENGTH,
  MAX_APPROVAL_REASON_LENGTH,
  MAX_APPROVAL_TIMEOUT_S,
  SwitchboardError,
  type ApprovalCreated,
  type ApprovalView,
  type HumanDecision,
} from '@switchboard/protocol';
import { decidedApprovals, pendingApprovals, type Approvals } from '@switchboard/projections';
import type { Principal } from '../auth/principal';
import { fieldError, objectBody, optionalString, requiredString } from '../http/body-fields';
import type { EventLog } from '../log/event-log';
import type { AppendInput, StoredEvent } from '../store/event-store';
import { cleanSummary, summarizeInput } from './summary';

/** Pending approvals at once; a request beyond this gets 503 `unavailable` (each holds a place in memory). @default 1000 */
export const MAX_PENDING_APPROVALS = 1000;
/** Long-poll waiters at once across all approvals; beyond this `/wait` answers 503 `unavailable`. @default 1000 */
export const MAX_APPROVAL_WAITERS = 1000;
/** Longest `summary` accepted in a request (it is then masked and cut to MAX_APPROVAL_SUMMARY_LENGTH). */
const MAX_SUMMARY_INPUT_LENGTH = 64 * 1024;
/** setTimeout's largest delay; a later expiry re-arms when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ApprovalServiceOptions {
  maxPending?: number;
  maxWaiters?: number;
  logLine?: (line: string) => void;
}

interface Waiter {
  resolve: (view: ApprovalView) => void;
  timer: NodeJS.Timeout;
  id: string;
  /** The approval when the wait began: the answer if it is gone (evicted) by the time the wait ends. */
  view: ApprovalView;
}

export class ApprovalService {
  /** Pending approval id → when it expires (ms since the epoch). */
  private readonly expiries = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private readonly waiters = new Map<string, Set<Waiter>>();
  private waiterCount = 0;
  private readonly maxPending: number;
  private readonly maxWaiters: number;
  private stopListening: (() => void) | undefined;
  private closed = false;

  constructor(private readonly log: EventLog, private readonly options: ApprovalServiceOptions = {}) {
    this.maxPending = options.maxPending ?? MAX_PENDING_APPROVALS;
    this.maxWaiters = options.maxWaiters ?? MAX_APPROVAL_WAITERS;
  }

  /** Pick up the pending approvals of the log (after a restart their expiry still applies) and follow new events. */
  start(): void {
    for (const a of pendingApprovals(this.slice())) this.expiries.set(a.id, Date.parse(a.expires_at) || 0);
    const stopAppends = this.log.onAppend((events) => this.onEvents(events));
    // Cluster mode: a lost shared log moves the state to what the cluster carried over (docs/architecture.md).
    const stopResets = this.log.onReset(() => this.resync());
    this.stopListening = () => {
      stopAppends();
      stopResets();
    };
    this.log.expandProducerInput((inputs) => this.openForPermissionRequests(inputs));
    this.rearm();
  }

  /** Follow a state that was replaced wholesale: expiries from it, and waiters whose approval is gone or decided let go. */
  private resync(): void {
    this.expiries.clear();
    for (const a of pendingApprovals(this.slice())) this.expiries.set(a.id, Date.parse(a.expires_at) || 0);
    for (const set of [...this.waiters.values()]) {
      for (const w of [...set]) {
        const view = this.find(w.id);
        if (!view || view.status !== 'pending') this.release(w, view ?? w.view);
      }
    }
    this.rearm();
  }

  close(): void {
    this.closed = true;
    this.stopListening?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const set of this.waiters.values()) for (const w of [...set]) this.release(w, this.find(w.id) ?? w.view);
  }

  private slice(): Approvals {
    return this.log.state.approvals ?? {};
  }

  private find(id: string): ApprovalView | undefined {
    const slice = this.slice();
    return Object.hasOwn(slice, id) ? slice[id] : undefined;
  }

  /** The approval `id`, or 404 `approval_not_found`. */
  get(id: string): ApprovalView {
    const view = this.find(id);
    if (!view) throw new SwitchboardError('approval_not_found', `No approval with id '${id.slice(0, 64)}'`);
    return view;
  }

  /** Pending ones longest-waiting first, decided ones most recently decided first; both when `status` is absent. */
  list(status: 'pending' | 'decided' | undefined, limit: number): ApprovalView[] {
    const slice = this.slice();
    const out = status === 'decided' ? decidedApprovals(slice) : pendingApprovals(slice);
    if (status === undefined) out.push(...decidedApprovals(slice));
    return out.length > limit ? out.slice(0, limit) : out;
  }

  /** `POST /api/approvals`: validate, append `approval.requested`, answer the id and the expiry. */
  async request(body: unknown): Promise<ApprovalCreated> {
    const b = objectBody(body);
    const tool = requiredString(b, 'tool', { max: MAX_APPROVAL_NAME_LENGTH });
    const agentId = optionalString(b, 'agent_id', { max: MAX_APPROVAL_NAME_LENGTH });
    const sessionId = optionalString(b, 'session_id', { max: MAX_APPROVAL_NAME_LENGTH });
    const summaryText = optionalString(b, 'summary', { max: MAX_SUMMARY_INPUT_LENGTH, allowEmpty: true });
    const timeoutS = b.timeout_s === undefined ? DEFAULT_APPROVAL_TIMEOUT_S : b.timeout_s;
    if (typeof timeoutS !== 'number' || !Number.isInteger(timeoutS) || timeoutS < 1 || timeoutS > MAX_APPROVAL_TIMEOUT_S) {
      throw fieldError('timeout_s', `must be an integer from 1 to ${MAX_APPROVAL_TIMEOUT_S}`);
    }
    const summary = summaryText !== undefined ? cleanSummary(summaryText) : Object.hasOwn(b, 'input') ? summarizeInput(b.input) : '';
    if (this.expiries.size >= this.maxPending) {
      throw new SwitchboardError('unavailable', `${this.maxPending} approvals are already pending; decide some or retry later`);
    }
    const event = this.requestedEvent({ tool, summary, agent_id: agentId, session_id: sessionId }, timeoutS);
    await this.log.append([event]);
    const data = event.data as { id: string; expires_at: string };
    return { id: data.id, expires_at: data.expires_at };
  }

  /** `POST /api/approvals/:id/decision`: the first decision stands; later ones get 409 `conflict`. */
  async decide(id: string, body: unknown, principal: Principal | null): Promise<ApprovalView> {
    const b = objectBody(body);
    const decision = b.decision;
    if (typeof decision !== 'string' || !(HUMAN_DECISIONS as readonly string[]).includes(decision)) {
      throw fieldError('decision', `must be one of ${HUMAN_DECISIONS.join(', ')}`);
    }
    const reason = optionalString(b, 'reason', { max: MAX_APPROVAL_REASON_LENGTH, allowEmpty: true });
    const view = this.get(id);
    if (view.status === 'pending' && Date.parse(view.expires_at) <= Date.now()) {
      // The timer has not run yet (a busy loop, a clock step); the time is up all the same.
      await this.expire([view]);
    }
    this.refuseDecided(this.get(id));
    const decidedBy = deciderOf(principal);
    const decidedAt = new Date().toISOString();
    await this.log.append([this.decidedEvent(view, decision as HumanDecision, decidedBy, decidedAt, reason || undefined)]);
    const after = this.get(id);
    // In cluster mode another node's decision (or expiry) may have reached the shared log first.
    if (after.decided_by !== decidedBy || after.decided_at !== decidedAt || after.decision !== decision) this.refuseDecided(after);
    return after;
  }

  /**
   * The long-poll of `GET /api/approvals/:id/wait`: the approval as soon as it is decided, or as it is (pending)
   * after `timeoutS`. The waiter goes away when the client's connection does.
   */
  wait(id: string, timeoutS: number, socket: Socket | null): Promise<ApprovalView> {
    const view = this.get(id);
    if (view.status !== 'pending' || timeoutS === 0 || this.closed) return Promise.resolve(view);
    if (this.waiterCount >= this.maxWaiters) {
      throw new SwitchboardError('unavailable', `${this.maxWaiters} waiters are already waiting; retry later or use /ws/events`);
    }
    return new Promise<ApprovalView>((resolve) => {
      const onClose = (): void => this.release(waiter, this.find(id) ?? view);
      const waiter: Waiter = {
        id,
        view,
        resolve: (v) => {
          socket?.off('close', onClose);
          resolve(v);
        },
        timer: setTimeout(() => this.release(waiter, this.find(id) ?? view), timeoutS * 1000),
      };
      let set = this.waiters.get(id);
      if (!set) this.waiters.set(id, (set = new Set()));
      set.add(waiter);
      this.waiterCount++;
      socket?.once('close', onClose);
    });
  }

  /** Waiters now held (for tests and the health counters). */
  get waiting(): number {
    return this.waiterCount;
  }

  private release(waiter: Waiter, view: ApprovalView): void {
    const set = this.waiters.get(waiter.id);
    if (!set?.delete(waiter)) return;
    if (set.size === 0) this.waiters.delete(waiter.id);
    this.waiterCount--;
    clearTimeout(waiter.timer);
    waiter.resolve(view);
  }

  private refuseDecided(view: ApprovalView): void {
    if (view.status === 'pending') return;
    throw new SwitchboardError('conflict', `approval '${view.id}' is already decided: ${view.decision} by ${view.decided_by}`, {
      details: { decision: view.decision, decided_by: view.decided_by },
    });
  }

  private onEvents(events: readonly StoredEvent[]): void {
    let rearm = false;
    for (const e of events) {
      if (e.topic === 'approval.requested') {
        const view = this.find((e.data as { id: string }).id);
        if (view?.status === 'pending' && !this.expiries.has(view.id)) {
          const at = Date.parse(view.expires_at) || 0;
          this.expiries.set(view.id, at);
          if (at < this.timerAt) rearm = true;
        }
      } else if (e.topic === 'approval.decided') {
        const id = (e.data as { id: string }).id;
        this.expiries.delete(id);
        const set = this.waiters.get(id);
        const view = this.find(id);
        if (set && view) for (const w of [...set]) this.release(w, view);
      }
    }
    if (rearm) this.rearm();
  }

  /** One timer for every pending approval, armed for the earliest expiry. */
  private rearm(): void {
    if (this.closed) return;
    let earliest = Infinity;
    for (const at of this.expiries.values()) if (at < earliest) earliest = at;
    if (earliest === this.timerAt && this.timer) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = earliest;
    if (earliest === Infinity) return;
    this.timer = setTimeout(() => this.onTimer(), Math.min(MAX_TIMER_MS, Math.max(0, earliest - Date.now())));
    this.timer.unref();
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = Date.now();
    const due: ApprovalView[] = [];
    for (const [id, at] of this.expiries) {
      if (at > now) continue;
      const view = this.find(id);
      if (view?.status === 'pending') due.push(view);
      else this.expiries.delete(id);
    }
    this.expire(due)
      .catch((err: unknown) => this.options.logLine?.(`approval expiry failed: ${(err as Error).message}`))
      .finally(() => this.rearm());
  }

  private async expire(views: readonly ApprovalView[]): Promise<void> {
    if (views.length === 0) return;
    const at = new Date().toISOString();
    await this.log.append(views.map((v) => this.decidedEvent(v, 'expired', EXPIRY_DECIDER, at)));
  }

  private requestedEvent(
    fields: { tool: string; summary: string; agent_id?: string; session_id?: string },
    timeoutS: number,
  ): AppendInput {
    const now = Date.now();
    const data: Record<string, unknown> = {
      id: `apr_${randomBytes(10).toString('hex')}`,
      tool: fields.tool,
      summary: fields.summary,
      requested_at: new Date(now).toISOString(),
      expires_at: new Date(now + timeoutS * 1000).toISOString(),
    };
    if (fields.agent_id !== undefined) data.agent_id = fields.agent_id;
    if (fields.session_id !== undefined) data.session_id = fields.session_id;
    return { topic: 'approval.requested', data };
  }

  private decidedEvent(view: ApprovalView, decision: HumanDecision | 'expired', decidedBy: string, at: string, reason?: string): AppendInput {
    const data: Record<string, unknown> = { id: view.id, decision, decided_by: decidedBy, decided_at: at };
    if (reason !== undefined) data.reason = reason;
    // The agent and session ride along, so a reader of the decision alone (the agents projection) knows whose it is.
    if (view.agent_id !== undefined) data.agent_id = view.agent_id;
    if (view.session_id !== undefined) data.session_id = view.session_id;
    return { topic: 'approval.decided', data };
  }

  /**
   * The ProducerExpander: an `agent.permission_requested` without `approval_id` gets one, and the approval it names is
   * opened in the same batch (appended after the producer's events), so every permission request can be answered.
   */
  private openForPermissionRequests(inputs: readonly AppendInput[]): AppendInput[] {
    let out: AppendInput[] | undefined;
    const opened: AppendInput[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i]!;
      if (input.topic !== 'agent.permission_requested') continue;
      const d = input.data as Record<string, unknown>;
      if (d.approval_id !== undefined) continue;
      if (this.expiries.size + opened.length >= this.maxPending) {
        this.options.logLine?.(`approvals: ${this.maxPending} pending; agent.permission_requested stays without an approval`);
        continue;
      }
      const agentId = d.id as string;
      const agents = this.log.state.agents;
      const sessionId = typeof d.session_id === 'string' ? d.session_id : Object.hasOwn(agents, agentId) ? agents[agentId]!.session_id : undefined;
      const event = this.requestedEvent(
        {
          tool: toolOf(d),
          summary: typeof d.summary === 'string' ? cleanSummary(d.summary) : summarizeInput(d.tool_input ?? d.input ?? d.detail ?? ''),
          agent_id: agentId.length <= MAX_APPROVAL_NAME_LENGTH ? agentId : undefined,
          session_id: sessionId !== undefined && sessionId.length > 0 && sessionId.length <= MAX_APPROVAL_NAME_LENGTH ? sessionId : undefined,
        },
        timeoutOf(d.timeout_s),
      );
      out ??= [...inputs];
      out[i] = { topic: input.topic, data: { ...d, approval_id: (event.data as { id: string }).id } };
      opened.push(event);
    }
    return out ? [...out, ...opened] : (inputs as AppendInput[]);
  }
}

/** Who decides: the token's `sub`; without one, the kind of token; without auth, `local`. */
export function deciderOf(principal: Principal | null): string {
  if (!principal) return LOCAL_DECIDER;
  return principal.sub ?? principal.kind;
}

/** `timeout_s` of an `agent.permission_requested` when it is a usable one, else the default. */
function timeoutOf(v: unknown): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_APPROVAL_TIMEOUT_S ? v : DEFAULT_APPROVAL_TIMEOUT_S;
}

/** The tool of an `agent.permission_requested`: `tool`, or `detail.tool`, or `permission`. */
function toolOf(d: Record<string, unknown>): string {
  const detail = d.detail;
  const fromDetail = typeof detail === 'object' && detail !== null && !Array.isArray(detail) ? (detail as Record<string, unknown>).tool : undefined;
  const tool = typeof d.tool === 'string' ? d.tool : typeof fromDetail === 'string' ? fromDetail : 'permission';
  return tool.trim() === '' ? 'permission' : tool.slice(0, MAX_APPROVAL_NAME_LENGTH);
}
