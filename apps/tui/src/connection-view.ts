// The stats bar's connection indicator: SDK status plus the next reconnect time → icon, words and colour. Pure.

import type { ConnectionStatus } from '@switchboard/client';

export type IndicatorColor = 'green' | 'yellow' | 'red' | 'cyan' | 'magenta';

export interface ConnectionView {
  icon: string;
  text: string;
  color: IndicatorColor;
}

/** Below this the dashboard counts as current. */
export const BEHIND_THRESHOLD_MS = 1000;

/**
 * The indicator for `status`. `retryAtMs` is when the SDK's next reconnect attempt starts (from its `retry` event),
 * so `reconnecting` counts down in whole seconds; `nowMs` is the current time on the same clock. `behindMs` is how
 * far behind the fleet the dashboard is (the SDK's `behindMs()`), shown when it is a second or more.
 */
export function connectionView(status: ConnectionStatus, retryAtMs: number | null, nowMs: number, behindMs = 0): ConnectionView {
  const countdown = retryAtMs !== null && retryAtMs > nowMs ? Math.ceil((retryAtMs - nowMs) / 1000) : null;
  switch (status) {
    case 'open':
      if (behindMs >= BEHIND_THRESHOLD_MS) return { icon: '●', text: `live · ${Math.round(behindMs / 1000)}s behind`, color: 'yellow' };
      return { icon: '●', text: 'live', color: 'green' };
    case 'connecting':
      return { icon: '○', text: 'connecting…', color: 'cyan' };
    case 'reconnecting':
      return { icon: '◌', text: countdown === null ? 'reconnecting…' : `reconnecting in ${countdown}s`, color: 'yellow' };
    case 'polling':
      // docs/architecture.md: the socket keeps retrying behind the polling fallback; say when it tries next.
      return { icon: '◍', text: countdown === null ? 'polling' : `polling · retry in ${countdown}s`, color: 'magenta' };
    case 'closed':
      return { icon: '✕', text: 'offline', color: 'red' };
  }
}
