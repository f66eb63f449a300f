// Per-test setup for SDK tests on real sockets: fake servers and clients made here are all closed in
// afterEach, and each client records what it emitted.

import { afterEach } from 'vitest';
import { WebSocket } from 'ws';
import { backoffDelay } from '@switchboard/protocol';
import { createClient, type ClientOptions, type SwitchboardClient, type WebSocketConstructor } from '../../src/index';
import type { ClientError, RetryEvent, SnapshotEvent, SubscribedEvent } from '../../src/client-events';
import type { StateChange } from '../../src/connection-state';
import type { SwitchboardEvent } from '../../src/event-router';
import { FakeServer } from './fake-server';

/** Real backoff table, a hundred times faster: 5–300 ms. */
export const fastBackoff = (attempt: number, random: number): number => backoffDelay(attempt, random) / 100;

export interface Recorded {
  states: StateChange[];
  events: SwitchboardEvent[];
  snapshots: SnapshotEvent[];
  subscribed: SubscribedEvent[];
  errors: ClientError[];
  retries: RetryEvent[];
}

export function record(client: SwitchboardClient): Recorded {
  const r: Recorded = { states: [], events: [], snapshots: [], subscribed: [], errors: [], retries: [] };
  client.on('state', (s) => r.states.push(s));
  client.on('event', (e) => r.events.push(e));
  client.on('snapshot', (s) => r.snapshots.push(s));
  client.on('subscribed', (s) => r.subscribed.push(s));
  client.on('error', (e) => r.errors.push(e));
  client.on('retry', (e) => r.retries.push(e));
  return r;
}

export function useHarness() {
  const servers: FakeServer[] = [];
  const clients: SwitchboardClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const s of servers.splice(0)) await s.close();
  });
  return {
    async server(): Promise<FakeServer> {
      const s = await FakeServer.start();
      servers.push(s);
      return s;
    },
    /** A client with `ws`, fast backoff, no page target; `record` starts before it connects. */
    client(options: ClientOptions): { client: SwitchboardClient; rec: Recorded } {
      const client = createClient({
        WebSocket: WebSocket as unknown as WebSocketConstructor,
        backoff: fastBackoff,
        pageTarget: null,
        ...options,
        autoConnect: false,
      });
      clients.push(client);
      const rec = record(client);
      if (options.autoConnect !== false) client.connect();
      return { client, rec };
    },
  };
}
