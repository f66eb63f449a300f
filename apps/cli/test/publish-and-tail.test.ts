import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, startTestServer, type TestServer } from '@switchboard/testkit';
import { killAll, startCli } from './helpers/cli-process';

let servers: TestServer[] = [];
afterEach(async () => {
  await killAll();
  for (const s of servers) await s.close().catch(() => {});
  servers = [];
});

async function server(overrides: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const s = await startTestServer(overrides);
  servers.push(s);
  return s;
}

const parse = (line: string) => JSON.parse(line) as { type: string; seq?: number; data?: any; [k: string]: unknown };
const isEvent = (topic: string) => (line: string) => parse(line).type === topic;

describe('switchboard publish', () => {
  it('appends the event and prints the answer', { timeout: 30_000 }, async () => {
    const s = await server();
    const cli = startCli(['publish', 'agent.started', '{"id":"a1","session_id":"s1","name":"coder"}', '--url', s.url]);
    expect(await cli.exited).toBe(0);
    const answer = JSON.parse(cli.stdoutLines()[0]!);
    expect(answer).toEqual({ epoch: s.server.epoch, seq: 1, id: expect.any(String) });
    expect(s.server.log.readSince(0, 10, () => true).map((e) => [e.topic, e.data])).toEqual([
      ['agent.started', { id: 'a1', session_id: 's1', name: 'coder' }],
    ]);
  });

  it('takes the server URL from SWITCHBOARD_URL', { timeout: 30_000 }, async () => {
    const s = await server();
    const cli = startCli(['publish', 'custom.thing', '[1,2]'], { env: { SWITCHBOARD_URL: s.url } });
    expect(await cli.exited).toBe(0);
    expect(JSON.parse(cli.stdoutLines()[0]!).seq).toBe(1);
  });

  it("prints the server's code and message and exits 1 when the data has the wrong shape", { timeout: 30_000 }, async () => {
    const s = await server();
    const cli = startCli(['publish', 'task.progress', '{"id":"t1","kind":"index","percent":140}', '--url', s.url]);
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toMatch(/validation_failed \(400\): .*data\.percent/);
    expect(cli.stdoutLines().join('')).toBe('');
  });

  it('exits 2 with a clear message when the JSON does not parse', { timeout: 30_000 }, async () => {
    const cli = startCli(['publish', 'a.b', "{id: 'x'}"]);
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toMatch(/the event data is not valid JSON/);
  });

  it('exits 1 when the server cannot be reached', { timeout: 30_000 }, async () => {
    const s = await server();
    const url = s.url;
    await s.close();
    servers = [];
    const cli = startCli(['publish', 'a.b', '{}', '--url', url]);
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+: connection refused/);
  });
});

describe('switchboard tail', () => {
  it('prints a published event with --since 0, then live ones, and exits 0 on SIGINT', { timeout: 30_000 }, async () => {
    const s = await server();
    const pub = startCli(['publish', 'session.created', '{"id":"s1","name":"fix-login","target":"claude"}', '--url', s.url]);
    expect(await pub.exited).toBe(0);

    const tail = startCli(['tail', '/ws/events', '--since', '0', '--url', s.url]);
    const subscribed = parse(await tail.waitForLine((l) => parse(l).type === 'subscribed'));
    expect(subscribed).toMatchObject({ topics: ['*'], epoch: s.server.epoch, recovered: true });
    const first = parse(await tail.waitForLine(isEvent('session.created')));
    expect(first).toMatchObject({ seq: 1, data: { id: 's1', name: 'fix-login', target: 'claude' } });

    s.server.publish([{ topic: 'session.ended', data: { id: 's1' } }]);
    expect(parse(await tail.waitForLine(isEvent('session.ended'))).seq).toBe(2);
    tail.signal('SIGINT');
    expect(await tail.exited).toBe(0);
    expect(tail.stdoutLines().filter(Boolean).map((l) => parse(l).type)).toEqual(['subscribed', 'session.created', 'session.ended']);
  });

  it('without --since prints the subscribed frame and a snapshot, then only matching topics', { timeout: 30_000 }, async () => {
    const s = await server();
    s.server.publish([{ topic: 'task.started', data: { id: 't1', kind: 'index', percent: 0 } }]);
    const tail = startCli(['tail', `${s.wsUrl}/ws/events`, '--topics', 'task.*']);
    const snapshot = parse(await tail.waitForLine(isEvent('snapshot')));
    expect(snapshot).toMatchObject({ epoch: s.server.epoch, seq: 1 });
    s.server.publish([
      { topic: 'agent.started', data: { id: 'a1', session_id: 's1', name: 'coder' } },
      { topic: 'task.progress', data: { id: 't1', kind: 'index', percent: 50 } },
    ]);
    expect(parse(await tail.waitForLine(isEvent('task.progress'))).seq).toBe(3);
    expect(tail.stdoutLines().some(isEvent('agent.started'))).toBe(false);
  });

  it('subscribes /ws/agents through the query string, resuming from --since', { timeout: 30_000 }, async () => {
    const s = await server();
    s.server.publish([1, 2, 3].map((n) => ({ topic: 'search.completed', data: { id: `q${n}`, query: 'x', results: n } })));
    const tail = startCli(['tail', '/ws/agents', '--since', '1', '--url', s.url]);
    const lines = await tail.waitForLines(isEvent('search.completed'), 2);
    expect(lines.map((l) => parse(l).seq)).toEqual([2, 3]);
    const types = tail.stdoutLines().filter(Boolean).map((l) => parse(l).type);
    expect(types.filter((t) => t === 'subscribed')).toHaveLength(1);
    expect(types).not.toContain('snapshot');
  });

  it('reconnects after a server restart and resumes with no gap and no duplicate', { timeout: 30_000 }, async () => {
    const dataDir = makeTempDir('switchboard-cli-tail-');
    const first = await startTestServer({ dataDir });
    servers.push(first);
    const port = first.port;
    first.server.publish([1, 2, 3].map((n) => ({ topic: 'cli.tick', data: { n } })));

    const tail = startCli(['tail', '/ws/events', '--since', '0', '--topics', 'cli.*', '--url', first.url]);
    await tail.waitForLines(isEvent('cli.tick'), 3);
    await first.close({ keepData: true });
    servers = [];
    await tail.waitForStderr(/reconnecting in/);

    // Same data dir and port: same epoch, so the tail resumes after seq 3.
    const second = await startTestServer({ dataDir, port });
    servers.push(second);
    expect(second.server.epoch).toBe(first.server.epoch);
    second.server.publish([4, 5, 6].map((n) => ({ topic: 'cli.tick', data: { n } })));
    const ticks = await tail.waitForLines(isEvent('cli.tick'), 6);
    expect(ticks.map((l) => parse(l).seq)).toEqual([1, 2, 3, 4, 5, 6]);
    const subs = tail.stdoutLines().filter(isEvent('subscribed')).map(parse);
    expect(subs.map((f) => f.recovered)).toEqual([true, true]);
    expect(tail.stdoutLines().some(isEvent('snapshot'))).toBe(false);
  });

  it('prints the frames of other streams as they come, e.g. the dashboard stream', { timeout: 30_000 }, async () => {
    const s = await server();
    const tail = startCli(['tail', '/ws/dashboard', '--url', s.url]);
    const first = parse(await tail.waitForLine(() => true));
    expect(first.type).toBe('config');
    tail.signal('SIGTERM');
    expect(await tail.exited).toBe(0);
  });

  it('with --raw sends stdin lines as frames and prints the replies verbatim, pongs included', { timeout: 30_000 }, async () => {
    const s = await server();
    const tail = startCli(['tail', '/ws/events', '--raw', '--url', s.url], { stdin: 'pipe' });
    tail.child.stdin!.write('{"type":"ping"}\n');
    expect(await tail.waitForLine(/"type":"pong"/)).toBe('{"type":"pong"}');
    tail.child.stdin!.write('{"type":"subscribe","topics":["x.*"]}\n');
    expect(parse(await tail.waitForLine(isEvent('subscribed'))).topics).toEqual(['x.*']);
  });

  it('exits 1 when the server refuses the stream', { timeout: 30_000 }, async () => {
    const s = await server();
    const tail = startCli(['tail', '/ws/no-such-stream/really/not', '--url', s.url]);
    expect(await tail.exited).toBe(1);
    expect(tail.stderr()).toMatch(/HTTP 404|closed 44/);
  });

  it('rejects bad --topics and --since with exit 2', { timeout: 30_000 }, async () => {
    const bad = startCli(['tail', '/ws/events', '--topics', 'a..b']);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toMatch(/invalid --topics/);
    const since = startCli(['tail', '/ws/events', '--since', '-1']);
    expect(await since.exited).toBe(2);
  });
});
