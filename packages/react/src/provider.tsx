// `<SwitchboardProvider>`: puts ONE SDK client in context, either given (`client`, not owned) or made from
// `url` (owned: connected while mounted, closed after the last provider for it unmounts).

import { useEffect, useReducer, type ReactNode } from 'react';
import type { SwitchboardClient } from '@switchboard/client';
import { acquireClient, clientKey, peekClient, type PooledClientOptions } from './client-pool';
import { SwitchboardContext } from './context';

export type SwitchboardProviderProps =
  | { client: SwitchboardClient; url?: undefined; options?: undefined; children?: ReactNode }
  | {
      client?: undefined;
      /** Server base URL (`http://127.0.0.1:8000`, or `/` for the page's own server). */
      url: string;
      /** Client options (topics, token, WebSocket, …), compared by value. */
      options?: PooledClientOptions;
      children?: ReactNode;
    };

/**
 * Provide a Switchboard client to the hooks below it. With `url`, the client is created outside effects and
 * pooled by its options, so React StrictMode never opens two sockets; it connects on mount and closes after
 * unmount. With `client`, the caller owns the client's lifecycle.
 *
 * @example
 * <SwitchboardProvider url="http://127.0.0.1:8000" options={{ topics: ['task.*', 'agent.*'] }}>
 *   <App />
 * </SwitchboardProvider>
 */
export function SwitchboardProvider(props: SwitchboardProviderProps): ReactNode {
  const key = props.client ? null : clientKey(props.url, props.options);
  const client = props.client ?? peekClient(key!, props.url!, props.options ?? {});
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (!key) return;
    const { client: acquired, release } = acquireClient(key);
    // A render that committed after the pooled client was dropped saw the old one: render again with the new.
    if (acquired !== client) rerender();
    return release;
  }, [key, client]);
  return <SwitchboardContext.Provider value={client}>{props.children}</SwitchboardContext.Provider>;
}
