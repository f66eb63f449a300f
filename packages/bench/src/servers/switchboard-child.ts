// Server child: Switchboard itself (`startServer`, temp data dir, every feature on), published to through the real
// `POST /api/events` and subscribed to on `/ws/events?topics=bench.*`.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '@switchboard/server';
import { runServerChild } from './server-child';

await runServerChild(async ({ pingIntervalMs }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  // The generators are a handful of addresses holding up to 50 000 sockets, opened as fast as they can, and one
  // publisher posting as fast as it can: lift the per-address flood cap and both rate limits.
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    pingIntervalMs,
    maxConnectionsPerIp: Infinity,
    rateLimitPerSecond: 0,
    connectRatePerSecond: 0,
    log: () => {},
  });
  return {
    port: server.port,
    close: async () => {
      try {
        await server.close();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
});
