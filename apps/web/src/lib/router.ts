// A tiny history router: the path is the state (so views are linkable and the server's index.html fallback
// serves them), `navigate` pushes, and `popstate` (back/forward) re-renders.

import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The current pathname. */
export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname, () => '/');
}

/** Go to `path` (same-origin) without reloading. */
export function navigate(path: string): void {
  if (path === window.location.pathname + window.location.search) return;
  window.history.pushState(null, '', path);
  listeners.forEach((l) => l());
}

/** `/instances/agent-1` → `['instances', 'agent-1']`. */
export function segments(path: string): string[] {
  return path.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
}
