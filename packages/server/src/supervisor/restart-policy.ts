// Automatic restarts (docs/control-plane.md "Restart policies"): which ends a policy restarts, the exponential
// backoff between attempts, and the crash-loop limit. Pure apart from the injected clock, so the schedule is
// unit-tested without waiting.

import type { RestartPolicy } from '@switchboard/protocol';

export interface RestartTiming {
  /** Delay before the first automatic restart. @default 1000 */
  initialDelayMs: number;
  /** The doubling stops here. @default 60000 */
  maxDelayMs: number;
  /** A run that stayed up this long counts as healthy: the next failure starts again at `initialDelayMs`. @default 30000 */
  resetAfterMs: number;
  /** Automatic restarts allowed within `crashLoopWindowMs`; the next end gives up (`crash_loop`). @default 5 */
  crashLoopLimit: number;
  /** @default 60000 */
  crashLoopWindowMs: number;
}

export const DEFAULT_RESTART_TIMING: RestartTiming = {
  initialDelayMs: 1000,
  maxDelayMs: 60_000,
  resetAfterMs: 30_000,
  crashLoopLimit: 5,
  crashLoopWindowMs: 60_000,
};

/** How a run ended, as far as the policy cares. */
export interface EndKind {
  /** A person stopped it (stop, restart, archive, delete): never restarted automatically. */
  requested: boolean;
  /** Exit code 0. Anything else — another code, a signal, a vanished pid, a failed spawn — is a failure. */
  clean: boolean;
}

export function wantsRestart(policy: RestartPolicy, end: EndKind): boolean {
  if (end.requested) return false;
  if (policy === 'always') return true;
  if (policy === 'on-failure') return !end.clean;
  return false;
}

/**
 * Delay before automatic restart `attempt` (1-based): initial × 2^(attempt−1), capped. Not the protocol's client
 * `backoffDelay`: that one is a fixed, jittered table, and these bounds are settings an operator reads in events.
 */
export function restartDelay(attempt: number, t: Pick<RestartTiming, 'initialDelayMs' | 'maxDelayMs'>): number {
  const exp = Math.min(Math.max(attempt, 1) - 1, 52);
  return Math.min(t.initialDelayMs * 2 ** exp, t.maxDelayMs);
}

export type RestartDecision = { action: 'restart'; attempt: number; delayMs: number; at: number } | { action: 'give_up'; restarts: number };

/**
 * One instance's restart bookkeeping between person-initiated starts: `started` when a run begins, `ended` when
 * it ends and the policy wants it back, `reset` when a person starts it (which also lifts a crash-loop stop).
 */
export class RestartTracker {
  /** Consecutive automatic restarts since the last healthy run; sets the next delay. */
  private attempt = 0;
  /** When each automatic restart was scheduled, within the crash-loop window. */
  private recent: number[] = [];
  private startedAt: number | null = null;

  constructor(private readonly timing: RestartTiming, private readonly now: () => number) {}

  started(): void {
    this.startedAt = this.now();
  }

  ended(): RestartDecision {
    const now = this.now();
    if (this.startedAt !== null && now - this.startedAt >= this.timing.resetAfterMs) this.attempt = 0;
    this.startedAt = null;
    this.recent = this.recent.filter((at) => now - at < this.timing.crashLoopWindowMs);
    if (this.recent.length >= this.timing.crashLoopLimit) return { action: 'give_up', restarts: this.recent.length };
    this.attempt += 1;
    this.recent.push(now);
    const delayMs = restartDelay(this.attempt, this.timing);
    return { action: 'restart', attempt: this.attempt, delayMs, at: now + delayMs };
  }

  reset(): void {
    this.attempt = 0;
    this.recent = [];
    this.startedAt = null;
  }
}
