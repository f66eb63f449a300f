// Browser page lifecycle: close the client when the page goes away (docs/architecture.md, the 3D-client contract "graceful shutdown
// on page unload") and retry at once when the network comes back. The event target is injected for tests.

/** The part of `window` (any EventTarget) the client listens on. */
export interface PageTarget {
  addEventListener(type: string, listener: (event: { type: string }) => void): void;
  removeEventListener(type: string, listener: (event: { type: string }) => void): void;
}

/** Events that end the page; `pagehide` also covers bfcache and mobile Safari, which skip `beforeunload`. */
export const UNLOAD_EVENTS = ['pagehide', 'beforeunload'] as const;

/** Listen for unload and `online`; returns the function that removes the listeners. */
export function watchPage(
  target: PageTarget,
  handlers: { onUnload: (eventType: string) => void; onOnline: () => void },
): () => void {
  const unload = (event: { type: string }) => handlers.onUnload(event.type);
  const online = () => handlers.onOnline();
  for (const type of UNLOAD_EVENTS) target.addEventListener(type, unload);
  target.addEventListener('online', online);
  return () => {
    for (const type of UNLOAD_EVENTS) target.removeEventListener(type, unload);
    target.removeEventListener('online', online);
  };
}
