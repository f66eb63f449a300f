// @switchboard/tui: the terminal dashboard (`switchboard tui`, README.md#dashboard), built with Ink on the SDK.
export { runTui, type RunTuiOptions } from './run-tui';
export { App, type AppProps } from './app';
export { createDashboardStore, type DashboardClient, type DashboardStore, type DashboardStoreOptions, type DashboardView, type InstancesLink } from './dashboard-store';
export { INITIAL_INSTANCES, instanceRows, reduceInstances, restartCountdown, type InstanceRecord, type InstanceRow, type InstancesState } from './instances';
export { openInstancesStream, type InstancesStreamOptions } from './instances-stream';
export { connectionView, type ConnectionView } from './connection-view';
export {
  appendFeed,
  feedEntryFor,
  fleetStats,
  isActiveAgent,
  sessionDetail,
  sessionRows,
  totalCost,
  type AgentRow,
  type FeedEntry,
  type FeedEvent,
  type FeedLevel,
  type FleetStats,
  type SessionDetail,
  type SessionRow,
} from './view-model';
export { createThrottle, type Throttle, type ThrottleTimers } from './throttle';
export { computeLayout, moveSelection, nextPane, PANES, type Layout, type PaneId } from './layout';
export { FEED_LIMIT, RENDER_INTERVAL_MS, TUI_TOPICS } from './constants';
