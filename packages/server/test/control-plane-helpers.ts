// Shared setup of the control plane tests: a real server with a short stop grace and a collector of the lines it
// logs, REST helpers, and bookkeeping so every socket and server is closed after each test.

import { connectRaw, startTestServer, type RawClient, type TestServer } from '@switchboard/testkit';
import type { ServerConfig } from '@switchboard/server';

export interface Harness {
  srv: TestServer;
  /** Every operational line the server logged. */
  logLines: string[];
  /** Every REST answer body and WebSocket frame this harness saw, for secret sweeps. */
  transcript: string[];
  open(path: string): Promise<RawClient>;
  get(path: string): Promise<Answer>;
  post(path: string, body?: unknown): Promise<Answer>;
  patch(path: string, body: unknown): Promise<Answer>;
  del(path: string): Promise<Answer>;
  /** Close the clients and the server (which stops every instance); idempotent. */
  close(opts?: { keepData?: boolean }): Promise<void>;
}

export interface Answer {
  status: number;
  body: any;
  text: string;
}

export async function startHarness(overrides: Partial<ServerConfig> = {}): Promise<Harness> {
  const logLines: string[] = [];
  const srv = await startTestServer({ stopGraceMs: 1000, log: (l) => logLines.push(l), ...overrides });
  const clients: RawClient[] = [];
  const transcript: string[] = [];
  const call = async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const res = await fetch(srv.url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    transcript.push(text);
    return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
  };
  let closed: Promise<void> | undefined;
  return {
    srv,
    logLines,
    transcript,
    async open(path) {
      const c = await connectRaw(srv.wsUrl + path);
      clients.push(c);
      c.ws.on('message', (d) => transcript.push(d.toString()));
      return c;
    },
    get: (p) => call('GET', p),
    post: (p, b) => call('POST', p, b),
    patch: (p, b) => call('PATCH', p, b),
    del: (p) => call('DELETE', p),
    close: (opts) =>
      (closed ??= (async () => {
        await Promise.all(clients.splice(0).map((c) => c.close()));
        await srv.close(opts);
      })()),
  };
}

/** A frame predicate on type and name. */
export const frame = (type: string, name?: string) => (f: { type: string; [k: string]: unknown }) =>
  f.type === type && (name === undefined || f.name === name);

let counter = 0;
/** A unique instance name per call, so tests never collide. */
export function uniqueName(prefix = 'agent'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}
