// The React context that carries the one SDK client of a `<SwitchboardProvider>`.

import { createContext, useContext } from 'react';
import type { SwitchboardClient } from '@switchboard/client';

export const SwitchboardContext = createContext<SwitchboardClient | null>(null);

/**
 * The client of the nearest `<SwitchboardProvider>`. Throws when there is none: every hook but
 * `useWebSocket(url)` and `useSessionsWebSocket({ url })` needs one.
 */
export function useClient(): SwitchboardClient {
  const client = useContext(SwitchboardContext);
  if (!client) {
    throw new Error('switchboard react: no client here; wrap the tree in <SwitchboardProvider url="…"> or <SwitchboardProvider client={…}>');
  }
  return client;
}

/** The provider's client, or null outside a provider (for hooks that can also work from a URL). */
export function useOptionalClient(): SwitchboardClient | null {
  return useContext(SwitchboardContext);
}
