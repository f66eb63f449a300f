// `/ws/{session_id}` (docs/workspaces-and-plans.md): the catch-all plan stream. A connection registers under its session id,
// subscribes to plans by id — answered with `subscribed` and the plan's current state (`plan_state`) — and then
// receives `step_status`, `step_output`, `plan_completed` and `plan_failed` frames, derived from the `plan.*` events
// of the log (so in log order, each after the state it follows). Closed connections leave every index at once.

import { SwitchboardError, setOwn } from '@switchboard/protocol';
import { getPlan, type PlanView } from '@switchboard/projections';
import type { App } from '../app';
import type { StoredEvent } from '../store/event-store';
import type { WsConnection } from '../ws/connection';
import { encodeTextFrame } from '../ws/frame-encoding';
import type { StreamHandler } from '../ws/stream';

/**
 * What a session id on `/ws/{session_id}` may be: 1–128 URL-safe characters (letters, digits, `.`, `_`, `~`, `-`),
 * starting with a letter or digit, so it is the same string in the path, the frames and the stats.
 */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$/;

/**
 * Names under `/ws/` that are never session ids even when no stream of that name runs here, so a mistyped or
 * missing endpoint is a 404 instead of a plan stream that silently never sends anything.
 */
export const RESERVED_WS_NAMES = ['events', 'agents', 'dashboard', 'sessions', 'instances', 'messages', 'plans', 'workspaces', 'logs', 'metrics', 'health', 'healthz', 'api', 'ws'];

/** Plans one connection may be subscribed to at once (a bound on what one peer can make the server hold). @default 256 */
export const MAX_PLANS_PER_CONNECTION = 256;

interface ConnMeta {
  sessionId: string;
  plans: Set<string>;
  connectedAt: string;
}

/** The seed's WebSocketManager: connections by session id and by subscribed plan. */
export class PlanSubscriptions {
  private readonly bySession = new Map<string, Set<WsConnection>>();
  private readonly byPlan = new Map<string, Set<WsConnection>>();
  private readonly meta = new Map<WsConnection, ConnMeta>();

  connect(conn: WsConnection, sessionId: string): void {
    this.meta.set(conn, { sessionId, plans: new Set(), connectedAt: new Date().toISOString() });
    addTo(this.bySession, sessionId, conn);
    conn.onClose(() => this.disconnect(conn));
  }

  /** Remove every reference to `conn` (its session entry and all its subscriptions). */
  disconnect(conn: WsConnection): void {
    const m = this.meta.get(conn);
    if (!m) return;
    for (const planId of m.plans) removeFrom(this.byPlan, planId, conn);
    removeFrom(this.bySession, m.sessionId, conn);
    this.meta.delete(conn);
  }

  subscribe(conn: WsConnection, planId: string): void {
    const m = this.meta.get(conn);
    if (!m) return;
    m.plans.add(planId);
    addTo(this.byPlan, planId, conn);
  }

  unsubscribe(conn: WsConnection, planId: string): void {
    this.meta.get(conn)?.plans.delete(planId);
    removeFrom(this.byPlan, planId, conn);
  }

  /** Plans `conn` is subscribed to. */
  plansOf(conn: WsConnection): ReadonlySet<string> {
    return this.meta.get(conn)?.plans ?? new Set();
  }

  /** Queue an encoded frame to every subscriber of `planId`; dead connections are dropped. Returns how many got it. */
  broadcast(planId: string, frame: Buffer): number {
    const subs = this.byPlan.get(planId);
    if (!subs) return 0;
    let sent = 0;
    for (const conn of [...subs]) {
      if (!conn.isOpen) {
        this.disconnect(conn);
        continue;
      }
      // A lagging connection drops deltas here and gets its plans' state again on resync.
      if (conn.offer(frame)) sent++;
    }
    return sent;
  }

  /** Send `frame` (plus `timestamp`) to every connection of `sessionId`; returns how many got it. */
  sendToSession(sessionId: string, frame: Record<string, unknown>): number {
    const conns = this.bySession.get(sessionId);
    if (!conns) return 0;
    const encoded = encodeTextFrame(JSON.stringify({ ...frame, timestamp: new Date().toISOString() }));
    let sent = 0;
    for (const conn of [...conns]) {
      if (!conn.isOpen) {
        this.disconnect(conn);
        continue;
      }
      conn.push(encoded);
      sent++;
    }
    return sent;
  }

  subscriberCount(planId: string): number {
    return this.byPlan.get(planId)?.size ?? 0;
  }

  connectionCount(): number {
    return this.meta.size;
  }

  /** Counts for `GET /api/dashboard/plan-subscriptions`. */
  stats(): { connections: number; sessions: Record<string, number>; plans: Record<string, number> } {
    const sessions: Record<string, number> = {};
    // Session and plan ids come from clients: `__proto__` must be a key like any other.
    for (const [id, set] of this.bySession) setOwn(sessions, id, set.size);
    const plans: Record<string, number> = {};
    for (const [id, set] of this.byPlan) setOwn(plans, id, set.size);
    return { connections: this.meta.size, sessions, plans };
  }
}

/** The plan-stream frame of a `plan.*` event (`plan.created` has none), with the event's `ts` as `timestamp`. */
export function planFrame(event: Pick<StoredEvent, 'topic' | 'data' | 'ts'>): { planId: string; frame: Record<string, unknown> } | null {
  const d = event.data as Record<string, unknown> | null;
  if (!d || typeof d.plan_id !== 'string') return null;
  const plan_id = d.plan_id;
  const timestamp = event.ts;
  switch (event.topic) {
    case 'plan.step_status':
      return {
        planId: plan_id,
        frame: { type: 'step_status', step_index: d.step_index, step_name: d.step_name, status: d.status, output: d.output ?? null, error: d.error ?? null, plan_id, timestamp },
      };
    case 'plan.step_output':
      return { planId: plan_id, frame: { type: 'step_output', step_index: d.step_index, output: d.output, plan_id, timestamp } };
    case 'plan.completed':
      return { planId: plan_id, frame: { type: 'plan_completed', summary: d.summary ?? {}, plan_id, timestamp } };
    case 'plan.failed':
      return { planId: plan_id, frame: { type: 'plan_failed', error: d.error ?? null, plan_id, timestamp } };
    default:
      return null;
  }
}

/** A plan's current state as plan-stream frames: a `step_status` per step, then the end frame if it ended. */
export function planStateFrames(plan: PlanView): Record<string, unknown>[] {
  const timestamp = plan.updated_at;
  const frames: Record<string, unknown>[] = plan.steps.map((s, i) => ({
    type: 'step_status', step_index: i, step_name: s.name, status: s.status, output: s.output, error: s.error, plan_id: plan.id, timestamp,
  }));
  if (plan.status === 'completed') frames.push({ type: 'plan_completed', summary: plan.summary ?? {}, plan_id: plan.id, timestamp });
  else if (plan.status === 'failed' || plan.status === 'cancelled') frames.push({ type: 'plan_failed', error: plan.error, plan_id: plan.id, timestamp });
  return frames;
}

/**
 * The `plan_state` frame a subscription is answered with: the whole plan as of now, so a late subscriber needs no
 * REST read that could race the frames after it. An unknown plan has `status: null` and no steps.
 */
export function planStateFrame(planId: string, plan: PlanView | undefined): Record<string, unknown> {
  if (!plan) return { type: 'plan_state', plan_id: planId, name: null, status: null, steps: [], error: null, summary: null, timestamp: new Date().toISOString() };
  return {
    type: 'plan_state',
    plan_id: plan.id,
    name: plan.name,
    status: plan.status,
    steps: plan.steps.map((s, i) => ({
      step_index: i, step_name: s.name, status: s.status, output: s.output, error: s.error, started_at: s.started_at, finished_at: s.finished_at,
    })),
    error: plan.error,
    summary: plan.summary,
    timestamp: plan.updated_at,
  };
}

/** Register the `/ws/{session_id}` catch-all and the subscription stats route; returns the subscription table. */
export function registerPlansStream(app: App): PlanSubscriptions {
  const subs = new PlanSubscriptions();
  app.log.onAppend((events) => {
    for (const e of events) {
      if (!e.topic.startsWith('plan.')) continue;
      const f = planFrame(e);
      if (f && subs.subscriberCount(f.planId) > 0) subs.broadcast(f.planId, encodeTextFrame(JSON.stringify(f.frame)));
    }
  });

  const handler: StreamHandler = {
    // The plan-stream contract's clients may never send a frame: no idle rule; protocol pings reap dead peers (docs/protocol.md#shared-websocket-rules).
    idleRule: false,
    open(conn, { params }) {
      subs.connect(conn, params.session_id!);
      conn.onResync = () => {
        for (const planId of subs.plansOf(conn)) {
          const plan = getPlan(app.log.state.plans, planId);
          if (plan) for (const f of planStateFrames(plan)) conn.send(f);
        }
      };
    },
    frame(conn, frame) {
      if (frame.type !== 'subscribe' && frame.type !== 'unsubscribe') return false;
      const planId = frame.plan_id;
      if (typeof planId !== 'string' || planId === '' || planId.length > 200) {
        throw new SwitchboardError('validation_failed', 'plan_id must be a non-empty string', { details: { field: 'plan_id' } });
      }
      if (frame.type === 'subscribe') {
        const mine = subs.plansOf(conn);
        if (!mine.has(planId) && mine.size >= MAX_PLANS_PER_CONNECTION) {
          throw new SwitchboardError('too_many_requests', `a connection may follow at most ${MAX_PLANS_PER_CONNECTION} plans; unsubscribe from finished ones`);
        }
        subs.subscribe(conn, planId);
        conn.send({ type: 'subscribed', plan_id: planId });
        // Read and queued in the same turn as the subscription: every later event's frame comes after this state.
        conn.send(planStateFrame(planId, getPlan(app.log.state.plans, planId)));
      } else {
        subs.unsubscribe(conn, planId);
        conn.send({ type: 'unsubscribed', plan_id: planId });
      }
      return true;
    },
  };
  app.streams.setFallback('/ws', 'session_id', handler, {
    reserved: RESERVED_WS_NAMES,
    validate: (id) => {
      if (!SESSION_ID_PATTERN.test(id)) {
        throw new SwitchboardError('validation_failed', `a session id is 1–128 letters, digits, '.', '_', '~' or '-', starting with a letter or digit`, {
          details: { field: 'session_id' },
        });
      }
    },
  });
  app.router.get('/api/dashboard/plan-subscriptions', () => ({ body: subs.stats() }));
  return subs;
}

function addTo(index: Map<string, Set<WsConnection>>, key: string, conn: WsConnection): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(conn);
}

function removeFrom(index: Map<string, Set<WsConnection>>, key: string, conn: WsConnection): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(conn);
  if (set.size === 0) index.delete(key);
}
