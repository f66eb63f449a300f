import { describe, expect, it } from 'vitest';
import { connectionView } from '../src/connection-view';
import { fitColumns, formatCost, formatTokens, truncate } from '../src/format';
import { computeLayout, moveSelection, nextPane } from '../src/layout';

describe('computeLayout', () => {
  it.each([
    [80, 24],
    [100, 30],
    [200, 60],
  ])('fits %i×%i in one row less than the terminal', (columns, rows) => {
    const l = computeLayout(columns, rows);
    expect(l.width).toBe(columns);
    expect(l.listWidth + l.detailWidth).toBe(columns);
    expect(1 + l.topHeight + l.feedHeight + 1).toBe(rows - 1);
    expect(l.listWidth).toBeGreaterThanOrEqual(28);
    expect(l.feedHeight).toBeGreaterThanOrEqual(8);
  });
});

describe('navigation', () => {
  it('moves the selection within the list, counting no selection as the first row', () => {
    expect(moveSelection(['a', 'b', 'c'], null, 1)).toBe('b');
    expect(moveSelection(['a', 'b', 'c'], 'a', 1)).toBe('b');
    expect(moveSelection(['a', 'b', 'c'], 'c', 1)).toBe('c');
    expect(moveSelection(['a', 'b', 'c'], 'b', -Infinity)).toBe('a');
    expect(moveSelection(['a', 'b', 'c'], 'gone', 1)).toBe('b');
    expect(moveSelection([], 'a', 1)).toBeNull();
  });

  it('cycles panes in tab order both ways', () => {
    expect(nextPane('sessions', 1)).toBe('detail');
    expect(nextPane('activity', 1)).toBe('sessions');
    expect(nextPane('sessions', -1)).toBe('activity');
  });
});

describe('format', () => {
  it('truncates with an ellipsis and never returns more than the width', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
    expect(truncate('a\nb', 4)).toBe('a b');
    expect(truncate('abc', 0)).toBe('');
  });

  it('fits two columns into an exact width, cutting the left one first', () => {
    expect(fitColumns('name', '$1', 10)).toBe('name    $1');
    expect(fitColumns('a-long-name', '$1.00', 10)).toBe('a-l… $1.00');
    expect(fitColumns('x', 'far-too-wide', 5)).toBe('far-…');
  });

  it('formats money and tokens', () => {
    expect(formatCost(0.01234)).toBe('$0.0123');
    expect(formatCost(12.345)).toBe('$12.35');
    expect(formatTokens(950)).toBe('950');
    expect(formatTokens(12_345)).toBe('12.3k');
    expect(formatTokens(4_500_000)).toBe('4.5M');
  });
});

describe('connectionView behind the fleet', () => {
  it('says how far behind a live dashboard is, in yellow, from a second on', () => {
    expect(connectionView('open', null, 0, 999)).toMatchObject({ text: 'live', color: 'green' });
    expect(connectionView('open', null, 0, 3_400)).toMatchObject({ text: 'live · 3s behind', color: 'yellow' });
    expect(connectionView('reconnecting', null, 0, 3_400).text).toBe('reconnecting…');
  });
});

describe('connectionView', () => {
  it.each([
    ['open', null, 'live', 'green'],
    ['connecting', null, 'connecting…', 'cyan'],
    ['reconnecting', 3_500, 'reconnecting in 4s', 'yellow'],
    ['reconnecting', null, 'reconnecting…', 'yellow'],
    ['polling', 10_000, 'polling · retry in 10s', 'magenta'],
    ['polling', null, 'polling', 'magenta'],
    ['closed', null, 'offline', 'red'],
  ] as const)('shows %s (retry in %s ms) as "%s"', (status, inMs, text, color) => {
    const now = 1_000_000;
    expect(connectionView(status, inMs === null ? null : now + inMs, now)).toMatchObject({ text, color });
  });

  it('stops counting once the retry time has passed', () => {
    expect(connectionView('reconnecting', 1000, 2000).text).toBe('reconnecting…');
  });
});
