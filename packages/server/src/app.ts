// What every feature module receives: config, the event log, the REST router, the stream table and close hooks.
// Features register themselves in features.ts; none imports another feature's internals.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClusterNode } from './cluster/node-bus';
import type { ServerConfig } from './config';
import type { EventLog } from './log/event-log';
import type { Logger } from './logging/logger';
import type { ServerMetrics } from './metrics/server-metrics';
import type { Router } from './http/router';
import type { StreamRegistry } from './ws/stream';

export interface App {
  config: ServerConfig;
  log: EventLog;
  router: Router;
  streams: StreamRegistry;
  /** Run on graceful shutdown, in reverse registration order, before the store closes. */
  onClose(fn: () => void | Promise<void>): void;
  /** Operational log line at level info (never secrets). */
  logLine(line: string): void;
  /** The structured logger behind `logLine`, for lines with fields or another level. */
  logger: Logger;
  /** The server's metrics (docs/operations.md). */
  metrics: ServerMetrics;
  /** This node and its requests to the others, in cluster mode only (SPEC §11). */
  cluster?: ClusterNode;
  /** Answer requests outside `/api/*` that no route matched (the web dashboard); the handler returns true if it did. */
  setFallback(handler: HttpFallback): void;
}

/** A handler for unmatched requests; false leaves the JSON 404. */
export type HttpFallback = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

export type Feature = (app: App) => void | Promise<void>;
