import './dom';
import { afterEach, describe, expect, it } from 'vitest';
import { render, renderHook, waitFor } from '@testing-library/react';
import { createElement, Fragment } from 'react';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import type { SwitchboardEvent } from '@switchboard/client';
import { eventHub } from '../src/event-hub';
import { useClient, useConnectionStatus, useEvent } from '../src/index';
import { countingWebSocket, providerWrapper } from './helpers';

const task = (id: string, percent: number) => ({ topic: 'task.progress', data: { id, kind: 'index', percent } });

describe('useEvent', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('calls the latest inline handler without resubscribing on re-render', { timeout: 15_000 }, async () => {
    server = await startTestServer();
    const ws = countingWebSocket();
    const calls: string[] = [];
    const { result, rerender, unmount } = renderHook(
      ({ label }: { label: string }) => {
        useEvent('task.*', (e: SwitchboardEvent<{ id: string }>) => calls.push(`${label}:${e.data.id}`));
        return { status: useConnectionStatus(), client: useClient() };
      },
      { initialProps: { label: 'first' }, wrapper: providerWrapper(server.url, { WebSocket: ws.WebSocket, topics: ['task.*'] }) },
    );
    await waitFor(() => expect(result.current.status).toBe('open'));
    const client = result.current.client;
    const hub = eventHub(client);
    expect(hub.size).toBe(1);

    rerender({ label: 'second' });
    expect(hub.size).toBe(1);
    server.server.publish([task('t1', 10)]);
    await waitFor(() => expect(calls).toEqual(['second:t1']));

    unmount();
    expect(hub.size).toBe(0);
  });

  it('shares one ref-counted client subscription among components using the same pattern', { timeout: 15_000 }, async () => {
    server = await startTestServer();
    const ws = countingWebSocket();
    const seen: Record<string, number[]> = { a: [], b: [], c: [] };
    let client: ReturnType<typeof useClient> | undefined;
    function Listener({ name, pattern }: { name: string; pattern: string }) {
      client = useClient();
      useEvent(pattern, (e) => seen[name]!.push(e.seq));
      return null;
    }
    const Wrapper = providerWrapper(server.url, { WebSocket: ws.WebSocket, topics: ['task.*', 'agent.*'] });
    const tree = (names: string[]) =>
      createElement(
        Wrapper,
        null,
        createElement(
          Fragment,
          null,
          names.map((n) => createElement(Listener, { key: n, name: n, pattern: n === 'c' ? 'agent.*' : 'task.*' })),
        ),
      );
    const view = render(tree(['a', 'b', 'c']));
    await waitFor(() => expect(client!.status).toBe('open'));
    const hub = eventHub(client!);
    expect(hub.size).toBe(2);

    const [stored] = await server.server.publish([task('t', 1)]);
    await waitFor(() => expect(seen.a).toEqual([stored!.seq]));
    expect(seen.b).toEqual([stored!.seq]);
    expect(seen.c).toEqual([]);

    view.rerender(tree(['b']));
    expect(hub.size).toBe(1);
    const [second] = await server.server.publish([task('t', 2)]);
    await waitFor(() => expect(seen.b).toEqual([stored!.seq, second!.seq]));
    expect(seen.a).toEqual([stored!.seq]);
    view.unmount();
    expect(hub.size).toBe(0);
  });
});
