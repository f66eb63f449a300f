// The dashboard: stats bar, session list and detail side by side, activity feed below, key hints at the bottom.
// Owns the keyboard and the UI state (ui-state.ts); the data comes from the store, re-read at most every 100 ms.
/** @jsxRuntime automatic */ // tsx reads the tsconfig of the cwd only; this keeps JSX working from any directory.

import { Box, Text, useApp, useInput } from 'ink';
import { useLayoutEffect, useMemo, useReducer, useRef } from 'react';
import { ActivityFeed } from './components/activity-feed';
import { DetailPane } from './components/detail-pane';
import { Help } from './components/help';
import { InboxPane } from './components/inbox-pane';
import { InstancesPane } from './components/instances-pane';
import { paneRows } from './components/pane';
import { SessionList } from './components/session-list';
import { StatsBar } from './components/stats-bar';
import { BEHIND_THRESHOLD_MS, connectionView } from './connection-view';
import { RENDER_INTERVAL_MS } from './constants';
import type { DashboardStore } from './dashboard-store';
import { fitColumns } from './format';
import { computeLayout } from './layout';
import { inboxRows, recentDecisions } from './inbox';
import { instanceRows } from './instances';
import { decisionTargets, effectiveSelection, INITIAL_UI_STATE, reduceUi, type UiAction, type UiContext, type UiState } from './ui-state';
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

/** The server URL beside the key hints when both fit; the hints matter more (80 columns leave no room). */
function hintsRoomFor(hints: string, url: string, width: number): string {
  return [...hints].length + 1 + [...url].length <= width ? url : '';
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
  const [ui, dispatchUi] = useReducer(reduceUi, INITIAL_UI_STATE);
  // The same state, folded at once: a key handler can run before React renders (or re-subscribes the handler), and
  // which mode the next key lands in (inbox, reason prompt) must follow the key before it. The reducer is pure, so
  // the mirror never differs from the rendered state once React catches up.
  const uiNow = useRef<UiState>(INITIAL_UI_STATE);
  const dispatch = (action: UiAction) => {
    uiNow.current = reduceUi(uiNow.current, action);
    dispatchUi(action);
  };

  const behindMs = store.behindMs();
  const counting = view.retryAtMs !== null && (view.status === 'reconnecting' || view.status === 'polling');
  // The inbox's wait times and the instances' restart countdowns tick too; so does "Ns behind", so it clears once
  // caught up even if no event arrives.
  const now = useNow(counting || ui.inbox || ui.instances || behindMs >= BEHIND_THRESHOLD_MS);
  const pending = useMemo(() => inboxRows(view.fleet), [view.fleet]);
  const pendingIds = useMemo(() => pending.map((r) => r.id), [pending]);
  const decided = useMemo(() => recentDecisions(view.fleet), [view.fleet]);
  const inboxSelected = effectiveSelection(pendingIds, ui.inboxSelectedId);
  const instances = useMemo(() => instanceRows(view.instances), [view.instances]);
  const instanceNames = useMemo(() => instances.map((r) => r.name), [instances]);
  const instancesSelected = effectiveSelection(instanceNames, ui.instancesSelectedId);
  const stats = useMemo(() => fleetStats(view.fleet), [view.fleet]);
  const list = useMemo(() => sessionRows(view.fleet), [view.fleet]);
  const ids = useMemo(() => list.map((r) => r.id), [list]);
  const selected = effectiveSelection(ids, ui.selectedId);
  const detail = useMemo(() => sessionDetail(view.fleet, selected), [view.fleet, selected]);
  const layout = computeLayout(columns, rows);

  // What moves are clamped to, as of the last commit: the input handler may run before the next render.
  const context = useRef<UiContext>({ ids: [], agentCount: 0, feedMax: 0 });
  const inboxIds = useRef<readonly string[]>([]);
  const instanceIds = useRef<readonly string[]>([]);
  useLayoutEffect(() => {
    inboxIds.current = pendingIds;
    instanceIds.current = instanceNames;
  });
  // The instances stream starts the first time the view opens.
  useLayoutEffect(() => {
    if (ui.instances) store.watchInstances();
  }, [ui.instances, store]);
  // Open inbox: everything arriving is seen.
  useLayoutEffect(() => {
    if (ui.inbox && view.unread > 0) store.markInboxRead();
  }, [ui.inbox, view.unread, store]);
  useLayoutEffect(() => {
    context.current = {
      ids,
      agentCount: detail?.agents.length ?? 0,
      // Scrolling stops once the oldest entry is in view.
      feedMax: Math.max(0, view.feed.length - paneRows(layout.feedHeight)),
    };
  });

  const decide = (targets: readonly string[], decision: 'allow' | 'deny', reason?: string) => {
    if (targets.length === 0) return;
    dispatch({ type: 'decided', ids: targets });
    void store.decide(targets, decision, reason);
  };

  useInput(
    (input, key) => {
      const move = (delta: number) => dispatch({ type: 'move', delta, context: context.current });
      const current = uiNow.current;
      // The reason prompt takes every key until enter or esc.
      if (current.reason) {
        if (key.escape) dispatch({ type: 'reason_close' });
        else if (key.return) decide(current.reason.targets, 'deny', current.reason.text.trim() || undefined);
        else if (key.backspace || key.delete) dispatch({ type: 'reason_backspace' });
        else if (input && !key.ctrl && !key.meta && !key.tab && !key.upArrow && !key.downArrow) dispatch({ type: 'reason_input', text: input });
        return;
      }
      if (current.inbox && !current.showHelp) {
        const ids = inboxIds.current;
        if (input === 'i' || key.escape) dispatch({ type: 'toggle_inbox' });
        else if (input === 'q') {
          store.close();
          exit();
        } else if (input === '?') dispatch({ type: 'toggle_help' });
        else if (key.upArrow || input === 'k') dispatch({ type: 'inbox_move', delta: -1, ids });
        else if (key.downArrow || input === 'j') dispatch({ type: 'inbox_move', delta: 1, ids });
        else if (input === 'g' || key.home) dispatch({ type: 'inbox_move', delta: -Infinity, ids });
        else if (input === 'G' || key.end) dispatch({ type: 'inbox_move', delta: Infinity, ids });
        else if (input === ' ') dispatch({ type: 'inbox_mark', ids });
        else if (input === 'a') decide(decisionTargets(uiNow.current, ids), 'allow');
        else if (input === 'd') decide(decisionTargets(uiNow.current, ids), 'deny');
        else if (input === 'r') dispatch({ type: 'reason_open', targets: decisionTargets(uiNow.current, ids) });
        else if (input === 'n') dispatch({ type: 'toggle_instances' });
        return;
      }
      if (current.instances && !current.showHelp) {
        const ids = instanceIds.current;
        if (input === 'n' || key.escape) dispatch({ type: 'toggle_instances' });
        else if (input === 'i') dispatch({ type: 'toggle_inbox' });
        else if (input === 'q') {
          store.close();
          exit();
        } else if (input === '?') dispatch({ type: 'toggle_help' });
        else if (key.upArrow || input === 'k') dispatch({ type: 'instances_move', delta: -1, ids });
        else if (key.downArrow || input === 'j') dispatch({ type: 'instances_move', delta: 1, ids });
        else if (key.pageUp) dispatch({ type: 'instances_move', delta: -PAGE, ids });
        else if (key.pageDown) dispatch({ type: 'instances_move', delta: PAGE, ids });
        else if (input === 'g' || key.home) dispatch({ type: 'instances_move', delta: -Infinity, ids });
        else if (input === 'G' || key.end) dispatch({ type: 'instances_move', delta: Infinity, ids });
        return;
      }
      if (input === 'i') dispatch({ type: 'toggle_inbox' });
      else if (input === 'n') dispatch({ type: 'toggle_instances' });
      else if (input === 'q') {
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

  const hints = ui.showHelp
    ? '? or esc: close help · q quit'
    : ui.inbox
      ? '↑↓/jk move · space mark · a approve · d deny · r deny with reason · i/esc back · q quit'
      : ui.instances
        ? '↑↓/jk move · n/esc back · i inbox · ? help · q quit'
        : '↑↓/jk move · tab pane · i inbox · n instances · ? help · q quit';
  return (
    <Box flexDirection="column" width={layout.width}>
      <StatsBar stats={stats} connection={connectionView(view.status, view.retryAtMs, now, behindMs)} queuedFrames={view.queuedFrames} width={layout.width} inbox={{ pending: pending.length, unread: view.unread }} />
      {ui.showHelp ? (
        <Help width={layout.width} height={layout.topHeight + layout.feedHeight} />
      ) : ui.inbox ? (
        <InboxPane
          rows={pending}
          decided={decided}
          selectedId={inboxSelected}
          marked={new Set(ui.marked)}
          reason={ui.reason ? { count: ui.reason.targets.length, text: ui.reason.text } : null}
          now={now}
          width={layout.width}
          height={layout.topHeight + layout.feedHeight}
        />
      ) : ui.instances ? (
        <InstancesPane
          rows={instances}
          loaded={view.instances.loaded}
          link={view.instancesLink}
          selectedId={instancesSelected}
          now={now}
          width={layout.width}
          height={layout.topHeight + layout.feedHeight}
        />
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
          {fitColumns(hints, hintsRoomFor(hints, view.url, layout.width), layout.width)}
        </Text>
      </Box>
    </Box>
  );
}
