// The instances view's feed: `/ws/instances` (a snapshot, then deltas) through the shared stream pieces of
// @switchboard/react — its reconnecting socket with backoff and keepalive, and the REST polling fallback on
// `GET /api/instances` while the socket cannot connect — folded by instances.ts. No React here.

import type { WebSocketConstructor } from '@switchboard/client';
import type { InstanceInfo } from '@switchboard/protocol';
import { LiveStream, streamUrl } from '@switchboard/react';
import { WebSocket } from 'ws';
import { fillInstance, INITIAL_INSTANCES, reduceInstances, type InstancesState } from './instances';

export interface InstancesStreamOptions {
  /** The server's `http(s)://host[:port]` base. */
  httpBase: string;
  token?: string;
  /** @default the `ws` package (Node 20 has no global WebSocket) */
  WebSocket?: WebSocketConstructor;
  /** REST polling period while the socket is down. @default 5000 */
  pollIntervalMs?: number;
}

/** A started stream of the instances; `close()` it when done. */
export function openInstancesStream(options: InstancesStreamOptions): LiveStream<InstancesState> {
  const { httpBase, token } = options;
  const stream = new LiveStream<InstancesState>({
    url: streamUrl(httpBase, '/ws/instances', {}, token),
    WebSocket: options.WebSocket ?? (WebSocket as unknown as WebSocketConstructor),
    initial: INITIAL_INSTANCES,
    reduce: reduceInstances,
    pollIntervalMs: options.pollIntervalMs ?? 5000,
    poll: async (_state, signal) => {
      const res = await fetch(`${httpBase}/api/instances`, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal });
      if (!res.ok) throw new Error(`GET /api/instances answered ${res.status}`);
      const body = (await res.json()) as { instances: InstanceInfo[] };
      return reduceInstances(INITIAL_INSTANCES, { type: 'snapshot', instances: body.instances });
    },
  });
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  // `instance_created` carries name, port and status only; the policy and command come from one REST read.
  stream.socket.onFrame((frame) => {
    if (frame.type !== 'instance_created' || typeof frame.name !== 'string') return;
    void fetch(`${httpBase}/api/instances/${encodeURIComponent(frame.name)}`, { headers })
      .then(async (res) => (res.ok ? ((await res.json()) as InstanceInfo) : null))
      .then((info) => {
        if (info && stream.socket.info.status !== 'closed') stream.mutate((state) => fillInstance(state, info));
      })
      // A failed read leaves the row as the frame gave it; the next snapshot or update completes it.
      .catch(() => undefined);
  });
  stream.start();
  return stream;
}
