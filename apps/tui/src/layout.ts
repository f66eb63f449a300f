// Where each widget goes for a terminal size. Pure. Designed for 80×24 and up; smaller sizes still fit, cramped.

export type PaneId = 'sessions' | 'detail' | 'activity';

/** Tab order of the panes. */
export const PANES: readonly PaneId[] = ['sessions', 'detail', 'activity'];

export interface Layout {
  /** Width of every full-width row. */
  width: number;
  /** Height of the session list and the detail pane (they share a row). */
  topHeight: number;
  /** Height of the activity feed. */
  feedHeight: number;
  listWidth: number;
  detailWidth: number;
}

/** Rows outside the panes: the stats bar and the key hints. */
const CHROME_ROWS = 2;

/**
 * The layout for a `columns` × `rows` terminal. It uses `rows - 1` rows: a frame as tall as the terminal makes
 * Ink clear the whole screen on every render, which is the flicker this dashboard avoids.
 */
export function computeLayout(columns: number, rows: number): Layout {
  const width = Math.max(20, columns);
  const panesHeight = Math.max(6, rows - 1 - CHROME_ROWS);
  const topHeight = Math.max(3, Math.ceil(panesHeight * 0.55));
  const feedHeight = Math.max(3, panesHeight - topHeight);
  const listWidth = Math.min(Math.max(28, Math.floor(width * 0.4)), width - 20);
  return { width, topHeight, feedHeight, listWidth, detailWidth: width - listWidth };
}

/** The pane after (`step` 1) or before (`step` -1) `pane` in tab order, wrapping around. */
export function nextPane(pane: PaneId, step: 1 | -1): PaneId {
  const i = PANES.indexOf(pane);
  return PANES[(i + step + PANES.length) % PANES.length]!;
}

/**
 * The id `delta` rows away from `selectedId` in `ids`, clamped to the list. Nothing selected (or something no
 * longer listed) counts as the first row, which is what the list shows as selected. Null for an empty list.
 */
export function moveSelection(ids: readonly string[], selectedId: string | null, delta: number): string | null {
  if (ids.length === 0) return null;
  const i = Math.max(0, selectedId === null ? 0 : ids.indexOf(selectedId));
  return ids[Math.min(ids.length - 1, Math.max(0, i + delta))]!;
}
