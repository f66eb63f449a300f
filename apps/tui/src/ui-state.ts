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
  /** The inbox (`i`) in place of the panes. */
  inbox: boolean;
  /** The selected approval in the inbox; null or one no longer pending means "the first row". */
  inboxSelectedId: string | null;
  /** Approvals marked with space; the next decision applies to them (else to the selected one). */
  marked: readonly string[];
  /** The `r` prompt: the approvals it will deny and the reason typed so far. */
  reason: { targets: readonly string[]; text: string } | null;
  /** The instances view (`n`) in place of the panes; never open together with the inbox. */
  instances: boolean;
  /** The selected instance; null or one no longer listed means "the first row". */
  instancesSelectedId: string | null;
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
  | { type: 'close_help' }
  | { type: 'toggle_inbox' }
  | { type: 'toggle_instances' }
  | { type: 'instances_move'; delta: number; ids: readonly string[] }
  | { type: 'inbox_move'; delta: number; ids: readonly string[] }
  | { type: 'inbox_mark'; ids: readonly string[] }
  | { type: 'reason_open'; targets: readonly string[] }
  | { type: 'reason_input'; text: string }
  | { type: 'reason_backspace' }
  | { type: 'reason_close' }
  | { type: 'decided'; ids: readonly string[] };

/** Longest reason the prompt takes (the server's limit). */
export const MAX_REASON_LENGTH = 1000;

export const INITIAL_UI_STATE: UiState = {
  focus: 'sessions',
  selectedId: null,
  detailOffset: 0,
  feedOffset: 0,
  showHelp: false,
  inbox: false,
  inboxSelectedId: null,
  marked: [],
  reason: null,
  instances: false,
  instancesSelectedId: null,
};

/** The next UI state. While the help is shown only help actions do anything. */
export function reduceUi(state: UiState, action: UiAction): UiState {
  switch (action.type) {
    case 'toggle_help':
      return { ...state, showHelp: !state.showHelp };
    case 'close_help':
      return state.showHelp ? { ...state, showHelp: false } : state;
    case 'tab':
      return state.showHelp || state.inbox || state.instances ? state : { ...state, focus: nextPane(state.focus, action.step) };
    case 'toggle_inbox':
      return state.showHelp ? state : { ...state, inbox: !state.inbox, instances: false, reason: null };
    case 'toggle_instances':
      return state.showHelp ? state : { ...state, instances: !state.instances, inbox: false, reason: null };
    case 'instances_move': {
      const instancesSelectedId = moveSelection(action.ids, state.instancesSelectedId, action.delta);
      return instancesSelectedId === state.instancesSelectedId ? state : { ...state, instancesSelectedId };
    }
    case 'inbox_move': {
      const inboxSelectedId = moveSelection(action.ids, state.inboxSelectedId, action.delta);
      return inboxSelectedId === state.inboxSelectedId ? state : { ...state, inboxSelectedId };
    }
    case 'inbox_mark': {
      const id = effectiveSelection(action.ids, state.inboxSelectedId);
      if (id === null) return state;
      const marked = state.marked.includes(id) ? state.marked.filter((m) => m !== id) : [...state.marked, id];
      return { ...state, marked };
    }
    case 'reason_open':
      return action.targets.length === 0 ? state : { ...state, reason: { targets: action.targets, text: '' } };
    case 'reason_input':
      if (!state.reason) return state;
      return { ...state, reason: { ...state.reason, text: (state.reason.text + action.text).slice(0, MAX_REASON_LENGTH) } };
    case 'reason_backspace':
      return state.reason ? { ...state, reason: { ...state.reason, text: [...state.reason.text].slice(0, -1).join('') } } : state;
    case 'reason_close':
      return state.reason ? { ...state, reason: null } : state;
    case 'decided':
      return { ...state, marked: state.marked.filter((m) => !action.ids.includes(m)), reason: null };
    case 'move': {
      if (state.showHelp || state.inbox || state.instances) return state;
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

/**
 * What a decision key applies to: the marked approvals that are still pending, else the selected one (the first row
 * when none is selected); empty when nothing is pending.
 */
export function decisionTargets(state: UiState, ids: readonly string[]): string[] {
  const marked = state.marked.filter((m) => ids.includes(m));
  if (marked.length > 0) return marked;
  const selected = effectiveSelection(ids, state.inboxSelectedId);
  return selected === null ? [] : [selected];
}

/** The session shown as selected: `selectedId` while it is listed, else the first row; null for an empty list. */
export function effectiveSelection(ids: readonly string[], selectedId: string | null): string | null {
  return selectedId !== null && ids.includes(selectedId) ? selectedId : (ids[0] ?? null);
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}
