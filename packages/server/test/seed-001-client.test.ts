// The 3D client's own WebSocketManager (docs/compatibility.md; its code as that client ships it, typed) against /ws/agents: it never sends a
// frame, dispatches on `type`, and must see task/document/search events as they are published.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import WebSocket from 'ws';
import { startTestServer, waitFor, type TestServer } from '@switchboard/testkit';

class WebSocketManager {
  ws: WebSocket | null = null;
  private subscribers: Map<string, Set<(event: any) => void>> = new Map();
  private reconnectAttempts = 0;
  private maxReconnectAttempts = 5;
  stopped = false;

  connect(url: string) {
    this.ws = new WebSocket(url);
    this.ws.onopen = () => {
      this.reconnectAttempts = 0;
    };
    this.ws.onmessage = (event) => {
      const data = JSON.parse(String(event.data));
      this.emit(data.type, data);
    };
    this.ws.onclose = () => {
      if (!this.stopped) this.reconnect(url);
    };
    this.ws.onerror = () => {};
  }

  subscribe(eventType: string, callback: (event: any) => void) {
    if (!this.subscribers.has(eventType)) this.subscribers.set(eventType, new Set());
    this.subscribers.get(eventType)!.add(callback);
  }

  private emit(eventType: string, event: any) {
    this.subscribers.get(eventType)?.forEach((callback) => callback(event));
  }

  private reconnect(url: string) {
    if (this.reconnectAttempts < this.maxReconnectAttempts) {
      setTimeout(() => {
        this.reconnectAttempts++;
        if (!this.stopped) this.connect(url);
      }, 1000 * this.reconnectAttempts);
    }
  }
}

let srv: TestServer;
let manager: WebSocketManager;
beforeEach(async () => {
  srv = await startTestServer();
  manager = new WebSocketManager();
});
afterEach(async () => {
  manager.stopped = true;
  manager.ws?.terminate();
  await srv.close();
});

const publish = (events: unknown) =>
  fetch(`${srv.url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });

describe('3D-client client against /ws/agents', () => {
  it('receives task, document and search events by type, with multiple subscribers per type', async () => {
    const seen: Record<string, any[]> = {};
    const second: any[] = [];
    for (const t of ['task.started', 'task.progress', 'task.completed', 'task.failed', 'document.indexed', 'search.completed']) {
      manager.subscribe(t, (e) => (seen[t] ??= []).push(e));
    }
    manager.subscribe('task.progress', (e) => second.push(e));
    manager.connect(`${srv.wsUrl}/ws/agents`);
    await waitFor(() => manager.ws?.readyState === WebSocket.OPEN, { message: 'open' });
    await publish([
      { topic: 'task.started', data: { id: 't1', kind: 'index', percent: 0 } },
      { topic: 'task.progress', data: { id: 't1', kind: 'index', percent: 50, message: 'half' } },
      { topic: 'task.completed', data: { id: 't1', kind: 'index', percent: 100 } },
      { topic: 'task.failed', data: { id: 't2', kind: 'embed', percent: 10, error: 'boom' } },
      { topic: 'document.indexed', data: { id: 'd1', name: 'report.pdf' } },
      { topic: 'search.completed', data: { id: 'q1', query: 'agents', results: 7 } },
    ]);
    await waitFor(() => seen['search.completed']?.length === 1, { message: 'search.completed' });
    expect(seen['task.progress']![0]).toMatchObject({ type: 'task.progress', data: { percent: 50, message: 'half' } });
    expect(seen['task.failed']![0].data.error).toBe('boom');
    expect(seen['document.indexed']![0].data.name).toBe('report.pdf');
    expect(second).toHaveLength(1);
  });

  it('reconnects after the server restarts on the same port', async () => {
    const got: any[] = [];
    manager.subscribe('task.started', (e) => got.push(e));
    manager.connect(`${srv.wsUrl}/ws/agents`);
    await waitFor(() => manager.ws?.readyState === WebSocket.OPEN, { message: 'open' });
    const { port, dataDir } = srv;
    await srv.close({ keepData: true });
    srv = await startTestServer({ port, dataDir });
    await waitFor(() => manager.ws?.readyState === WebSocket.OPEN, { timeoutMs: 10_000, message: 'reconnected' });
    await publish({ topic: 'task.started', data: { id: 't9', kind: 'k', percent: 0 } });
    await waitFor(() => got.length === 1, { message: 'event after reconnect' });
    await srv.close();
    rmSync(dataDir, { recursive: true, force: true });
    srv = await startTestServer();
  });
});
