// What every feature module receives: config, the event log, the REST router, the stream table and close hooks.
// Features register themselves in features.ts; none imports another feature's internals.

import type { ServerConfig } from './config';
import type { EventLog } from './log/event-log';
import type { Router } from './http/router';
import type { StreamRegistry } from './ws/stream';

export interface App {
  config: ServerConfig;
  log: EventLog;
  router: Router;
  streams: StreamRegistry;
  /** Run on graceful shutdown, in reverse registration order, before the store closes. */
  onClose(fn: () => void | Promise<void>): void;
  /** Operational log line (never secrets). */
  logLine(line: string): void;
}

export type Feature = (app: App) => void | Promise<void>;
