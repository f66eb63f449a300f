// The header's connection indicator (SPEC §9, seed 002): Live, Connecting, Reconnecting in Ns,
// "Live updates unavailable — polling", or Offline.

import { useConnectionInfo, type ConnectionInfo } from '@switchboard/react';
import { useNow } from '../lib/use-now';

/** The words shown for a status. */
export function indicatorLabel(info: ConnectionInfo, now: number): string {
  switch (info.status) {
    case 'open':
      return 'Live';
    case 'connecting':
      return 'Connecting…';
    case 'reconnecting': {
      if (info.retryAt === null) return 'Reconnecting…';
      const s = Math.max(0, Math.ceil((info.retryAt - now) / 1000));
      return s > 0 ? `Reconnecting in ${s}s` : 'Reconnecting…';
    }
    case 'polling':
      return 'Live updates unavailable — polling';
    case 'closed':
      return 'Offline';
  }
}

export function ConnectionIndicator() {
  const info = useConnectionInfo();
  const now = useNow();
  return (
    <span className={`indicator indicator-${info.status}`} data-testid="connection-indicator" data-status={info.status} role="status" aria-live="polite">
      <span className="dot" aria-hidden="true" />
      {indicatorLabel(info, now)}
    </span>
  );
}
