// React glue over the dashboard store: renders at most once per interval however fast events arrive.

import { useEffect, useState } from 'react';
import { RENDER_INTERVAL_MS } from './constants';
import type { DashboardStore, DashboardView } from './dashboard-store';
import { createThrottle } from './throttle';

/**
 * The store's current view, re-read at most once every `intervalMs`. The store keeps every change; only the
 * re-render is coalesced, so a burst of 50 events/s costs ten renders a second and the last change always shows.
 */
export function useDashboardView(store: DashboardStore, intervalMs: number = RENDER_INTERVAL_MS): DashboardView {
  const [view, setView] = useState(() => store.getView());
  useEffect(() => {
    const render = createThrottle(() => setView(store.getView()), intervalMs);
    const off = store.subscribe(() => render.schedule());
    // Changes between the first render and this effect would otherwise wait for the next event.
    render.schedule();
    return () => {
      off();
      render.cancel();
    };
  }, [store, intervalMs]);
  return view;
}
