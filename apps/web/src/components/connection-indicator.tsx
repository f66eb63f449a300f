// The header's connection indicator (docs/architecture.md): Live, Connecting, Reconnecting in Ns,
// "Live updates unavailable — polling", or Offline; and, when the page is behind the fleet (it applies events that
// were appended seconds ago, or has changes not yet rendered), by how much.

import { useClient, useConnectionInfo, type ConnectionInfo } from '@switchboard/react';
import { behindText } from '../lib/format';
import { useNow } from '../lib/use-now';

/** Below this the page counts as current: a frame or two of batching and ordinary network latency. */
export const BEHIND_THRESHOLD_MS = 1000;

/** The words shown for a status, and how far behind the page is (`behindMs`, 0 when current). */
export function indicatorLabel(info: ConnectionInfo, now: number, behindMs = 0): string {
  switch (info.status) {
    case 'open':
      return behindMs >= BEHIND_THRESHOLD_MS ? `Live · ${behindText(behindMs)} behind` : 'Live';
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
  const client = useClient();
  // Re-read every second (useNow) and on every status change; a page too busy to render shows it once it can.
  const now = useNow();
  const behindMs = client.behindMs();
  const behind = info.status === 'open' && behindMs >= BEHIND_THRESHOLD_MS;
  return (
    <span
      className={`indicator indicator-${info.status}${behind ? ' indicator-behind' : ''}`}
      data-testid="connection-indicator"
      data-status={info.status}
      data-behind-ms={behind ? Math.round(behindMs) : undefined}
      role="status"
      aria-live="polite"
    >
      <span className="dot" aria-hidden="true" />
      {indicatorLabel(info, now, behindMs)}
    </span>
  );
}
