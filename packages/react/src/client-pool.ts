// Clients created from a URL (by `<SwitchboardProvider url>` or `useWebSocket(url)`) are pooled by their
// options, so StrictMode and several components asking for the same server share one client and one socket.

import { createClient, type ClientOptions, type SwitchboardClient } from '@switchboard/client';
import { ResourcePool } from './resource-pool';

/** Options of a pooled client; `url` comes separately. `autoConnect` is managed by the pool. */
export type PooledClientOptions = Omit<ClientOptions, 'url' | 'autoConnect'>;

const settings = new Map<string, ClientOptions>();

const pool = new ResourcePool<SwitchboardClient>({
  create: (key) => createClient({ ...settings.get(key)!, autoConnect: false }),
  open: (client) => client.connect(),
  close: (client) => client.close(),
});

/**
 * The pool key: the options compared by value (functions and constructors by identity, via a per-value id),
 * so an inline `{ topics: ['task.*'] }` object does not create a new client on every render.
 */
export function clientKey(url: string, options: PooledClientOptions = {}): string {
  const parts: Record<string, unknown> = { url };
  for (const [name, value] of Object.entries(options).sort(([a], [b]) => a.localeCompare(b))) {
    parts[name] = typeof value === 'function' || (typeof value === 'object' && value !== null && !Array.isArray(value)) ? identity(value) : value;
  }
  return JSON.stringify(parts);
}

const ids = new WeakMap<object, number>();
let nextId = 1;
function identity(value: object): string {
  let id = ids.get(value);
  if (id === undefined) ids.set(value, (id = nextId++));
  return `#${id}`;
}

/** The pooled client for `key` (created unconnected if needed); safe to call during render. */
export function peekClient(key: string, url: string, options: PooledClientOptions): SwitchboardClient {
  if (!settings.has(key)) settings.set(key, { ...options, url });
  return pool.peek(key);
}

/** Take a reference (connects on the first); `release` gives it back, `client` is the pooled instance. */
export function acquireClient(key: string): { client: SwitchboardClient; release: () => void } {
  const { value, release } = pool.acquire(key);
  return { client: value, release };
}
