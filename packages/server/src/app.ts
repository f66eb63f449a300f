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
  /** This node and its requests to the others, in cluster mode only (docs/architecture.md#cluster-mode). */
  cluster?: ClusterNode;
  /** Cluster mode only: this node's place in the shared log (epoch, caught-up seq, lag), for health answers. */
  clusterHealth?: () => Promise<ClusterHealth>;
  /** Answer requests outside `/api/*` that no route matched (the web dashboard); the handler returns true if it did. */
  setFallback(handler: HttpFallback): void;
}

/** A handler for unmatched requests; false leaves the JSON 404. */
export type HttpFallback = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

export type Feature = (app: App) => void | Promise<void>;

export interface ClusterHealth {
  node_id: string;
  epoch: string;
  /** The seq this node has applied (caught up to). */
  seq: number;
  /** The shared log's seq counter (read now when Redis answers, else the newest seen). */
  log_seq: number;
  /** `log_seq - seq`: events in the shared log this node has not applied yet. */
  lag: number;
  redis: 'up' | 'down';
  /** The shared log was lost and this node is moving to the cluster's new epoch. */
  moving_epoch: boolean;
}
