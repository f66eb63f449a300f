// WebSocket opens and closes: the `switchboard_connections` gauge, `switchboard_ws_closes_total`, and one log line
// for each (stream, connection id, and at close the code and how long it was open). Nothing the client sent.

import type { Logger } from '../logging/logger';
import { bump } from '../metrics/counters';
import { closeCodeLabel, streamLabel } from '../metrics/labels';
import type { ServerMetrics } from '../metrics/server-metrics';
import type { ConnectionObserver } from '../ws/gateway';

export function connectionObserver(metrics: ServerMetrics, logger: Logger): ConnectionObserver {
  const { connections, wsCloses } = metrics.counters;
  return {
    opened(pattern, conn) {
      const stream = streamLabel(pattern);
      bump(connections, stream);
      logger.info({ stream, conn: conn.id }, 'ws open');
    },
    closed(pattern, conn, code, openedAt) {
      const stream = streamLabel(pattern);
      bump(connections, stream, -1);
      bump(wsCloses, closeCodeLabel(code));
      logger.info({ stream, conn: conn.id, code, duration_ms: Date.now() - openedAt }, 'ws close');
    },
  };
}
