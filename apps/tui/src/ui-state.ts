// The dashboard's own state (focus, selection, scroll, help) and how keys change it. Pure: a reducer.
//
// Keys are folded by a reducer, not by setters reading the last render: two keys in one stdin chunk ("\tj") are
// handled before React renders in between, and each must see the focus the previous one set.

import { moveSelection, nextPane, type PaneId } from './layout';

export interface UiState {
  focus: PaneId;
  /** The selected session; null or an id no longer listed means "the first row". */
  selectedId: string | null;
  /** Agent rows scrolled past in the detail pane. */
  detailOffset: number;
  /** Feed entries scrolled past, counted from the newest. */
  feedOffset: number;
  showHelp: boolean;
}

/** What the data looks like right now; moves are clamped to it. */
export interface UiContext {
  /** Session ids in list order. */
  ids: readonly string[];
  /** Agents in the selected session's detail. */
  agentCount: number;
  /** Largest useful feed offset (entries beyond what fits). */
  feedMax: number;
}

export type UiAction =
  | { type: 'tab'; step: 1 | -1 }
  | { type: 'move'; delta: number; context: UiContext }
  | { type: 'toggle_help' }
  | { type: 'close_help' };

export const INITIAL_UI_STATE: UiState = { focus: 'sessions', selectedId: null, detailOffset: 0, feedOffset: 0, showHelp: false };

/** The next UI state. While the help is shown only help actions do anything. */
export function reduceUi(state: UiState, action: UiAction): UiState {
  switch (action.type) {
    case 'toggle_help':
      return { ...state, showHelp: !state.showHelp };
    case 'close_help':
      return state.showHelp ? { ...state, showHelp: false } : state;
    case 'tab':
      return state.showHelp ? state : { ...state, focus: nextPane(state.focus, action.step) };
    case 'move': {
      if (state.showHelp) return state;
      const { delta, context } = action;
      if (state.focus === 'sessions') {
        const selectedId = moveSelection(context.ids, state.selectedId, delta);
        return selectedId === state.selectedId ? state : { ...state, selectedId, detailOffset: 0 };
      }
      if (state.focus === 'detail') {
        return { ...state, detailOffset: clamp(state.detailOffset + delta, 0, Math.max(0, context.agentCount - 1)) };
      }
      return { ...state, feedOffset: clamp(state.feedOffset + delta, 0, context.feedMax) };
    }
  }
}

/** The session shown as selected: `selectedId` while it is listed, else the first row; null for an empty list. */
export function effectiveSelection(ids: readonly string[], selectedId: string | null): string | null {
  return selectedId !== null && ids.includes(selectedId) ? selectedId : (ids[0] ?? null);
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}
