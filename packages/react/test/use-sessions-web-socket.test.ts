import './dom';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { renderHook, waitFor } from '@testing-library/react';
import { StrictMode, createElement, type ReactNode } from 'react';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { useSessionsWebSocket, type WorkspaceResponse } from '../src/index';
import { countingWebSocket } from './helpers';

const strict = ({ children }: { children: ReactNode }) => createElement(StrictMode, null, children);
const fast = (attempt: number) => 20 * attempt;

function workspace(id: string, sessions: number): WorkspaceResponse {
  return {
    id, repo: `git@example.invalid:${id}.git`, branch: 'main', short_repo: id, path: `/tmp/${id}`, session_count: sessions,
    sessions: Array.from({ length: sessions }, (_, i) => ({
      id: `${id}-s${i}`, target: 'claude', nickname: '', running: true, created_at: '2026-01-01T00:00:00Z', last_output_at: null,
    })),
    git_ahead: 0, git_behind: 0, git_dirty: false, git_lines_added: 0, git_lines_removed: 0, git_files_changed: 0,
  };
}

/** A fake the workspace-dashboard contract peer on a real socket: `/ws/sessions` pushes config + sessions; upgrades can be refused. */
class FakeDashboard {
  readonly http: Server;
  readonly wss = new WebSocketServer({ noServer: true });
  readonly sockets = new Set<ServerSocket>();
  workspaces: WorkspaceResponse[] = [workspace('alpha', 1)];
  refuseUpgrades = false;
  restReads = 0;

  constructor() {
    this.http = createServer((req, res) => {
      if (req.url === '/api/sessions') {
        this.restReads++;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.workspaces));
      } else res.writeHead(404).end();
    });
    this.http.on('upgrade', (req, socket: Socket, head) => {
      if (this.refuseUpgrades || req.url !== '/ws/sessions') return void socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.sockets.add(ws);
        ws.on('close', () => this.sockets.delete(ws));
        ws.send(JSON.stringify({ type: 'config', config: { git_interval_seconds: 30 } }));
        ws.send(JSON.stringify({ type: 'sessions', workspaces: this.workspaces }));
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.http.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  push(workspaces: WorkspaceResponse[]): void {
    this.workspaces = workspaces;
    for (const ws of this.sockets) ws.send(JSON.stringify({ type: 'sessions', workspaces }));
  }

  dropAll(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  async close(): Promise<void> {
    this.dropAll();
    this.http.closeAllConnections();
    await new Promise((r) => this.http.close(r));
  }
}

describe('useSessionsWebSocket (the workspace-dashboard contract)', () => {
  let fake: FakeDashboard | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('replaces the workspaces on every sessions frame and reconnects after a drop', { timeout: 15_000 }, async () => {
    fake = new FakeDashboard();
    const url = await fake.listen();
    const ws = countingWebSocket();
    const { result, unmount } = renderHook(() => useSessionsWebSocket({ url, WebSocket: ws.WebSocket, backoff: fast }), { wrapper: strict });
    await waitFor(() => expect(result.current.connected).toBe(true));
    await waitFor(() => expect(result.current.workspaces.map((w) => w.id)).toEqual(['alpha']));
    expect(result.current.config).toEqual({ git_interval_seconds: 30 });
    expect(ws.opened()).toBe(1);

    fake.push([workspace('alpha', 2), workspace('beta', 0)]);
    await waitFor(() => expect(result.current.workspaces.map((w) => w.session_count)).toEqual([2, 0]));

    // The reconnect (20 ms backoff here) is faster than waitFor can observe `connected: false`; the new
    // socket and its fresh frame prove it.
    fake.workspaces = [workspace('gamma', 1)];
    fake.dropAll();
    await waitFor(() => expect(result.current.workspaces.map((w) => w.id)).toEqual(['gamma']));
    expect(result.current.connected).toBe(true);
    expect(ws.opened()).toBe(2);
    unmount();
  });

  it('polls GET /api/sessions after three failed connects and goes back to the socket by itself', { timeout: 15_000 }, async () => {
    fake = new FakeDashboard();
    fake.refuseUpgrades = true;
    fake.workspaces = [workspace('polled', 3)];
    const url = await fake.listen();
    const ws = countingWebSocket();
    const { result, unmount } = renderHook(
      () => useSessionsWebSocket({ url, WebSocket: ws.WebSocket, backoff: fast, pollIntervalMs: 50 }),
      { wrapper: strict },
    );
    await waitFor(() => expect(result.current.polling).toBe(true), { timeout: 5000 });
    await waitFor(() => expect(result.current.workspaces.map((w) => w.id)).toEqual(['polled']));
    expect(result.current.connected).toBe(false);

    fake.refuseUpgrades = false;
    fake.workspaces = [workspace('live', 1)];
    await waitFor(() => expect(result.current.connected).toBe(true), { timeout: 5000 });
    expect(result.current.polling).toBe(false);
    const reads = fake.restReads;
    await waitFor(() => expect(result.current.workspaces.map((w) => w.id)).toEqual(['live']));
    expect(fake.restReads).toBe(reads);
    unmount();
  });
});
