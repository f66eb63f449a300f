// Batched change notification (docs/architecture.md, "Keeping up with a busy fleet"): events are applied at once,
// listeners hear about them once per batch. Batches are run by hand through an injected scheduler, never by sleeping.

import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { FleetState } from '@switchboard/projections';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import { Batcher, ClientStore, BEHIND_QUIET_MS, BehindMeter, createClient, notifyScheduler, type NotifyScheduler, type SwitchboardClient, type WebSocketConstructor } from '../src/index';
import type { SwitchboardEvent } from '../src/event-router';
import { waitFor } from './helpers/wait';

/** A scheduler whose slots run only when the test says so. */
function manualScheduler(): { schedule: NotifyScheduler; scheduled: () => number; run: () => void } {
  let slots: Array<{ fn: () => void; cancelled: boolean }> = [];
  return {
    schedule: (fn) => {
      const slot = { fn, cancelled: false };
      slots.push(slot);
      return () => {
        slot.cancelled = true;
      };
    },
    scheduled: () => slots.filter((s) => !s.cancelled).length,
    run: () => {
      const due = slots;
      slots = [];
      for (const s of due) if (!s.cancelled) s.fn();
    },
  };
}

const progress = (seq: number, percent = seq): SwitchboardEvent => ({
  seq,
  topic: 'task.progress',
  ts: '2026-01-01T00:00:00.000Z',
  data: { id: 't1', kind: 'index', percent },
});

describe('the client store with a batching scheduler', () => {
  it('applies events at once and tells listeners once per batch, with the state the last call saw as previous', () => {
    const manual = manualScheduler();
    let clock = 1000;
    const store = new ClientStore(['*'], (e) => {
      throw e;
    }, manual.schedule, () => clock);
    const calls: Array<[FleetState, FleetState]> = [];
    store.subscribe((s, p) => calls.push([s, p]));
    const initial = store.state;

    store.applySnapshot({ epoch: 'e', seq: 0, state: {} });
    clock = 1010;
    for (let seq = 1; seq <= 50; seq++) store.acceptEvent(progress(seq));
    expect(store.state.tasks.t1!.percent).toBe(50);
    expect(calls).toHaveLength(0);
    expect(manual.scheduled()).toBe(1);
    expect(store.pendingSince).toBe(1000);
    expect(store.version).toBe(0);

    manual.run();
    expect(calls).toHaveLength(1);
    expect(calls[0]![0]).toBe(store.state);
    expect(calls[0]![1]).toBe(initial);
    expect(store.version).toBe(1);
    expect(store.pendingSince).toBeNull();

    const seen = store.state;
    store.acceptEvent(progress(51));
    store.acceptEvent(progress(51)); // a duplicate asks for nothing
    manual.run();
    expect(calls).toHaveLength(2);
    expect(calls[1]![1]).toBe(seen);
    expect(store.version).toBe(2);
  });

  it('flush() tells listeners now and skips the scheduled batch; nothing owed means no call', () => {
    const manual = manualScheduler();
    const store = new ClientStore(['*'], () => {}, manual.schedule);
    let calls = 0;
    store.subscribe(() => calls++);
    store.flush();
    expect(calls).toBe(0);
    store.acceptEvent(progress(1));
    store.flush();
    expect(calls).toBe(1);
    manual.run();
    expect(calls).toBe(1);
  });

  it('without a scheduler (notify "sync") tells listeners after every change', () => {
    const store = new ClientStore(['*'], () => {}, notifyScheduler('sync'));
    let calls = 0;
    store.subscribe(() => calls++);
    for (let seq = 1; seq <= 3; seq++) store.acceptEvent(progress(seq));
    expect(calls).toBe(3);
    expect(store.version).toBe(3);
  });
});

describe('notify modes', () => {
  function fakeTimers() {
    const pending: Array<{ fn: () => void; ms: number; cleared: boolean }> = [];
    return {
      pending,
      timers: {
        setTimeout: (fn: () => void, ms: number) => {
          const t = { fn, ms, cleared: false };
          pending.push(t);
          return t;
        },
        clearTimeout: (h: unknown) => {
          (h as { cleared: boolean }).cleared = true;
        },
        now: () => 0,
      },
    };
  }

  it("'frame' uses requestAnimationFrame where there is one, a zero-delay timer where there is none", () => {
    const frames: Array<() => void> = [];
    const cancelled: number[] = [];
    const host = { requestAnimationFrame: (fn: () => void) => frames.push(fn), cancelAnimationFrame: (h: number) => cancelled.push(h) };
    const t = fakeTimers();
    let runs = 0;
    const batch = new Batcher(() => runs++, notifyScheduler('frame', t.timers, host));
    batch.request();
    batch.request();
    expect(frames).toHaveLength(1);
    expect(t.pending).toHaveLength(0);
    frames[0]!();
    expect(runs).toBe(1);
    batch.request();
    batch.cancel();
    expect(cancelled).toEqual([2]);

    const node = new Batcher(() => runs++, notifyScheduler('frame', t.timers, {}));
    node.request();
    expect(t.pending.map((p) => p.ms)).toEqual([0]);
    t.pending[0]!.fn();
    expect(runs).toBe(2);
  });

  it('a number waits that many ms; bad modes are refused', () => {
    const t = fakeTimers();
    let runs = 0;
    const batch = new Batcher(() => runs++, notifyScheduler(250, t.timers));
    batch.request();
    batch.request();
    expect(t.pending.map((p) => p.ms)).toEqual([250]);
    t.pending[0]!.fn();
    expect(runs).toBe(1);
    expect(() => notifyScheduler(-1)).toThrow(TypeError);
    expect(() => notifyScheduler('often' as never)).toThrow(TypeError);
    expect(() => createClient({ url: 'http://127.0.0.1:1', notify: Number.NaN, autoConnect: false })).toThrow(/notify/);
  });

  it('a scheduler that calls back at once still runs once per request', () => {
    let runs = 0;
    const batch = new Batcher(() => runs++, (flush) => {
      flush();
      return () => {};
    });
    batch.request();
    batch.request();
    expect(runs).toBe(2);
    expect(batch.pendingSince).toBeNull();
  });
});

describe('a client on a real server', () => {
  let server: TestServer | undefined;
  let client: SwitchboardClient | undefined;
  afterEach(async () => {
    client?.close();
    client = undefined;
    await server?.close();
    server = undefined;
  });

  it('has every event in state as it arrives, and tells onStateChange once for the whole burst', { timeout: 15_000 }, async () => {
    server = await startTestServer();
    const manual = manualScheduler();
    client = createClient({
      url: server.url,
      topics: ['task.*'],
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      pageTarget: null,
      notify: manual.schedule,
    });
    const seen: FleetState[] = [];
    client.onStateChange((s) => seen.push(s));
    await waitFor(() => client!.cursor !== null);
    manual.run();
    const before = seen.length;
    const head = client.cursor!.seq;

    for (let i = 1; i <= 200; i++) server.server.publish([{ topic: 'task.progress', data: { id: 't1', kind: 'index', percent: i / 2 } }]);
    await waitFor(() => client!.cursor!.seq === head + 200);
    expect(client.state.tasks.t1!.percent).toBe(100);
    expect(seen).toHaveLength(before);
    expect(client.pendingSince).not.toBeNull();
    // Changes not yet told to the listeners count as being behind, for as long as they wait.
    expect(client.behindMs(client.pendingSince! + 1500)).toBeGreaterThanOrEqual(1500);

    manual.run();
    expect(client.behindMs()).toBeLessThan(1000);
    expect(seen).toHaveLength(before + 1);
    expect(seen.at(-1)).toBe(client.state);

    // Closing tells listeners about what is still owed before the client reports `closed`.
    server.server.publish([{ topic: 'task.completed', data: { id: 't1', kind: 'index', percent: 100 } }]);
    await waitFor(() => client!.cursor!.seq === head + 201);
    client.close();
    expect(seen.at(-1)!.tasks.t1!.status).toBe('completed');
  });
});

describe('how far behind the fleet a client is', () => {
  const at = (ms: number) => new Date(ms).toISOString();

  it('measures how late the newest event arrived against the most punctual one, so clock skew cancels out', () => {
    const f = new BehindMeter();
    // The client's clock runs 60 s ahead of the server's; events normally take 2 ms.
    f.event(at(1_000), 61_002);
    expect(f.delayMs(61_002)).toBe(0);
    f.event(at(2_000), 62_002);
    expect(f.delayMs(62_002)).toBe(0);
    // Then the page falls behind: an event appended at 3 s is applied 4.5 s later than it would have been.
    f.event(at(3_000), 67_502);
    expect(f.delayMs(67_502)).toBe(4_500);
    // A lagged snapshot brings it back to the newest state.
    f.caughtUp();
    expect(f.delayMs(67_600)).toBe(0);
    f.event(at(9_000), 69_002);
    expect(f.delayMs(69_002)).toBe(0);
  });

  it('forgets the delay once the stream has been quiet a while, and ignores junk timestamps', () => {
    const f = new BehindMeter();
    f.event(at(0), 10);
    f.event(at(1_000), 4_010);
    expect(f.delayMs(4_010)).toBe(3_000);
    expect(f.delayMs(4_010 + BEHIND_QUIET_MS + 1)).toBe(0);
    f.event('not a time', 20_000);
    expect(f.delayMs(4_010)).toBe(3_000);
  });

  it("client.behindMs() follows the events a real server sends, on the client's clock", { timeout: 15_000 }, async () => {
    const server = await startTestServer();
    let skew = 0;
    const c = createClient({
      url: server.url,
      topics: ['task.*'],
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      pageTarget: null,
      notify: 'sync',
      timers: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout), now: () => Date.now() + skew },
    });
    try {
      await waitFor(() => c.cursor !== null);
      const head = c.cursor!.seq;
      server.server.publish([{ topic: 'task.progress', data: { id: 't1', kind: 'index', percent: 1 } }]);
      await waitFor(() => c.cursor!.seq === head + 1);
      expect(c.behindMs()).toBeLessThan(1000);
      // As if this client had spent 3 s on something else before reading the next event.
      skew = 3_000;
      server.server.publish([{ topic: 'task.progress', data: { id: 't1', kind: 'index', percent: 2 } }]);
      await waitFor(() => c.cursor!.seq === head + 2);
      expect(c.behindMs()).toBeGreaterThanOrEqual(2_500);
      expect(c.behindMs()).toBeLessThan(4_000);
    } finally {
      c.close();
      await server.close();
    }
  });
});
