// End-to-end freshness (docs/operations.md): the SDK estimates the server clock's offset from timed ping/pong round
// trips, measures publish → receive for live events only, exposes p50/p99 and the offset in `stats()`, and reports
// the figures to the server, which feeds `switchboard_client_freshness_seconds`. A client whose clock is a minute
// off still reports sane figures.

import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import { createClient, type SwitchboardClient, type Timers, type WebSocketConstructor } from '../src/index';
import { FreshnessMeter } from '../src/freshness';
import { fastBackoff } from './helpers/harness';
import { waitFor } from './helpers/wait';

const servers: TestServer[] = [];
const clients: SwitchboardClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

/** The platform's timers with a clock `skewMs` off the real one. */
const skewed = (skewMs: number): Timers => ({
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
  now: () => Date.now() + skewMs,
});

async function metricValue(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : NaN;
}

describe('freshness', () => {
  it.each([['a minute ahead', 60_000], ['a minute behind', -60_000]])(
    'a client whose clock is %s measures sane figures and the server receives them',
    { timeout: 20_000 },
    async (_name, skewMs) => {
      const s = await startTestServer();
      servers.push(s);
      const c = createClient({
        url: s.url,
        topics: ['custom.*'],
        WebSocket: WebSocket as unknown as WebSocketConstructor,
        backoff: fastBackoff,
        pageTarget: null,
        timers: skewed(skewMs),
        freshnessReportMs: 200,
        pingIntervalMs: 100,
      });
      clients.push(c);
      await waitFor(() => c.stats().clockOffsetMs !== null, { message: 'a timed pong' });
      // The server's clock minus ours: about -skew, within the round trip.
      expect(Math.abs(c.stats().clockOffsetMs! + skewMs)).toBeLessThan(500);

      for (let i = 0; i < 5; i++) await s.server.publish([{ topic: 'custom.tick', data: { i } }]);
      await waitFor(() => c.stats().count === 5, { message: 'five live events measured' });
      const st = c.stats();
      expect(st.p50Ms).toBeGreaterThanOrEqual(0);
      expect(st.p99Ms).toBeLessThan(1000);

      await waitFor(async () => (await metricValue(s.url, 'switchboard_client_freshness_seconds_count')) === 5, { message: 'the report' });
      expect(await metricValue(s.url, 'switchboard_client_freshness_seconds_sum')).toBeLessThan(5);
    },
  );

  it('replayed events on resume are not counted as fresh', { timeout: 20_000 }, async () => {
    const s = await startTestServer();
    servers.push(s);
    const c = createClient({ url: s.url, topics: ['custom.*'], WebSocket: WebSocket as unknown as WebSocketConstructor, backoff: fastBackoff, pageTarget: null, pingIntervalMs: 100 });
    clients.push(c);
    await waitFor(() => c.stats().clockOffsetMs !== null && c.cursor !== null);
    await s.server.publish([{ topic: 'custom.live', data: {} }]);
    await waitFor(() => c.stats().count === 1);
    c.close();
    await s.server.publish([{ topic: 'custom.missed', data: {} }, { topic: 'custom.missed', data: {} }]);
    c.connect();
    await waitFor(() => c.cursor?.seq === 3, { message: 'the replay' });
    await s.server.publish([{ topic: 'custom.live', data: {} }]);
    await waitFor(() => c.cursor?.seq === 4);
    await waitFor(() => c.stats().count === 2);
  });
});

describe('FreshnessMeter', () => {
  it('takes the offset from the round trip with the smallest rtt and measures nothing before it', () => {
    let now = 1_000_000;
    const m = new FreshnessMeter(() => now);
    m.onEvent(new Date(now).toISOString());
    expect(m.stats()).toEqual({ count: 0, p50Ms: null, p99Ms: null, clockOffsetMs: null, rttMs: null });
    // A slow round trip (rtt 400, offset 5 000 + 200), then a quick one (rtt 10): the quick one wins.
    m.onPong({ t: now - 400, server_ts: now + 5000 - 200 });
    m.onPong({ t: now - 10, server_ts: now + 5000 - 5 });
    expect(m.stats()).toMatchObject({ clockOffsetMs: 5000, rttMs: 10 });
    now += 100;
    m.onEvent(new Date(now + 5000 - 30).toISOString()); // appended 30 ms ago on the server's clock
    expect(m.stats()).toMatchObject({ count: 1, p50Ms: 30, p99Ms: 30 });
    expect(JSON.parse(m.takeReport()!)).toEqual({ type: 'freshness', samples_ms: [30] });
    expect(m.takeReport()).toBeNull();
    m.onPong({ server_ts: 1 });
    m.onPong({ t: now + 50, server_ts: 1 }); // from the future: ignored
    expect(m.stats().rttMs).toBe(10);
  });
});
