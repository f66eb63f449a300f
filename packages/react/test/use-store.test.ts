import './dom';
import { afterEach, describe, expect, it } from 'vitest';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { NotifyScheduler } from '@switchboard/client';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import { shallowEqual, useClient, useStore } from '../src/index';
import { countingWebSocket, providerWrapper } from './helpers';

describe('useStore', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('starts from the snapshot and follows the projections as events arrive', { timeout: 15_000 }, async () => {
    server = await startTestServer();
    server.server.publish([{ topic: 'session.created', data: { id: 's1', name: 'refactor', target: 'claude' } }]);
    const ws = countingWebSocket();
    let renders = 0;
    const { result, unmount } = renderHook(
      () => {
        renders++;
        return {
          ids: useStore((s) => Object.keys(s.sessions).sort(), shallowEqual),
          cost: useStore((s) => s.metrics.total_cost_usd),
        };
      },
      { wrapper: providerWrapper(server.url, { WebSocket: ws.WebSocket, topics: ['session.*', 'metrics.*', 'task.*'] }) },
    );
    await waitFor(() => expect(result.current.ids).toEqual(['s1']));
    const ids = result.current.ids;

    // An event outside the selection leaves the selected array untouched (same identity).
    server.server.publish([{ topic: 'task.started', data: { id: 't', kind: 'index', percent: 0 } }]);
    server.server.publish([{ topic: 'metrics.cost_updated', data: { cost_usd: 0.5, tokens_in: 1, tokens_out: 1, total_cost_usd: 0.5 } }]);
    await waitFor(() => expect(result.current.cost).toBe(0.5));
    expect(result.current.ids).toBe(ids);

    server.server.publish([{ topic: 'session.created', data: { id: 's2', name: 'docs', target: 'codex' } }]);
    await waitFor(() => expect(result.current.ids).toEqual(['s1', 's2']));
    expect(renders).toBeLessThan(20);
    unmount();
  });

  it('renders once per batch however many events arrived in it', { timeout: 15_000 }, async () => {
    server = await startTestServer();
    // Batches run when the test says so (the default is one per animation frame).
    let slots: Array<() => void> = [];
    const notify: NotifyScheduler = (flush) => {
      slots.push(flush);
      return () => {
        slots = slots.filter((f) => f !== flush);
      };
    };
    const runBatch = () =>
      act(() => {
        const due = slots;
        slots = [];
        for (const f of due) f();
      });
    let renders = 0;
    const { result, unmount } = renderHook(
      () => {
        renders++;
        return { percent: useStore((s) => s.tasks.t1?.percent ?? -1), client: useClient() };
      },
      { wrapper: providerWrapper(server.url, { notify, topics: ['task.*'] }) },
    );
    await waitFor(() => expect(result.current.client.cursor).not.toBeNull());
    runBatch();
    const client = result.current.client;
    const head = client.cursor!.seq;
    const before = renders;

    for (let i = 1; i <= 100; i++) server.server.publish([{ topic: 'task.progress', data: { id: 't1', kind: 'index', percent: i } }]);
    await waitFor(() => expect(client.cursor!.seq).toBe(head + 100));
    expect(client.state.tasks.t1!.percent).toBe(100);
    expect(renders).toBe(before);
    expect(result.current.percent).toBe(-1);

    runBatch();
    expect(result.current.percent).toBe(100);
    // One render (two under StrictMode, which calls the function twice).
    expect(renders - before).toBeGreaterThan(0);
    expect(renders - before).toBeLessThanOrEqual(2);
    unmount();
  });
});
