import './dom';
import { afterEach, describe, expect, it } from 'vitest';
import { renderHook, waitFor, act } from '@testing-library/react';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import { useClient, useConnectionInfo, useConnectionStatus } from '../src/index';
import { countingWebSocket, providerWrapper } from './helpers';

describe('SwitchboardProvider and useConnectionStatus', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('opens exactly one socket under StrictMode and reports the status as it goes live', { timeout: 15_000 }, async () => {
    server = await startTestServer();
    const ws = countingWebSocket();
    const { result, unmount } = renderHook(() => ({ status: useConnectionStatus(), client: useClient() }), {
      wrapper: providerWrapper(server.url, { WebSocket: ws.WebSocket, topics: ['task.*'] }),
    });
    await waitFor(() => expect(result.current.status).toBe('open'), { timeout: 5000 });
    expect(ws.opened()).toBe(1);
    const client = result.current.client;
    unmount();
    await waitFor(() => expect(client.status).toBe('closed'), { timeout: 2000 });
    expect(ws.opened()).toBe(1);
  });

  it('shows reconnecting with a retry time when the server goes away', { timeout: 15_000 }, async () => {
    server = await startTestServer();
    const ws = countingWebSocket();
    const { result, unmount } = renderHook(() => useConnectionInfo(), {
      wrapper: providerWrapper(server.url, { WebSocket: ws.WebSocket, topics: ['agent.*'] }),
    });
    await waitFor(() => expect(result.current.status).toBe('open'), { timeout: 5000 });
    await act(async () => {
      await server!.close();
      server = undefined;
    });
    await waitFor(() => expect(result.current.status).toBe('reconnecting'), { timeout: 5000 });
    expect(result.current.retryAt).toBeGreaterThan(Date.now() - 1000);
    unmount();
  });
});
