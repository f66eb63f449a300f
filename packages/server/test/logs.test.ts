// Structured logs (docs/operations.md) from a real `switchboard serve` child whose stderr is a pipe: every line is
// one JSON object with level, time and msg; each HTTP request and WebSocket open/close has its line with the route
// pattern, status, duration and close code; no token, payload or env value appears anywhere in the output.
// In-process: --log-level filters, the logger redacts secret-named fields, and the terminal form is readable.

import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createLegacyToken as createToken } from '@switchboard/server';
import { CLI_BIN, connectRaw, makeTempDir, startTestServer, waitFor, type TestServer } from '@switchboard/testkit';
import { createLogger } from '../src/logging/logger';
import { formatPretty } from '../src/logging/pretty';

const children: ChildProcess[] = [];
const dirs: string[] = [];
let srv: TestServer | undefined;
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  await srv?.close();
  srv = undefined;
});

interface Served {
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | string>;
  child: ChildProcess;
}

async function serve(args: string[]): Promise<Served> {
  const dir = makeTempDir();
  dirs.push(dir);
  const child = spawn(process.execPath, [CLI_BIN, 'serve', '--port', '0', '--data', dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | string>((res) => child.on('exit', (code, signal) => res(code ?? signal ?? -1)));
  await waitFor(() => /listening on http/.test(out), { timeoutMs: 20_000, message: `the listening line; stderr:\n${err}` });
  return { url: /listening on (http:\/\/\S+)/.exec(out)![1]!, stdout: () => out, stderr: () => err, exited, child };
}

describe('structured logs', () => {
  it('writes one JSON object per line with request and WebSocket lines, and no token, payload or env value', async () => {
    const SECRET = 'log-test-admin-secret-93f1';
    const s = await serve(['--token', SECRET]);
    const write = createToken(SECRET, 'write', 60);
    const read = createToken(SECRET, 'read', 60);
    const payload = 'log-payload-secret-2b7e';
    const envValue = 'log-env-secret-c40d';
    const json = { authorization: `Bearer ${write}`, 'content-type': 'application/json' };

    expect((await fetch(`${s.url}/api/events`, { method: 'POST', headers: json, body: JSON.stringify({ topic: 'custom.note', data: { text: payload } }) })).status).toBe(201);
    expect((await fetch(`${s.url}/api/instances`, { method: 'POST', headers: json, body: JSON.stringify({ name: 'envy', command: 'true', env: { API_KEY: envValue } }) })).status).toBe(201);
    expect((await fetch(`${s.url}/api/instances/envy?token=${read}`)).status).toBe(200);
    expect((await fetch(`${s.url}/api/snapshot?token=wrong-${SECRET}`)).status).toBe(401);
    const ws = await connectRaw(`${s.url.replace('http', 'ws')}/ws/events?topics=custom.*&token=${read}`);
    await ws.next((f) => f.type === 'snapshot');
    await ws.close(1000);
    await waitFor(() => s.stderr().includes('"ws close"'));
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);

    expect(s.stdout().trim().split('\n')).toEqual([`Switchboard listening on ${s.url}`]);
    const lines = s.stderr().split('\n').filter((l) => l !== '');
    const entries = lines.map((l) => {
      const e = JSON.parse(l);
      expect(e).toMatchObject({ level: expect.any(String), time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), msg: expect.any(String) });
      return e;
    });
    const requests = entries.filter((e) => e.msg === 'http request');
    expect(requests).toContainEqual(expect.objectContaining({ level: 'info', method: 'POST', route: '/api/events', status: 201, duration_ms: expect.any(Number) }));
    expect(requests).toContainEqual(expect.objectContaining({ method: 'GET', route: '/api/instances/:name', status: 200 }));
    expect(requests).toContainEqual(expect.objectContaining({ method: 'GET', route: '/api/snapshot', status: 401 }));
    expect(entries).toContainEqual(expect.objectContaining({ msg: 'ws open', stream: 'events', conn: expect.any(Number) }));
    expect(entries).toContainEqual(expect.objectContaining({ msg: 'ws close', stream: 'events', code: 1000, duration_ms: expect.any(Number) }));
    expect(entries).toContainEqual(expect.objectContaining({ msg: 'shutting down', signal: 'SIGTERM' }));

    const all = s.stdout() + s.stderr();
    for (const secret of [SECRET, write, read, payload, envValue]) expect(all).not.toContain(secret);
  }, 40_000);

  it('--log-level warn leaves out the info lines', async () => {
    const lines: string[] = [];
    srv = await startTestServer({ logLevel: 'warn', log: (l) => lines.push(l) });
    expect((await fetch(`${srv.url}/api/healthz`)).status).toBe(200);
    const quiet = lines.length;
    const verbose: string[] = [];
    const other = await startTestServer({ log: (l) => verbose.push(l) });
    try {
      expect((await fetch(`${other.url}/api/healthz`)).status).toBe(200);
      await waitFor(() => verbose.some((l) => l.includes('"http request"')));
    } finally {
      await other.close();
    }
    expect(quiet).toBe(0);
    expect(JSON.parse(verbose.find((l) => l.includes('"http request"'))!)).toMatchObject({ level: 'info', route: '/api/healthz', status: 200 });
  });

  it('redacts fields named like secrets, even when a call site passes them by mistake', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', format: 'json', sink: (l) => lines.push(l) });
    logger.info({ token: 't0k', data: { x: 'd4ta' }, req: { headers: { authorization: 'Bearer h3ad' } }, inst: { env: { K: 'v4l' } }, route: '/x' }, 'oops');
    expect(lines).toHaveLength(1);
    const e = JSON.parse(lines[0]!);
    expect(e).toMatchObject({ level: 'info', msg: 'oops', route: '/x', token: '[redacted]', data: '[redacted]' });
    for (const secret of ['t0k', 'd4ta', 'h3ad', 'v4l']) expect(lines[0]).not.toContain(secret);
  });

  it('formats a readable line for a terminal', () => {
    const line = formatPretty('{"level":"warn","time":"2025-01-02T03:04:05.678Z","msg":"ws close","stream":"events","code":1001}\n');
    expect(line).toBe('03:04:05.678 WARN  ws close stream=events code=1001');
    expect(formatPretty('not json\n')).toBe('not json');
  });
});
