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

  // Four CLI processes, each compiling the CLI on start: give a loaded 2-core machine room.
  it('token create prints a JWT with the role and scopes given, that the server honours', { timeout: 90_000 }, async () => {
    server = await startTestServer({ token: TOKEN });
    const mint = startCli(['token', 'create', '--role', 'publish', '--topics', 'cli.*', '--sub', 'ci-bot', '--ttl', '10m'], { env: { SWITCHBOARD_TOKEN: TOKEN } });
    expect(await mint.exited).toBe(0);
    const jwt = mint.stdoutLines()[0]!;
    const [header, payload] = jwt.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    expect(header.alg).toBe('HS256');
    expect(payload).toMatchObject({ role: 'publish', topics: ['cli.*'], sub: 'ci-bot' });
    expect(payload.exp - payload.iat).toBe(600);
    const post = (topic: string) =>
      fetch(`${server!.url}/api/events`, { method: 'POST', headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' }, body: JSON.stringify({ topic, data: {} }) });
    expect((await post('cli.ok')).status).toBe(201);
    expect((await post('other.no')).status).toBe(403);

    const legacyRole = startCli(['token', 'create', '--role', 'write'], { env: { SWITCHBOARD_TOKEN: TOKEN } });
    const bad = startCli(['token', 'create', '--role', 'root'], { env: { SWITCHBOARD_TOKEN: TOKEN } });
    const badTopics = startCli(['token', 'create', '--topics', 'a b'], { env: { SWITCHBOARD_TOKEN: TOKEN } });
    expect(await legacyRole.exited).toBe(0);
    expect(JSON.parse(Buffer.from(legacyRole.stdoutLines()[0]!.split('.')[1]!, 'base64url').toString()).role).toBe('admin');
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toMatch(/--role must be read, publish, control or admin/);
    expect(await badTopics.exited).toBe(2);
  });
});
