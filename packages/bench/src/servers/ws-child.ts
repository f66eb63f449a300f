// Server child: the `ws` baselines. `plain` is the naive loop (one `send()` per frame per client, the string
// re-encoded per send); `corked` encodes each frame once and writes each socket's frames of a tick in one corked
// burst, the practical Node floor.

import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { createPublishHandler, eventFrameText, runServerChild } from './server-child';

const mode = process.argv[3] === 'corked' ? 'corked' : 'plain';

await runServerChild(async ({ pingIntervalMs }) => {
  let wss: WebSocketServer;
  const queues = new Map<WebSocket, Buffer[]>();
  let flushScheduled = false;

  const flush = () => {
    flushScheduled = false;
    for (const [ws, frames] of queues) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      const socket = (ws as unknown as { _socket: Socket })._socket;
      socket.cork();
      for (const f of frames) ws.send(f, { binary: false });
      socket.uncork();
    }
    queues.clear();
  };

  const http = createServer(
    createPublishHandler((e, seq, ts) => {
      const text = eventFrameText(e, seq, ts);
      if (mode === 'plain') {
        for (const ws of wss.clients) if (ws.readyState === WebSocket.OPEN) ws.send(text);
        return;
      }
      const frame = Buffer.from(text);
      for (const ws of wss.clients) {
        const q = queues.get(ws);
        if (q) q.push(frame);
        else queues.set(ws, [frame]);
      }
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    }),
  );
  wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  // The usual ws heartbeat: one interval for all sockets, a peer that missed a pong is terminated.
  const alive = new WeakMap<WebSocket, boolean>();
  wss.on('connection', (ws) => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('error', () => {});
  });
  const ping = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, pingIntervalMs);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const addr = http.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    close: async () => {
      clearInterval(ping);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
});
