// Finds a WebSocket implementation: the one injected, else the global one (browsers, Node ≥ 22), else the
// `ws` package (Node 20 has no global WebSocket). Only the subset of the WHATWG API the SDK uses is typed.

/** The part of the WHATWG `WebSocket` the SDK relies on; `ws` and browser sockets both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string; wasClean?: boolean }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  /** `ws` only: destroy the TCP socket without a close handshake (used when the peer is silent). */
  terminate?: () => void;
}

/** A `WebSocket` constructor: the global one, `ws`'s default export, or a test double. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

let wsPackage: Promise<WebSocketConstructor> | undefined;

/**
 * Resolve the constructor once per client. `ws` is imported lazily and by a computed name, so browser
 * bundles never pull it in (its browser entry only throws).
 */
export async function loadWebSocket(injected?: WebSocketConstructor): Promise<WebSocketConstructor> {
  if (injected) return injected;
  const global = (globalThis as { WebSocket?: unknown }).WebSocket;
  if (typeof global === 'function') return global as WebSocketConstructor;
  wsPackage ??= (async () => {
    const name = 'ws';
    const mod = (await import(/* @vite-ignore */ name)) as { default?: unknown; WebSocket?: unknown };
    const ctor = mod.WebSocket ?? mod.default;
    if (typeof ctor !== 'function') {
      throw new Error('switchboard client: no WebSocket available; pass the `WebSocket` option or install `ws`');
    }
    return ctor as WebSocketConstructor;
  })().catch((error: unknown) => {
    wsPackage = undefined; // let a later client try again
    throw error;
  });
  return wsPackage;
}
