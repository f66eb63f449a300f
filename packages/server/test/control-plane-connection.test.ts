// The control-plane contract's shared protocol on its three endpoints (docs/protocol.md#shared-websocket-rules): ping → pong, the idle rule (1001), close 1001 on
// graceful shutdown, and the frame rules.

import { afterEach, describe, expect, it } from 'vitest';
import { waitFor, isProcessAlive } from '@switchboard/testkit';
import { frame, startHarness, uniqueName, type Harness } from './control-plane-helpers';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function threeStreams(): Promise<string[]> {
  const name = uniqueName();
  await h.post('/api/instances', { name, command: 'sleep 30' });
  return ['/ws/instances', `/ws/instances/${name}/logs`, '/ws/messages?instance=x'];
}

describe('the control-plane contract keepalive and lifecycle', () => {
  it('ws_keepalive: a ping is answered with a pong within 5 s on every endpoint', async () => {
    h = await startHarness();
    for (const path of await threeStreams()) {
      const c = await h.open(path);
      await c.next();
      const t0 = Date.now();
      c.send({ type: 'ping' });
      expect(await c.next(frame('pong'), 5000)).toEqual({ type: 'pong' });
      expect(Date.now() - t0).toBeLessThan(5000);
    }
  }, 15_000);

  it('ws_idle_disconnect: no client frame for the idle timeout closes with 1001; a pinging client stays', async () => {
    h = await startHarness({ idleTimeoutSeconds: 0.5 });
    const paths = await threeStreams();
    const idle = await Promise.all(paths.map((p) => h.open(p)));
    const talker = await h.open('/ws/instances');
    const pinger = setInterval(() => talker.send({ type: 'ping' }), 100);
    try {
      for (const c of idle) expect((await c.closed).code).toBe(1001);
      expect(talker.ws.readyState).toBe(talker.ws.OPEN);
    } finally {
      clearInterval(pinger);
    }
  }, 15_000);

  it('ws_graceful_shutdown: closing the server sends close 1001 to every client and stops every instance', async () => {
    h = await startHarness();
    const name = uniqueName();
    await h.post('/api/instances', { name, command: 'sleep 30' });
    const { body } = await h.post(`/api/instances/${name}/start`);
    const clients = await Promise.all(['/ws/instances', `/ws/instances/${name}/logs`, '/ws/messages'].map((p) => h.open(p)));
    await Promise.all(clients.map((c) => c.next()));
    const closes = clients.map((c) => c.closed);
    await h.srv.close();
    for (const closed of closes) expect((await closed).code).toBe(1001);
    // No orphan: the instance's process group is gone.
    await waitFor(() => !isProcessAlive(body.pid), { message: `pid ${body.pid} gone` });
  }, 15_000);

  it('applies the shared frame rules on the control plane streams', async () => {
    h = await startHarness();
    const c = await h.open('/ws/messages');
    await c.next();
    c.send({ type: 'nope' });
    expect(await c.next(frame('error'))).toMatchObject({ code: 'unknown_type' });
    c.sendRaw('{broken');
    expect((await c.closed).code).toBe(1008);
    const b = await h.open('/ws/instances');
    b.sendRaw(Buffer.from([1, 2]), true);
    expect((await b.closed).code).toBe(1003);
  }, 15_000);
});

