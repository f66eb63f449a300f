// Stock clients that know nothing of Switchboard: Node's built-in (undici) WebSocket in a child process and a
// bare RFC 6455 handshake over a TCP socket. Both must be able to subscribe, receive events and get pongs.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, waitFor, type TestServer } from '@switchboard/testkit';

let srv: TestServer;
beforeEach(async () => {
  srv = await startTestServer();
});
afterEach(async () => {
  await srv.close();
});

const publish = (events: unknown) =>
  fetch(`${srv.url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });

describe('stock WebSocket clients', () => {
  it("Node's built-in WebSocket subscribes, receives events in order and a pong", async () => {
    const script = `
      const ws = new WebSocket(process.argv[1]);
      ws.onopen = () => ws.send(JSON.stringify({ type: 'subscribe', topics: ['custom.*'] }));
      ws.onmessage = (m) => {
        const f = JSON.parse(m.data);
        console.log(JSON.stringify(f));
        if (f.type === 'custom.b') ws.send(JSON.stringify({ type: 'ping' }));
        if (f.type === 'pong') ws.close(1000);
      };
      ws.onclose = (e) => { console.log(JSON.stringify({ type: 'closed', code: e.code })); process.exit(0); };
    `;
    const child = spawn(process.execPath, ['--experimental-websocket', '-e', script, `${srv.wsUrl}/ws/events`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      await waitFor(() => out.includes('"snapshot"'), { message: 'snapshot in child output' });
      await publish([{ topic: 'custom.a', data: { n: 1 } }, { topic: 'custom.b', data: { n: 2 } }]);
      await waitFor(() => out.includes('"closed"'), { message: 'child finished' });
      const types = out.trim().split('\n').map((l) => JSON.parse(l).type);
      expect(types).toEqual(['subscribed', 'snapshot', 'custom.a', 'custom.b', 'pong', 'closed']);
    } finally {
      child.kill();
    }
  });

  it('a bare RFC 6455 handshake over TCP gets 101 and unmasked JSON text frames', async () => {
    const sock = connect(srv.port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => (buf = Buffer.concat([buf, d])));
    try {
      sock.write(
        'GET /ws/agents HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
      await waitFor(() => buf.includes('\r\n\r\n'), { message: 'handshake answer' });
      const head = buf.subarray(0, buf.indexOf('\r\n\r\n') + 4).toString();
      expect(head).toMatch(/^HTTP\/1\.1 101/);
      expect(head).toContain('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
      buf = buf.subarray(head.length);
      // First frame: FIN + text opcode, unmasked, carrying the subscribed frame.
      await waitFor(() => buf.length >= 2 && buf.length >= 2 + (buf[1]! & 0x7f), { message: 'first frame' });
      expect(buf[0]).toBe(0x81);
      expect(buf[1]! & 0x80).toBe(0);
      const len = buf[1]! & 0x7f;
      expect(JSON.parse(buf.subarray(2, 2 + len).toString())).toMatchObject({ type: 'subscribed', topics: ['*'] });
    } finally {
      sock.destroy();
    }
  });
});
