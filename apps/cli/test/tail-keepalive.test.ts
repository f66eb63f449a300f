import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, waitFor, type TestServer } from '@switchboard/testkit';
import { startTail, type Tail } from '../src/tail/tailer';
import { resolveTailTarget } from '../src/tail/tail-target';

let server: TestServer | undefined;
const tails: Tail[] = [];
afterEach(async () => {
  for (const t of tails.splice(0)) {
    t.stop();
    await t.done;
  }
  await server?.close();
  server = undefined;
});

function tail(url: string, pingIntervalMs: number) {
  const lines: string[] = [];
  const warnings: string[] = [];
  const t = startTail({
    target: resolveTailTarget('/ws/events', url),
    raw: false,
    write: (l) => lines.push(l),
    warn: (w) => warnings.push(w),
    pingIntervalMs,
  });
  tails.push(t);
  return { t, lines, warnings };
}

describe('tail keepalive', () => {
  it('pings often enough that the idle rule never closes it, and hides the pongs', { timeout: 30_000 }, async () => {
    server = await startTestServer({ idleTimeoutSeconds: 0.6 });
    const silent = tail(server.url, 60_000);
    const pinging = tail(server.url, 100);
    await waitFor(() => silent.warnings.find((w) => /closed 1001/.test(w)), { timeoutMs: 5000, message: 'the silent tail to be closed as idle' });
    expect(pinging.warnings).toEqual([]);
    server.server.publish([{ topic: 'cli.alive', data: {} }]);
    await waitFor(() => pinging.lines.find((l) => l.includes('"cli.alive"')), { message: 'the event on the pinging tail' });
    expect(pinging.lines.some((l) => l.includes('"pong"'))).toBe(false);
  });
});
