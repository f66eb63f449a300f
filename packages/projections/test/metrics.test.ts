// Table tests of the metrics projection: cost totals, the per-session breakdown and its cap.

import { describe, expect, it } from 'vitest';
import { MAX_SESSION_COSTS } from '../src/constants';
import { initialState } from '../src/fleet';
import { reduceMetrics } from '../src/metrics';
import type { MetricsView, ProjectedEvent } from '../src/state';
import { at, deepFreeze, ev, fold } from './fixtures';

const empty = (): MetricsView => initialState().metrics;
const cost = (data: Record<string, unknown>, n: number) =>
  ev('metrics.cost_updated', { cost_usd: 0, tokens_in: 0, tokens_out: 0, total_cost_usd: 0, ...data }, n);

const cases: Array<{ name: string; events: ProjectedEvent[]; expected: MetricsView }> = [
  {
    name: 'a cost update adds to the totals and to its session',
    events: [cost({ session_id: 's1', agent_id: 'a1', cost_usd: 0.5, tokens_in: 100, tokens_out: 20, total_cost_usd: 0.5 }, 1)],
    expected: {
      cost_usd: 0.5, tokens_in: 100, tokens_out: 20, total_cost_usd: 0.5,
      by_session: { s1: { cost_usd: 0.5, tokens_in: 100, tokens_out: 20 } },
      updated_at: at(1),
    },
  },
  {
    name: 'updates accumulate per session and total_cost_usd is the latest reported',
    events: [
      cost({ session_id: 's1', cost_usd: 0.5, tokens_in: 100, tokens_out: 20, total_cost_usd: 10.5 }, 1),
      cost({ session_id: 's2', cost_usd: 0.25, tokens_in: 10, tokens_out: 2, total_cost_usd: 10.75 }, 2),
      cost({ session_id: 's1', cost_usd: 0.25, tokens_in: 50, tokens_out: 5, total_cost_usd: 11 }, 3),
    ],
    expected: {
      cost_usd: 1, tokens_in: 160, tokens_out: 27, total_cost_usd: 11,
      by_session: { s2: { cost_usd: 0.25, tokens_in: 10, tokens_out: 2 }, s1: { cost_usd: 0.75, tokens_in: 150, tokens_out: 25 } },
      updated_at: at(3),
    },
  },
  {
    name: 'an update without session_id only changes the totals',
    events: [cost({ agent_id: 'a1', cost_usd: 2, tokens_in: 7, tokens_out: 3, total_cost_usd: 2 }, 4)],
    expected: { cost_usd: 2, tokens_in: 7, tokens_out: 3, total_cost_usd: 2, by_session: {}, updated_at: at(4) },
  },
  {
    name: 'an update without a usable total_cost_usd keeps the previous one',
    events: [cost({ cost_usd: 1, total_cost_usd: 5 }, 1), ev('metrics.cost_updated', { cost_usd: 1, tokens_in: 1, tokens_out: 1 }, 2)],
    expected: { cost_usd: 2, tokens_in: 1, tokens_out: 1, total_cost_usd: 5, by_session: {}, updated_at: at(2) },
  },
  {
    name: 'non-numeric increments count as zero',
    events: [ev('metrics.cost_updated', { cost_usd: 'lots', tokens_in: Number.NaN, tokens_out: null, total_cost_usd: 1 }, 1)],
    expected: { cost_usd: 0, tokens_in: 0, tokens_out: 0, total_cost_usd: 1, by_session: {}, updated_at: at(1) },
  },
];

describe('reduceMetrics', () => {
  it.each(cases)('$name', ({ events, expected }) => {
    expect(fold(reduceMetrics, empty(), events)).toStrictEqual(expected);
  });

  it('moves the session charged last to the end of by_session', () => {
    const out = fold(reduceMetrics, empty(), [
      cost({ session_id: 's1', cost_usd: 1 }, 1),
      cost({ session_id: 's2', cost_usd: 1 }, 2),
      cost({ session_id: 's1', cost_usd: 1 }, 3),
    ]);
    expect(Object.keys(out.by_session)).toStrictEqual(['s2', 's1']);
  });

  it(`keeps the ${MAX_SESSION_COSTS} sessions charged most recently, totals intact`, () => {
    const events = Array.from({ length: MAX_SESSION_COSTS + 1 }, (_, i) => cost({ session_id: `s${i}`, cost_usd: 1, tokens_in: 1 }, i));
    const out = fold(reduceMetrics, empty(), [...events, cost({ session_id: 's0', cost_usd: 1 }, MAX_SESSION_COSTS + 1)]);
    expect(Object.keys(out.by_session)).toHaveLength(MAX_SESSION_COSTS);
    expect(out.by_session.s1).toBeUndefined();
    expect(out.by_session.s0).toStrictEqual({ cost_usd: 1, tokens_in: 0, tokens_out: 0 });
    expect(out.cost_usd).toBe(MAX_SESSION_COSTS + 2);
  });

  const start = deepFreeze(fold(reduceMetrics, empty(), [cost({ session_id: 's1', cost_usd: 1, total_cost_usd: 1 }, 1)]));
  it.each([
    ['another metrics.* topic', ev('metrics.sampled', { cost_usd: 1 }, 2)],
    ['data that is not an object', ev('metrics.cost_updated', [1, 2], 2)],
    ['a zero update at the same time for a known session', cost({ session_id: 's1', total_cost_usd: 1 }, 1)],
  ])('returns the same slice for %s', (_name, event) => {
    expect(reduceMetrics(start, event)).toBe(start);
  });
});
