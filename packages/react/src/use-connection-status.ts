// Connection status hooks: the status alone, or everything a header indicator shows.

import { useSyncExternalStore } from 'react';
import type { ConnectionStatus } from '@switchboard/client';
import { connectionTracker, type ConnectionInfo } from './connection-tracker';
import { useClient } from './context';

/**
 * Status, retry time and failure count of the provider's client; re-renders only when they change.
 *
 * @example
 * const { status, retryAt } = useConnectionInfo();
 */
export function useConnectionInfo(): ConnectionInfo {
  const tracker = connectionTracker(useClient());
  return useSyncExternalStore(tracker.subscribe, tracker.get, tracker.get);
}

/**
 * The provider client's status: `connecting`, `open`, `reconnecting`, `polling` or `closed` (docs/architecture.md).
 *
 * @example
 * const status = useConnectionStatus();
 * return <span>{statusLabel(status)}</span>;
 */
export function useConnectionStatus(): ConnectionStatus {
  return useConnectionInfo().status;
}
