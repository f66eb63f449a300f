// Table tests of the documents and searches projections: upserts and the events that change nothing.

import { describe, expect, it } from 'vitest';
import { reduceDocuments } from '../src/documents';
import { reduceSearches } from '../src/searches';
import { at, deepFreeze, ev, fold } from './fixtures';

describe('reduceDocuments', () => {
  it.each([
    {
      name: 'document.indexed adds the document',
      events: [ev('document.indexed', { id: 'd1', name: 'README.md', bytes: 10 }, 1)],
      expected: { d1: { id: 'd1', name: 'README.md', indexed_at: at(1) } },
    },
    {
      name: 'document.indexed again updates name and time in place',
      events: [
        ev('document.indexed', { id: 'd1', name: 'a.md' }, 1),
        ev('document.indexed', { id: 'd2', name: 'b.md' }, 2),
        ev('document.indexed', { id: 'd1', name: 'A.md' }, 3),
      ],
      expected: { d1: { id: 'd1', name: 'A.md', indexed_at: at(3) }, d2: { id: 'd2', name: 'b.md', indexed_at: at(2) } },
    },
  ])('$name', ({ events, expected }) => {
    expect(fold(reduceDocuments, {}, events)).toStrictEqual(expected);
  });

  const start = deepFreeze(fold(reduceDocuments, {}, [ev('document.indexed', { id: 'd1', name: 'a.md' }, 1)]));
  it.each([
    ['another document.* topic', ev('document.deleted', { id: 'd1' }, 2)],
    ['data without an id', ev('document.indexed', { name: 'x' }, 2)],
    ['the same document indexed at the same time', ev('document.indexed', { id: 'd1', name: 'a.md' }, 1)],
  ])('returns the same slice for %s', (_name, event) => {
    expect(reduceDocuments(start, event)).toBe(start);
  });
});

describe('reduceSearches', () => {
  it.each([
    {
      name: 'search.completed adds the search with its result count',
      events: [ev('search.completed', { id: 'q1', query: 'backoff', results: 3 }, 1)],
      expected: { q1: { id: 'q1', query: 'backoff', results: 3, completed_at: at(1) } },
    },
    {
      name: 'search.completed again replaces query, count and time',
      events: [ev('search.completed', { id: 'q1', query: 'a', results: 3 }, 1), ev('search.completed', { id: 'q1', query: 'b', results: 0 }, 2)],
      expected: { q1: { id: 'q1', query: 'b', results: 0, completed_at: at(2) } },
    },
  ])('$name', ({ events, expected }) => {
    expect(fold(reduceSearches, {}, events)).toStrictEqual(expected);
  });

  const start = deepFreeze(fold(reduceSearches, {}, [ev('search.completed', { id: 'q1', query: 'a', results: 1 }, 1)]));
  it.each([
    ['another search.* topic', ev('search.started', { id: 'q2', query: 'x' }, 2)],
    ['data that is not an object', ev('search.completed', 'q1', 2)],
    ['the same search completed at the same time', ev('search.completed', { id: 'q1', query: 'a', results: 1 }, 1)],
  ])('returns the same slice for %s', (_name, event) => {
    expect(reduceSearches(start, event)).toBe(start);
  });
});
