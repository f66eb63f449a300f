// Reconnect backoff (docs/architecture.md): 1, 2, 4, 8, 16 s then 30 s, with jitter delay × (0.5 + random × 0.5).

import { BACKOFF_STEPS_MS } from './constants';

/**
 * Delay before reconnect attempt `attempt` (1-based). `random` is in [0, 1) and injected so the table is testable.
 * @example backoffDelay(3, 1) // 4000 before jitter → 4000 × 1.0
 */
export function backoffDelay(attempt: number, random: number): number {
  const index = Math.min(Math.max(attempt, 1), BACKOFF_STEPS_MS.length) - 1;
  const base = BACKOFF_STEPS_MS[index]!;
  return Math.round(base * (0.5 + random * 0.5));
}
