// The 3D-client contract's hook shapes over the SDK: `useWebSocket(url)` → `{ events, isConnected }` and
// `useWebSocketEvent(type, callback)`.

import { useEffect, useReducer, useState, useSyncExternalStore } from 'react';
import { Batcher, notifyScheduler, type SwitchboardClient, type SwitchboardEvent } from '@switchboard/client';
import { acquireClient, clientKey, peekClient, type PooledClientOptions } from './client-pool';
import { connectionTracker } from './connection-tracker';
import { DEFAULT_MAX_EVENTS } from './constants';
import { useOptionalClient } from './context';
import { useEvent } from './use-event';

/** An event as the 3D-client contract's subscribers see it: the SDK event plus the frame's `type` (its topic). */
export type WebSocketEvent<D = unknown> = SwitchboardEvent<D> & { type: string };

export interface UseWebSocketOptions extends PooledClientOptions {
  /** Events kept in `events`, newest last. @default 100 */
  maxEvents?: number;
}

export interface UseWebSocketResult {
  /** Events received since mount, oldest first, at most `maxEvents`. */
  events: WebSocketEvent[];
  /** The socket is open (not reconnecting, polling or closed). */
  isConnected: boolean;
  client: SwitchboardClient;
}

const toWebSocketEvent = <D,>(e: SwitchboardEvent<D>): WebSocketEvent<D> => ({ ...e, type: e.topic });

/**
 * Connect to `url` (e.g. `ws://localhost:8000/ws/agents`, or an http base) and collect its events. Without a
 * `url`, uses the provider's client. Clients made from a URL are shared by every hook with the same URL and
 * options, reconnect with backoff, and close after the last user unmounts.
 *
 * @example
 * const { events, isConnected } = useWebSocket('ws://localhost:8000/ws/agents', { topics: ['task.*'] });
 */
export function useWebSocket(url?: string, options: UseWebSocketOptions = {}): UseWebSocketResult {
  const { maxEvents = DEFAULT_MAX_EVENTS, ...clientOptions } = options;
  const fromContext = useOptionalClient();
  const key = url ? clientKey(url, clientOptions) : null;
  const client = key ? peekClient(key, url!, clientOptions) : fromContext;
  if (!client) throw new Error('switchboard react: useWebSocket() needs a url or a <SwitchboardProvider>');
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (!key) return;
    const { client: acquired, release } = acquireClient(key);
    if (acquired !== client) rerender(); // see SwitchboardProvider
    return release;
  }, [key, client]);

  const [events, setEvents] = useState<WebSocketEvent[]>([]);
  useEffect(() => {
    // Events arriving within one animation frame become one state update and one render, not one each.
    let incoming: WebSocketEvent[] = [];
    const batch = new Batcher(() => {
      const arrived = incoming;
      incoming = [];
      setEvents((prev) => appendBounded(prev, arrived, maxEvents));
    }, notifyScheduler('frame'));
    const off = client.on('event', (e) => {
      incoming.push(toWebSocketEvent(e));
      if (incoming.length > maxEvents) incoming = incoming.slice(incoming.length - maxEvents);
      batch.request();
    });
    return () => {
      off();
      batch.cancel();
    };
  }, [client, maxEvents]);
  const tracker = connectionTracker(client);
  const info = useSyncExternalStore(tracker.subscribe, tracker.get, tracker.get);
  return { events, isConnected: info.status === 'open', client };
}

/** `prev` followed by `arrived`, keeping the newest `max`. */
function appendBounded<T>(prev: T[], arrived: T[], max: number): T[] {
  if (arrived.length === 0) return prev;
  const all = prev.concat(arrived);
  return all.length > max ? all.slice(all.length - max) : all;
}

/**
 * Call `callback` for every event of `type` (exact topic or pattern such as `task.*`), with the 3D-client event
 * shape. The latest callback is used; re-renders never resubscribe.
 *
 * @example
 * useWebSocketEvent('document.indexed', (e) => notify.success(`${e.data.name} indexed`));
 */
export function useWebSocketEvent<D = unknown>(type: string, callback: (event: WebSocketEvent<D>) => void, client?: SwitchboardClient): void {
  useEvent<D>(type, (e) => callback(toWebSocketEvent(e)), client);
}
