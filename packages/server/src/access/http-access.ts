// One access-log line and one metrics sample per HTTP request, taken when the response is done. The route is the
// pattern the router matched (`/api/instances/:name`), never the raw path: paths carry ids and a peer chooses
// them, so they would grow the metrics without bound. No query string, header or body is ever logged.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../logging/logger';
import { methodLabel, statusLabel } from '../metrics/labels';
import type { ServerMetrics } from '../metrics/server-metrics';

/** Route label of a request no route, stream or page answered. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Set `route` once known; it is read when the response closes. */
export interface RequestRecord {
  route: string;
}

export function watchRequest(req: IncomingMessage, res: ServerResponse, metrics: ServerMetrics, logger: Logger): RequestRecord {
  const started = performance.now();
  const record: RequestRecord = { route: UNMATCHED_ROUTE };
  res.once('close', () => {
    const seconds = (performance.now() - started) / 1000;
    const method = methodLabel(req.method);
    metrics.recordHttp(method, record.route, statusLabel(res.statusCode), seconds);
    logger.info(
      {
        method,
        route: record.route,
        status: res.statusCode,
        duration_ms: Math.round(seconds * 10_000) / 10,
        ...(res.writableFinished ? {} : { aborted: true }),
      },
      'http request',
    );
  });
  return record;
}
