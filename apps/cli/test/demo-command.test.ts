import { afterEach, describe, expect, it } from 'vitest';
import { checkEventData } from '@switchboard/protocol';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import { createRestPublisher } from '../src/demo/rest-publisher';
import { killAll, startCli } from './helpers/cli-process';

let server: TestServer | undefined;
afterEach(async () => {
  await killAll();
  await server?.close();
  server = undefined;
});

describe('switchboard demo', () => {
  it('drives a fleet over REST for --duration, then ends its sessions and exits 0', { timeout: 30_000 }, async () => {
    server = await startTestServer();
    const cli = startCli(['demo', '--url', server.url, '--rate', '40', '--duration', '1.5', '--seed', '7', '--sessions', '3']);
    expect(await cli.exited).toBe(0);
    // What the demo published; the server adds an approval.* event for each permission request (docs/protocol.md).
    const events = server.server.log.readSince(0, 10_000, (topic) => !topic.startsWith('approval.'));
    expect(events.length).toBeGreaterThan(30);
    for (const e of events) expect(checkEventData(e.topic, e.data)).toEqual({ ok: true });
    const created = events.filter((e) => e.topic === 'session.created').length;
    expect(created).toBeGreaterThan(0);
    expect(events.filter((e) => e.topic === 'session.ended').length).toBe(created);
    expect(cli.stderr()).toMatch(new RegExp(`demo: ${events.length} events published`));
  });

  it('exits 1 with the reason when the server cannot be reached', { timeout: 30_000 }, async () => {
    const cli = startCli(['demo', '--url', 'http://127.0.0.1:1', '--rate', '50']);
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toMatch(/cannot reach http:\/\/127\.0\.0\.1:1/);
  });

  it('rejects a bad --rate with exit 2', { timeout: 30_000 }, async () => {
    const cli = startCli(['demo', '--rate', 'fast']);
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toMatch(/invalid --rate "fast"/);
  });

  it('keeps the order of batches: one request at a time, later batches merged', { timeout: 30_000 }, async () => {
    server = await startTestServer();
    const errors: Error[] = [];
    const publisher = createRestPublisher({ target: { url: server.url }, onError: (e) => errors.push(e), maxBatch: 7 });
    for (let i = 0; i < 50; i++) publisher.publish([{ topic: 'cli.order', data: { i } }]);
    await publisher.flush();
    expect(errors).toEqual([]);
    expect(publisher.acknowledged).toBe(50);
    const seen = server.server.log.readSince(0, 100, () => true).map((e) => (e.data as { i: number }).i);
    expect(seen).toEqual([...Array(50).keys()]);
  });
});
