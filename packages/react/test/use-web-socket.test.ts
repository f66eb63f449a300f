import './dom';
import { afterEach, describe, expect, it } from 'vitest';
import { renderHook, waitFor } from '@testing-library/react';
import { StrictMode, createElement, type ReactNode } from 'react';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import { useWebSocket, useWebSocketEvent, type WebSocketEvent } from '../src/index';
import { countingWebSocket } from './helpers';

const strict = ({ children }: { children: ReactNode }) => createElement(StrictMode, null, children);

describe('useWebSocket and useWebSocketEvent (the 3D-client contract)', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('connects to /ws/agents, collects events and calls typed subscribers; two hooks share one socket', { timeout: 15_000 }, async () => {
    server = await startTestServer();
    const ws = countingWebSocket();
    const url = `${server.wsUrl}/ws/agents`;
    const failed: WebSocketEvent[] = [];
    const { result, unmount } = renderHook(
      () => {
        const a = useWebSocket(url, { WebSocket: ws.WebSocket, topics: ['task.*', 'document.indexed'], maxEvents: 2 });
        const b = useWebSocket(url, { WebSocket: ws.WebSocket, topics: ['task.*', 'document.indexed'], maxEvents: 2 });
        useWebSocketEvent('task.failed', (e) => failed.push(e), a.client);
        return { a, b };
      },
      { wrapper: strict },
    );
    await waitFor(() => expect(result.current.a.isConnected).toBe(true));
    expect(result.current.b.client).toBe(result.current.a.client);
    expect(ws.opened()).toBe(1);

    server.server.publish([
      { topic: 'task.started', data: { id: 't1', kind: 'index', percent: 0 } },
      { topic: 'document.indexed', data: { id: 'd1', name: 'README.md' } },
      { topic: 'task.failed', data: { id: 't1', kind: 'index', percent: 40, error: 'disk full' } },
    ]);
    await waitFor(() => expect(failed).toHaveLength(1));
    expect(failed[0]).toMatchObject({ type: 'task.failed', topic: 'task.failed', data: { id: 't1', error: 'disk full' } });
    await waitFor(() => expect(result.current.a.events.map((e) => e.type)).toEqual(['document.indexed', 'task.failed']));

    const client = result.current.a.client;
    unmount();
    await waitFor(() => expect(client.status).toBe('closed'));
  });
});
