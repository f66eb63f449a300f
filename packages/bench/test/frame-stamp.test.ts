// The generator's frame scanner and latency histogram, as tables (pure modules, no sockets).

import { describe, expect, it } from 'vitest';
import { readStamp, type Stamp } from '../src/frame-stamp';
import { LatencyHistogram } from '../src/histogram';

describe('readStamp', () => {
  const cases: Array<[string, Stamp | null]> = [
    ['{"type":"bench.tick","seq":1,"ts":"x","data":{"agent":"a","i":0,"t":12.5}}', { i: 0, t: 12.5 }],
    ['{"type":"bench.tick","seq":9,"ts":"x","data":{"i":12345,"t":987654.321}}', { i: 12345, t: 987654.321 }],
    ['{"type":"bench.tick","seq":9,"ts":"x","data":{"i":7,"t":42}}', { i: 7, t: 42 }],
    ['{"type":"subscribed","topics":["bench.*"]}', null],
    ['{"data":{"i":"x","t":1}}', null],
    ['{"data":{"i":3}}', null],
    ['{"data":{"j":3,"t":1}}', null],
    ['}', null],
  ];
  it.each(cases)('reads %s', (text, expected) => {
    const out: Stamp = { i: -1, t: -1 };
    expect(readStamp(Buffer.from(text), out)).toBe(expected !== null);
    if (expected) {
      expect(out.i).toBe(expected.i);
      expect(out.t).toBeCloseTo(expected.t, 9);
    }
  });
});

describe('LatencyHistogram', () => {
  it('reports percentiles within 1 % and merges across generators', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    for (let us = 1; us <= 50_000; us++) (us % 2 ? a : b).record(us);
    a.merge(b.toSparse());
    expect(a.count).toBe(50_000);
    expect(a.percentileUs(0.5) / 25_000).toBeCloseTo(1, 1);
    expect(a.percentileUs(0.99) / 49_500).toBeCloseTo(1, 1);
    expect(a.percentileUs(1)).toBe(50_000);
    expect(a.maxUs).toBe(50_000);
  });
});
