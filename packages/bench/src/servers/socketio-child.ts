// Server child: Socket.IO 4 broadcasting with `io.emit`, WebSocket transport only, its default ping machinery.

import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { createPublishHandler, runServerChild } from './server-child';

await runServerChild(async ({ pingIntervalMs }) => {
  let io: Server;
  const http = createServer(
    createPublishHandler((e, seq, ts) => {
      io.emit(e.topic, { type: e.topic, seq, ts, data: e.data });
    }),
  );
  io = new Server(http, { transports: ['websocket'], serveClient: false, pingInterval: pingIntervalMs, perMessageDeflate: false });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const addr = http.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    close: async () => {
      io.disconnectSockets(true);
      http.closeAllConnections();
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
});
