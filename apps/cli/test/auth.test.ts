import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import { killAll, startCli } from './helpers/cli-process';

let server: TestServer | undefined;
afterEach(async () => {
  await killAll();
  await server?.close();
  server = undefined;
});

const TOKEN = 'cli-test-secret';

describe('client commands on a server with --token', () => {
  it('publish without a token prints unauthorized and exits 1; with --token it appends', { timeout: 30_000 }, async () => {
    server = await startTestServer({ token: TOKEN });
    const denied = startCli(['publish', 'cli.auth', '{}', '--url', server.url]);
    expect(await denied.exited).toBe(1);
    expect(denied.stderr()).toMatch(/unauthorized \(401\)/);
    const allowed = startCli(['publish', 'cli.auth', '{}', '--url', server.url, '--token', TOKEN]);
    expect(await allowed.exited).toBe(0);
    expect(JSON.parse(allowed.stdoutLines()[0]!).seq).toBe(1);
  });

  it('tail presents SWITCHBOARD_TOKEN as a bearer header, and gives up on a 401 without one', { timeout: 30_000 }, async () => {
    server = await startTestServer({ token: TOKEN });
    server.server.publish([{ topic: 'cli.auth', data: { n: 1 } }]);
    const tail = startCli(['tail', '/ws/events', '--since', '0', '--url', server.url], { env: { SWITCHBOARD_TOKEN: TOKEN } });
    expect(JSON.parse(await tail.waitForLine(/"cli\.auth"/)).seq).toBe(1);
    const denied = startCli(['tail', '/ws/events', '--url', server.url]);
    expect(await denied.exited).toBe(1);
    expect(denied.stderr()).toMatch(/HTTP 401/);
  });
});
