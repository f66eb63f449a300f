// Defaults of the terminal dashboard (README.md#dashboard), named once.

/** Topic patterns the dashboard subscribes to: the seed's four families, tasks for the feed, approvals for the inbox. */
export const TUI_TOPICS: readonly string[] = ['session.*', 'agent.*', 'swarm.*', 'metrics.*', 'task.*', 'approval.*'];

/** Decided approvals the inbox lists under the pending ones. @default 5 */
export const INBOX_RECENT_DECIDED = 5;

/** Renders are coalesced to at most one per this many ms, so 50 events/s never flicker. @default 100 */
export const RENDER_INTERVAL_MS = 100;

/** Activity feed entries kept; older ones are dropped. @default 200 */
export const FEED_LIMIT = 200;

/** Smallest layout the dashboard is designed for; smaller terminals still render, clipped. */
export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;

/** How often the reconnect countdown in the stats bar is refreshed. @default 1000 */
export const COUNTDOWN_TICK_MS = 1000;
