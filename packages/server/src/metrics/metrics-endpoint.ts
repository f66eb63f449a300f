// `GET /metrics` in the Prometheus text format, on the server port and optionally on `--metrics-port`. The caller
// has already applied the Host rule and, with `--token`, the read-token check (docs/operations.md).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { SwitchboardError } from '@switchboard/protocol';
import type { ServerMetrics } from './server-metrics';

export const METRICS_PATH = '/metrics';

export async function serveMetrics(req: IncomingMessage, res: ServerResponse, metrics: ServerMetrics): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    throw new SwitchboardError('method_not_allowed', `${req.method} is not allowed on ${METRICS_PATH}`);
  }
  const text = await metrics.render();
  res.writeHead(200, {
    'content-type': metrics.contentType,
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}
