// The inbox's unread count: approval requests that arrived since the inbox was last on screen. One small store for
// the page, so the header badge and the inbox view agree without a context.

import { useSyncExternalStore } from 'react';

let unread = 0;
const listeners = new Set<() => void>();

function emit(): void {
  for (const l of [...listeners]) l();
}

function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** A request arrived while the inbox was not shown. */
export function markUnread(): void {
  unread++;
  emit();
}

/** The inbox is on screen: everything in it has been seen. */
export function markAllRead(): void {
  if (unread === 0) return;
  unread = 0;
  emit();
}

export function useUnreadCount(): number {
  return useSyncExternalStore(subscribe, () => unread, () => 0);
}
