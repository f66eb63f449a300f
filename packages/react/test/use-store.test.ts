import './dom';
import { afterEach, describe, expect, it } from 'vitest';
import { renderHook, waitFor } from '@testing-library/react';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import { shallowEqual, useStore } from '../src/index';
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
});
