// The demo fleet: a seeded state machine of sessions, agents, swarms and tasks that emits catalogue events
// (docs/protocol.md#events) at a steady rate. It does no I/O itself: `publish` is injected (REST batches or `server.publish`).

import type { EventInput } from '@switchboard/protocol';
import { DEFAULT_DEMO_APPROVAL_TIMEOUT_S, DEFAULT_DEMO_MAX_SESSIONS, DEFAULT_DEMO_RATE, DEFAULT_DEMO_TICK_INTERVAL_MS } from '../constants';
import { createDice, type Dice, type RandomSource } from './seeded-random';
import {
  AGENT_ROLES, DOCUMENTS, FAILURES, FILES, PERMISSION_REQUESTS, PRICE_PER_MILLION, QUERIES, SESSION_NOUNS,
  SESSION_VERBS, SWARM_GOALS, TARGETS, TASK_FAILURES, TOOL_ACTIONS, type Target,
} from './vocabulary';


export interface FleetSimulatorOptions {
  /** Receives each tick's events as one batch, in order. May return a promise; the simulator does not wait. */
  publish: (events: EventInput[]) => unknown;
  /** Random source in [0, 1); pass `createSeededRandom(seed)` for a reproducible run. @default Math.random */
  random?: RandomSource;
  /** Clock in ms; `tick()` emits `rate × elapsed` events. @default Date.now */
  now?: () => number;
  /** Events per second. @default 6 */
  rate?: number;
  /** Most sessions alive at once. @default 6 */
  maxSessions?: number;
  /** Tick period of `start()`. @default 200 */
  tickIntervalMs?: number;
  /**
   * Agents that asked for a permission wait for `decide()` before they act again (the server opens an approval for
   * each request, answered in the inbox). Off, they carry on by themselves at their next step. @default false
   */
  awaitDecisions?: boolean;
  /** `timeout_s` of the permission requests: the approval the server opens expires after this. @default 90 */
  approvalTimeoutS?: number;
}

export type PermissionDecision = 'allow' | 'deny' | 'expired';

export interface FleetSimulator {
  /** Tick every `tickIntervalMs` until `stop()`. */
  start(): void;
  /**
   * Stop ticking. Unless `windDown` is false, publish one last batch that ends everything still alive (tasks fail
   * with "demo stopped", agents complete, swarms dissolve, sessions end), so dashboards are not left with ghosts.
   */
  stop(options?: { windDown?: boolean }): EventInput[];
  /** Emit the events due since the last tick (per `now`), publish them as one batch and return them. */
  tick(): EventInput[];
  isRunning(): boolean;
  /** A person (or the expiry) answered the permission request of agent `agentId`; it acts on it at its next step. */
  decide(agentId: string, decision: PermissionDecision): void;
  /** Events emitted so far. */
  readonly emitted: number;
}

interface SimSession { id: string; name: string; target: Target; agentsToStart: number; agents: Set<string> }
interface SimAgent {
  id: string;
  session_id: string;
  name: string;
  actionsLeft: number;
  waiting: boolean;
  /** The answer to the pending permission request, once `decide()` brought it. */
  decision?: PermissionDecision;
  swarm?: string;
}
interface SimSwarm { id: string; session_id: string; agents: string[]; goal: string }
interface SimTask { id: string; kind: 'index' | 'search'; percent: number; subject: string }

const MAX_LIVE_TASKS = 3;
const MAX_SWARMS = 2;
/** A tick never emits more than this many seconds' worth of events (after a laptop sleep, say). */
const MAX_CATCH_UP_SECONDS = 2;

const round6 = (n: number): number => Math.round(n * 1e6) / 1e6;

/** `Allow Bash: rm -rf dist?` → tool `Bash`, summary `rm -rf dist`: what the inbox shows. */
export function permissionParts(request: string): { tool: string; summary: string } {
  const m = /^Allow (\w+)[^:]*: (.*?)\??$/.exec(request);
  return m ? { tool: m[1]!, summary: m[2]! } : { tool: 'permission', summary: request };
}

/**
 * Create a fleet simulator. Every event it emits passes `checkEventData`; task percents rise monotonically to 100;
 * `total_cost_usd` only grows; at most `maxSessions` sessions are alive.
 * @example
 * const sim = createFleetSimulator({ publish: (batch) => server.publish(batch), random: createSeededRandom(7) });
 * sim.start();
 */
export function createFleetSimulator(options: FleetSimulatorOptions): FleetSimulator {
  const dice: Dice = createDice(options.random ?? Math.random);
  const now = options.now ?? Date.now;
  const rate = options.rate ?? DEFAULT_DEMO_RATE;
  const maxSessions = Math.max(1, Math.floor(options.maxSessions ?? DEFAULT_DEMO_MAX_SESSIONS));
  const minSessions = Math.max(1, maxSessions - 2);
  const tickIntervalMs = options.tickIntervalMs ?? DEFAULT_DEMO_TICK_INTERVAL_MS;
  const awaitDecisions = options.awaitDecisions ?? false;
  const approvalTimeoutS = options.approvalTimeoutS ?? DEFAULT_DEMO_APPROVAL_TIMEOUT_S;
  if (!(rate > 0) || !Number.isFinite(rate)) throw new Error(`rate must be a positive number of events per second, got ${rate}`);

  const sessions = new Map<string, SimSession>();
  const agents = new Map<string, SimAgent>();
  const swarms = new Map<string, SimSwarm>();
  const tasks = new Map<string, SimTask>();
  let totalCost = 0;
  let emitted = 0;
  let budget = 0;
  let lastTick = now();
  let timer: ReturnType<typeof setInterval> | undefined;

  const newId = (prefix: string) => `${prefix}-${dice.token(8)}`;
  const ev = (topic: string, data: Record<string, unknown>): EventInput => ({ topic, data });

  // --- the moves; each returns the events of one state change -------------------------------------------------

  function createSession(): EventInput[] {
    const s: SimSession = {
      id: newId('sess'),
      name: `${dice.pick(SESSION_VERBS)}-${dice.pick(SESSION_NOUNS)}`,
      target: dice.pick(TARGETS),
      agentsToStart: dice.int(1, 3),
      agents: new Set(),
    };
    sessions.set(s.id, s);
    return [ev('session.created', { id: s.id, name: s.name, target: s.target })];
  }

  function startAgent(s: SimSession): EventInput[] {
    const a: SimAgent = { id: newId('agent'), session_id: s.id, name: dice.pick(AGENT_ROLES), actionsLeft: dice.int(3, 8), waiting: false };
    agents.set(a.id, a);
    s.agents.add(a.id);
    s.agentsToStart--;
    return [ev('agent.started', { id: a.id, session_id: s.id, name: a.name, detail: `working on ${s.name}` })];
  }

  function costOf(a: SimAgent): EventInput {
    const target = sessions.get(a.session_id)?.target ?? 'claude';
    const tokensIn = dice.int(400, 6000);
    const tokensOut = dice.int(80, 1500);
    const price = PRICE_PER_MILLION[target];
    const cost = round6((tokensIn * price.in + tokensOut * price.out) / 1e6);
    totalCost = round6(totalCost + cost);
    return ev('metrics.cost_updated', {
      session_id: a.session_id, agent_id: a.id, cost_usd: cost, tokens_in: tokensIn, tokens_out: tokensOut, total_cost_usd: totalCost,
    });
  }

  function agentStep(a: SimAgent): EventInput[] {
    const base = { id: a.id, session_id: a.session_id, name: a.name };
    if (a.waiting) {
      a.waiting = false;
      const decision = a.decision ?? 'allow';
      a.decision = undefined;
      if (decision === 'allow') return [ev('agent.action', { ...base, detail: 'permission granted, continuing' }), costOf(a)];
      // Denied or unanswered: the step is skipped and the agent moves on.
      a.actionsLeft = Math.max(0, a.actionsLeft - 1);
      return [ev('agent.action', { ...base, detail: decision === 'deny' ? 'permission denied, skipping that step' : 'no answer in time, skipping that step' })];
    }
    if (a.actionsLeft > 0) {
      if (dice.chance(0.08)) {
        a.waiting = true;
        const request = dice.pick(PERMISSION_REQUESTS);
        const { tool, summary } = permissionParts(request);
        return [ev('agent.permission_requested', {
          ...base, detail: request, tool, summary, timeout_s: approvalTimeoutS,
        })];
      }
      a.actionsLeft--;
      return [ev('agent.action', { ...base, detail: dice.pick(TOOL_ACTIONS)(dice.pick(FILES)) }), costOf(a)];
    }
    const out = dice.chance(0.85)
      ? [ev('agent.completed', { ...base, detail: 'done: changes ready for review' })]
      : [ev('agent.failed', { ...base, detail: dice.pick(FAILURES) })];
    return [...out, ...retireAgent(a)];
  }

  /** Forget a finished agent; its swarm shrinks, and dissolves below two members. */
  function retireAgent(a: SimAgent): EventInput[] {
    agents.delete(a.id);
    sessions.get(a.session_id)?.agents.delete(a.id);
    const swarm = a.swarm ? swarms.get(a.swarm) : undefined;
    if (!swarm) return [];
    swarm.agents = swarm.agents.filter((id) => id !== a.id);
    if (swarm.agents.length >= 2) return [ev('swarm.updated', { id: swarm.id, agents: [...swarm.agents], goal: swarm.goal })];
    return dissolveSwarm(swarm);
  }

  function dissolveSwarm(swarm: SimSwarm): EventInput[] {
    swarms.delete(swarm.id);
    for (const id of swarm.agents) {
      const member = agents.get(id);
      if (member) member.swarm = undefined;
    }
    return [ev('swarm.dissolved', { id: swarm.id, agents: [] })];
  }

  function formSwarm(s: SimSession): EventInput[] {
    const members = [...s.agents].filter((id) => !agents.get(id)!.swarm);
    const swarm: SimSwarm = { id: newId('swarm'), session_id: s.id, agents: members, goal: dice.pick(SWARM_GOALS) };
    swarms.set(swarm.id, swarm);
    for (const id of members) agents.get(id)!.swarm = swarm.id;
    return [ev('swarm.formed', { id: swarm.id, agents: [...members], goal: swarm.goal, session_id: s.id })];
  }

  function endSession(s: SimSession): EventInput[] {
    sessions.delete(s.id);
    return [ev('session.ended', { id: s.id, name: s.name, target: s.target })];
  }

  function startTask(): EventInput[] {
    const kind = dice.chance(0.5) ? 'index' : 'search';
    const t: SimTask = { id: newId('task'), kind, percent: 0, subject: kind === 'index' ? dice.pick(DOCUMENTS) : dice.pick(QUERIES) };
    tasks.set(t.id, t);
    return [ev('task.started', { id: t.id, kind, percent: 0, message: taskMessage(t) })];
  }

  function taskMessage(t: SimTask): string {
    return t.kind === 'index' ? `indexing ${t.subject}` : `searching "${t.subject}"`;
  }

  function advanceTask(t: SimTask): EventInput[] {
    if (dice.chance(0.04)) {
      tasks.delete(t.id);
      return [ev('task.failed', { id: t.id, kind: t.kind, percent: t.percent, error: dice.pick(TASK_FAILURES) })];
    }
    const next = Math.min(100, t.percent + dice.int(7, 30));
    t.percent = next;
    if (next < 100) return [ev('task.progress', { id: t.id, kind: t.kind, percent: next, message: taskMessage(t) })];
    tasks.delete(t.id);
    const result = t.kind === 'index'
      ? ev('document.indexed', { id: newId('doc'), name: t.subject, task_id: t.id })
      : ev('search.completed', { id: newId('search'), query: t.subject, results: dice.int(0, 40), task_id: t.id });
    return [result, ev('task.completed', { id: t.id, kind: t.kind, percent: 100, message: taskMessage(t) })];
  }

  // --- choosing the next move -----------------------------------------------------------------------------------

  /** One state change, chosen by weight among the moves possible now. */
  function step(): EventInput[] {
    const live = [...sessions.values()];
    const canStartAgent = live.filter((s) => s.agentsToStart > 0 && s.agents.size < 3);
    const canEnd = live.filter((s) => s.agentsToStart === 0 && s.agents.size === 0);
    const canSwarm = swarms.size < MAX_SWARMS
      ? live.filter((s) => [...s.agents].filter((id) => !agents.get(id)!.swarm).length >= 2)
      : [];
    // An agent waiting for a person's answer has nothing to do until it comes.
    const ready = awaitDecisions ? [...agents.values()].filter((a) => !a.waiting || a.decision !== undefined) : [...agents.values()];
    const move = dice.weighted({
      createSession: sessions.size < minSessions ? 6 : sessions.size < maxSessions ? 0.6 : 0,
      startAgent: canStartAgent.length ? 3 : 0,
      agentStep: ready.length ? 6 : 0,
      endSession: canEnd.length ? 3 : 0,
      formSwarm: canSwarm.length ? 0.6 : 0,
      startTask: tasks.size < MAX_LIVE_TASKS ? 0.8 : 0,
      advanceTask: tasks.size ? 2.5 : 0,
    });
    switch (move) {
      case 'createSession': return createSession();
      case 'startAgent': return startAgent(dice.pick(canStartAgent));
      case 'agentStep': return agentStep(dice.pick(ready));
      case 'endSession': return endSession(dice.pick(canEnd));
      case 'formSwarm': return formSwarm(dice.pick(canSwarm));
      case 'startTask': return startTask();
      case 'advanceTask': return advanceTask(dice.pick([...tasks.values()]));
      default: return [];
    }
  }

  function windDown(): EventInput[] {
    const out: EventInput[] = [];
    for (const t of tasks.values()) out.push(ev('task.failed', { id: t.id, kind: t.kind, percent: t.percent, error: 'demo stopped' }));
    tasks.clear();
    for (const swarm of [...swarms.values()]) out.push(...dissolveSwarm(swarm));
    for (const a of [...agents.values()]) {
      out.push(ev('agent.completed', { id: a.id, session_id: a.session_id, name: a.name, detail: 'demo stopped' }));
      agents.delete(a.id);
    }
    for (const s of [...sessions.values()]) out.push(...endSession(s));
    return out;
  }

  function emit(batch: EventInput[]): EventInput[] {
    if (batch.length === 0) return batch;
    emitted += batch.length;
    options.publish(batch);
    return batch;
  }

  const simulator: FleetSimulator = {
    start() {
      if (timer) return;
      lastTick = now();
      // Not unref'd: a running simulator is what keeps `switchboard demo` alive.
      timer = setInterval(() => simulator.tick(), tickIntervalMs);
    },
    stop(stopOptions) {
      if (timer) clearInterval(timer);
      timer = undefined;
      return stopOptions?.windDown === false ? [] : emit(windDown());
    },
    tick() {
      const t = now();
      const elapsedSeconds = Math.min(Math.max(0, t - lastTick) / 1000, MAX_CATCH_UP_SECONDS);
      lastTick = t;
      budget += rate * elapsedSeconds;
      const batch: EventInput[] = [];
      // A move can emit 1–3 events; the budget may go slightly negative and is paid back next tick.
      while (budget >= 1) {
        const events = step();
        if (events.length === 0) break;
        batch.push(...events);
        budget -= events.length;
      }
      return emit(batch);
    },
    isRunning: () => timer !== undefined,
    decide(agentId, decision) {
      const a = agents.get(agentId);
      if (a?.waiting) a.decision = decision;
    },
    get emitted() {
      return emitted;
    },
  };
  return simulator;
}
