// Shared setup for the hook tests: a real server per test, `ws` as the WebSocket (Node 20 has none), a
// counter of sockets opened, and a StrictMode wrapper around a provider.

import { StrictMode, createElement, type ReactNode } from 'react';
import { WebSocket } from 'ws';
import type { WebSocketConstructor } from '@switchboard/client';
import { SwitchboardProvider, type PooledClientOptions } from '../src/index';

/** `ws` counting every socket it opens, per test. */
export function countingWebSocket(): { WebSocket: WebSocketConstructor; opened: () => number } {
  let opened = 0;
  class Counting extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      opened++;
    }
  }
  return { WebSocket: Counting as unknown as WebSocketConstructor, opened: () => opened };
}

/** A StrictMode + provider wrapper for renderHook. */
export function providerWrapper(url: string, options: PooledClientOptions) {
  return ({ children }: { children: ReactNode }) =>
    createElement(StrictMode, null, createElement(SwitchboardProvider, { url, options }, children));
}
