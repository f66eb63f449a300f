import { describe, expect, it } from 'vitest';
import { effectiveSelection, INITIAL_UI_STATE, reduceUi, type UiAction, type UiContext, type UiState } from '../src/ui-state';

const context: UiContext = { ids: ['a', 'b', 'c'], agentCount: 4, feedMax: 10 };
const run = (actions: UiAction[], from: UiState = INITIAL_UI_STATE) => actions.reduce(reduceUi, from);
const move = (delta: number): UiAction => ({ type: 'move', delta, context });
const tab: UiAction = { type: 'tab', step: 1 };

describe('reduceUi', () => {
  it('moves the session selection from the first row', () => {
    expect(run([move(1)]).selectedId).toBe('b');
    expect(run([move(1), move(1), move(1)]).selectedId).toBe('c');
    expect(run([move(1), move(-5)]).selectedId).toBe('a');
  });

  it('applies keys that arrive together in order: tab, tab, down scrolls the feed', () => {
    const s = run([tab, tab, move(1)]);
    expect(s).toMatchObject({ focus: 'activity', feedOffset: 1, selectedId: null });
  });

  it('scrolls the detail pane within its agents and resets it when the selection changes', () => {
    const s = run([tab, move(10)]);
    expect(s.detailOffset).toBe(3);
    expect(run([{ type: 'tab', step: -1 }, move(1)], s)).toMatchObject({ selectedId: 'b', detailOffset: 0 });
  });

  it('clamps the feed to what can scroll', () => {
    expect(run([tab, tab, move(Infinity)]).feedOffset).toBe(10);
    expect(run([tab, tab, move(-Infinity)]).feedOffset).toBe(0);
  });

  it('ignores navigation while the help is shown, and esc closes it', () => {
    const open = run([{ type: 'toggle_help' }]);
    expect(run([tab, move(1)], open)).toBe(open);
    expect(run([{ type: 'close_help' }], open).showHelp).toBe(false);
    expect(run([{ type: 'toggle_help' }], open).showHelp).toBe(false);
  });
});

describe('effectiveSelection', () => {
  it('keeps a listed selection and falls back to the first row', () => {
    expect(effectiveSelection(['a', 'b'], 'b')).toBe('b');
    expect(effectiveSelection(['a', 'b'], 'gone')).toBe('a');
    expect(effectiveSelection(['a', 'b'], null)).toBe('a');
    expect(effectiveSelection([], null)).toBeNull();
  });
});
