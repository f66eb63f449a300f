// The dashboard: stats bar, session list and detail side by side, activity feed below, key hints at the bottom.
// Owns the keyboard and the UI state (ui-state.ts); the data comes from the store, re-read at most every 100 ms.
/** @jsxRuntime automatic */ // tsx reads the tsconfig of the cwd only; this keeps JSX working from any directory.

import { Box, Text, useApp, useInput } from 'ink';
import { useLayoutEffect, useMemo, useReducer, useRef } from 'react';
import { ActivityFeed } from './components/activity-feed';
import { DetailPane } from './components/detail-pane';
import { Help } from './components/help';
import { paneRows } from './components/pane';
import { SessionList } from './components/session-list';
import { StatsBar } from './components/stats-bar';
import { BEHIND_THRESHOLD_MS, connectionView } from './connection-view';
import { RENDER_INTERVAL_MS } from './constants';
import type { DashboardStore } from './dashboard-store';
import { fitColumns } from './format';
import { computeLayout } from './layout';
import { effectiveSelection, INITIAL_UI_STATE, reduceUi, type UiContext } from './ui-state';
import { useDashboardView } from './use-dashboard-view';
import { useNow } from './use-now';
import { useTerminalSize, type TerminalSize } from './use-terminal-size';
import { fleetStats, sessionDetail, sessionRows } from './view-model';

export interface AppProps {
  store: DashboardStore;
  /** Fixed size instead of the terminal's (tests). */
  size?: TerminalSize;
  /** Read the keyboard; off when stdin is not a terminal. @default true */
  interactive?: boolean;
  /** Renders are coalesced to one per this many ms. @default 100 */
  renderIntervalMs?: number;
}

/** Rows moved by page up / page down. */
const PAGE = 5;

/**
 * The whole terminal dashboard for one store. `q` closes the store's client (code 1000) and exits the Ink app.
 *
 * @example
 * const store = createDashboardStore(createClient({ url, topics: TUI_TOPICS }));
 * await render(<App store={store} />).waitUntilExit();
 */
export function App({ store, size, interactive = true, renderIntervalMs = RENDER_INTERVAL_MS }: AppProps) {
  const view = useDashboardView(store, renderIntervalMs);
  const terminal = useTerminalSize();
  const { columns, rows } = size ?? terminal;
  const { exit } = useApp();
  const [ui, dispatch] = useReducer(reduceUi, INITIAL_UI_STATE);

  const behindMs = store.behindMs();
  // The clock also ticks while the dashboard is behind, so "Ns behind" clears once it has caught up even if no
  // event arrives after that.
  const counting = (view.retryAtMs !== null && (view.status === 'reconnecting' || view.status === 'polling')) || behindMs >= BEHIND_THRESHOLD_MS;
  const now = useNow(counting);
  const stats = useMemo(() => fleetStats(view.fleet), [view.fleet]);
  const list = useMemo(() => sessionRows(view.fleet), [view.fleet]);
  const ids = useMemo(() => list.map((r) => r.id), [list]);
  const selected = effectiveSelection(ids, ui.selectedId);
  const detail = useMemo(() => sessionDetail(view.fleet, selected), [view.fleet, selected]);
  const layout = computeLayout(columns, rows);

  // What moves are clamped to, as of the last commit: the input handler may run before the next render.
  const context = useRef<UiContext>({ ids: [], agentCount: 0, feedMax: 0 });
  useLayoutEffect(() => {
    context.current = {
      ids,
      agentCount: detail?.agents.length ?? 0,
      // Scrolling stops once the oldest entry is in view.
      feedMax: Math.max(0, view.feed.length - paneRows(layout.feedHeight)),
    };
  });

  useInput(
    (input, key) => {
      const move = (delta: number) => dispatch({ type: 'move', delta, context: context.current });
      if (input === 'q') {
        store.close();
        exit();
      } else if (input === '?') dispatch({ type: 'toggle_help' });
      else if (key.escape) dispatch({ type: 'close_help' });
      else if (key.tab) dispatch({ type: 'tab', step: key.shift ? -1 : 1 });
      else if (key.upArrow || input === 'k') move(-1);
      else if (key.downArrow || input === 'j') move(1);
      else if (key.pageUp) move(-PAGE);
      else if (key.pageDown) move(PAGE);
      else if (input === 'g' || key.home) move(-Infinity);
      else if (input === 'G' || key.end) move(Infinity);
      else if (input === 'p') store.ping();
    },
    { isActive: interactive },
  );

  const hints = ui.showHelp ? '? or esc: close help · q quit' : '↑↓/jk move · tab pane · p ping · ? help · q quit';
  return (
    <Box flexDirection="column" width={layout.width}>
      <StatsBar stats={stats} connection={connectionView(view.status, view.retryAtMs, now, behindMs)} queuedFrames={view.queuedFrames} width={layout.width} />
      {ui.showHelp ? (
        <Help width={layout.width} height={layout.topHeight + layout.feedHeight} />
      ) : (
        <>
          <Box height={layout.topHeight} width={layout.width}>
            <SessionList rows={list} selectedId={selected} focused={ui.focus === 'sessions'} width={layout.listWidth} height={layout.topHeight} />
            <DetailPane detail={detail} offset={ui.detailOffset} focused={ui.focus === 'detail'} width={layout.detailWidth} height={layout.topHeight} />
          </Box>
          <ActivityFeed entries={view.feed} offset={ui.feedOffset} focused={ui.focus === 'activity'} width={layout.width} height={layout.feedHeight} />
        </>
      )}
      <Box height={1} width={layout.width}>
        <Text color="gray" wrap="truncate-end">
          {fitColumns(hints, view.url, layout.width)}
        </Text>
      </Box>
    </Box>
  );
}
