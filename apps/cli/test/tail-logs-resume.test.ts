// `switchboard tail` on an instance's logs resumes at its last position after a dropped connection
// (docs/control-plane.md "Exact log resume"): a TCP proxy between the tail and a real server is cut mid-stream, and
// the numbered lines printed are each printed once, in order, across a log rotation.

import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, waitFor, type TestServer } from '@switchboard/testkit';
import { startTail, type Tail } from '../src/tail/tailer';
import { resolveTailTarget } from '../src/tail/tail-target';

let server: TestServer | undefined;
let proxy: Server | undefined;
const sockets = new Set<Socket>();
const tails: Tail[] = [];
afterEach(async () => {
  for (const t of tails.splice(0)) {
    t.stop();
    await t.done;
  }
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
  proxy = undefined;
  await server?.close();
  server = undefined;
});

/** A proxy to `port` whose open connections `cut()` destroys. */
async function startProxy(port: number): Promise<{ url: string; cut: () => void }> {
  proxy = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => proxy!.listen(0, '127.0.0.1', () => r()));
  const { port: proxyPort } = proxy.address() as { port: number };
  return { url: `http://127.0.0.1:${proxyPort}`, cut: () => [...sockets].forEach((s) => s.destroy()) };
}

describe('tail on a logs stream', () => {
  it('resumes at its last position after the connection drops: every line once, in order', { timeout: 60_000 }, async () => {
    server = await startTestServer({ logMaxBytes: 16 * 1024, logMaxFiles: 4 });
    const total = 3000;
    const script =
      `let i = 0; const t = setInterval(() => { let out = ''; for (let k = 0; k < 10 && i < ${total}; k++) out += 'line ' + (++i) + ' ' + 'x'.repeat(30) + '\\n'; ` +
      `process.stdout.write(out); if (i >= ${total}) clearInterval(t); }, 5); setInterval(() => {}, 60000);`;
    const post = (path: string, body?: unknown) =>
      fetch(server!.url + path, { method: 'POST', headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    expect((await post('/api/instances', { name: 'chatty', command: process.execPath, args: ['-e', script] })).status).toBe(201);
    const { url, cut } = await startProxy(server.port);

    const printed: Array<Record<string, unknown>> = [];
    const t = startTail({
      target: resolveTailTarget('/ws/instances/chatty/logs?backlog=0', url),
      raw: false,
      write: (l) => printed.push(JSON.parse(l) as Record<string, unknown>),
      warn: () => {},
      random: () => 0,
    });
    tails.push(t);
    const numbers = () => printed.filter((f) => f.type === 'lines').flatMap((f) => (f.lines as string[]).map((l) => Number(l.split(' ')[1])));
    await waitFor(() => printed.some((f) => f.type === 'backlog'), { message: 'the backlog' });
    expect((await post('/api/instances/chatty/start')).status).toBe(200);
    await waitFor(() => numbers().length >= 300, { timeoutMs: 20_000, message: '300 lines' });
    cut();
    await waitFor(() => printed.some((f) => f.type === 'resumed'), { timeoutMs: 20_000, message: 'a resumed frame after the reconnect' });
    await waitFor(() => numbers().at(-1) === total, { timeoutMs: 30_000, message: `line ${total} (have ${numbers().at(-1)})` });
    expect(numbers()).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(printed.filter((f) => f.type === 'backlog')).toHaveLength(1);
    expect(printed.some((f) => f.type === 'missed')).toBe(false);
  });
});
