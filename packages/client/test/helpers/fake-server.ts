// A fake Switchboard peer on real sockets (STYLE: "a fake peer runs on a real socket"): an HTTP server on
// port 0 with `/ws/events` (subscribe → subscribed + replay or snapshot, then live events) and the REST
// reads/writes the SDK uses. Faults are switches: refuse upgrades, stay silent, drop sockets, fail REST.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { matchAny, splitTopics, type Cursor } from '@switchboard/protocol';
import { applyEvents, initialState, selectState } from '@switchboard/projections';
import { WebSocketServer, WebSocket } from 'ws';

export interface LoggedEvent {
  seq: number;
  id: string;
  topic: string;
  ts: string;
  data: unknown;
}

export interface FakeConnection {
  ws: WebSocket;
  /** Every frame the client sent, parsed. */
  received: Array<Record<string, unknown>>;
  /** Request URL of the upgrade (path + query). */
  url: string;
  headers: IncomingMessage['headers'];
  protocol: string;
  topics: string[] | null;
  closed: { code: number; reason: string } | null;
}

export interface RestCall {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export class FakeServer {
  epoch = 'epoch-1';
  readonly log: LoggedEvent[] = [];
  readonly connections: FakeConnection[] = [];
  readonly restCalls: RestCall[] = [];
  /** Upgrades answered with HTTP 503 before the handshake (a failed connect). */
  refuseUpgrades = false;
  /** Accept sockets but never send a frame (for the keepalive watchdog). */
  silent = false;
  /** Answer `subscribe` at all (false: the test answers by hand). */
  autoSubscribe = true;
  /** REST answers with this status and error body while set. */
  restFailure: { status: number; code: string; message: string } | null = null;
  /** Upgrade attempts seen, with their time (ms), refused or not. */
  readonly upgradeAttempts: number[] = [];

  readonly #http: Server;
  readonly #wss: WebSocketServer;
  readonly #sockets = new Set<Socket>();
  port = 0;

  private constructor() {
    this.#http = createServer((req, res) => void this.#rest(req, res));
    this.#wss = new WebSocketServer({ noServer: true });
    this.#http.on('connection', (s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    this.#http.on('upgrade', (req, socket, head) => {
      this.upgradeAttempts.push(Date.now());
      if (this.refuseUpgrades || !req.url?.startsWith('/ws/events')) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, req));
    });
  }

  static async start(): Promise<FakeServer> {
    const s = new FakeServer();
    await new Promise<void>((resolve) => s.#http.listen(0, '127.0.0.1', resolve));
    s.port = (s.#http.address() as AddressInfo).port;
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get head(): number {
    return this.log.length === 0 ? 0 : this.log[this.log.length - 1]!.seq;
  }

  /** Connections whose socket is still open. */
  get live(): FakeConnection[] {
    return this.connections.filter((c) => c.closed === null && c.ws.readyState === WebSocket.OPEN);
  }

  /** Projections of the whole log, as the real server would hold them. */
  stateFor(topics: readonly string[]): Record<string, unknown> {
    return selectState(applyEvents(initialState(), this.log), topics) as Record<string, unknown>;
  }

  /** Append events and push them to every subscribed connection (unless silent). */
  append(...events: Array<{ topic: string; data: unknown }>): LoggedEvent[] {
    const out = events.map((e) => {
      const seq = this.head + 1;
      const logged: LoggedEvent = { seq, id: `ev-${seq}`, topic: e.topic, ts: new Date().toISOString(), data: e.data };
      this.log.push(logged);
      return logged;
    });
    if (!this.silent) {
      for (const c of this.live) {
        if (!c.topics) continue;
        for (const e of out) if (matchAny(c.topics, e.topic)) this.sendEvent(c, e);
      }
    }
    return out;
  }

  sendEvent(c: FakeConnection, e: LoggedEvent): void {
    c.ws.send(JSON.stringify({ type: e.topic, seq: e.seq, ts: e.ts, data: e.data }));
  }

  send(c: FakeConnection, frame: unknown): void {
    c.ws.send(JSON.stringify(frame));
  }

  /** Destroy every client TCP socket without a close frame (a network drop). */
  dropAll(): void {
    for (const c of this.live) c.ws.terminate();
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.ws.terminate();
    this.#wss.close();
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }

  #accept(ws: WebSocket, req: IncomingMessage): void {
    const c: FakeConnection = { ws, received: [], url: req.url ?? '', headers: req.headers, protocol: ws.protocol, topics: null, closed: null };
    this.connections.push(c);
    ws.on('close', (code, reason) => {
      c.closed = { code, reason: reason.toString() };
    });
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>;
      c.received.push(frame);
      if (this.silent) return;
      if (frame.type === 'ping') this.send(c, { type: 'pong' });
      if (frame.type === 'subscribe' && this.autoSubscribe) this.answerSubscribe(c, frame);
    });
  }

  /** Answer like docs/protocol.md#wsevents-and-wsagents: replay after `since` when it is in this epoch, else a snapshot. */
  answerSubscribe(c: FakeConnection, frame: Record<string, unknown>): void {
    const topics = frame.topics as string[];
    c.topics = topics;
    const since = frame.since as Cursor | undefined;
    const recovered = since !== undefined && since.epoch === this.epoch && since.seq <= this.head;
    this.send(c, { type: 'subscribed', topics, epoch: this.epoch, seq: this.head, recovered });
    if (recovered) {
      for (const e of this.log) if (e.seq > since!.seq && matchAny(topics, e.topic)) this.sendEvent(c, e);
    } else {
      this.send(c, { type: 'snapshot', epoch: this.epoch, seq: this.head, state: this.stateFor(topics) });
    }
  }

  async #rest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    const body = text ? JSON.parse(text) : undefined;
    this.restCalls.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (this.restFailure) {
      const f = this.restFailure;
      return json(f.status, { error: { code: f.code, message: f.message, field: 'data' } });
    }
    const url = new URL(req.url ?? '/', this.url);
    const topics = splitTopics(url.searchParams.get('topics'));
    if (req.method === 'POST' && url.pathname === '/api/events') {
      if (Array.isArray(body)) {
        const logged = this.append(...(body as Array<{ topic: string; data: unknown }>));
        return json(201, { epoch: this.epoch, seqs: logged.map((e) => e.seq) });
      }
      const [logged] = this.append(body as { topic: string; data: unknown });
      return json(201, { epoch: this.epoch, seq: logged!.seq, id: logged!.id });
    }
    if (req.method === 'GET' && url.pathname === '/api/events') {
      const since = Number(url.searchParams.get('since'));
      const limit = Number(url.searchParams.get('limit') ?? 1000);
      if (url.searchParams.get('epoch') !== this.epoch) {
        return json(200, { epoch: this.epoch, seq: this.head, recovered: false, events: [], has_more: false });
      }
      const matching = this.log.filter((e) => e.seq > since && matchAny(topics, e.topic));
      const page = matching.slice(0, limit);
      return json(200, { epoch: this.epoch, seq: this.head, recovered: true, events: page, has_more: matching.length > limit });
    }
    if (req.method === 'GET' && url.pathname === '/api/snapshot') {
      return json(200, { epoch: this.epoch, seq: this.head, state: this.stateFor(topics) });
    }
    json(404, { error: { code: 'not_found', message: `no route ${req.method} ${url.pathname}` } });
  }
}
