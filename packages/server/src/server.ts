// Composes the server: store → event log → REST router + WebSocket gateway on one port, and the graceful
// shutdown of README.md#quick-start (stop accepting, close 1001 to every client, flush the store).

import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { CLOSE, MAX_BODY_BYTES, SwitchboardError, type EventInput } from '@switchboard/protocol';
import type { App, HttpFallback } from './app';
import { readFile } from 'node:fs/promises';
import { Authenticator, type Principal } from './auth/authenticator';
import { defaultConfig, isLoopbackHost, type ServerConfig } from './config';
import { FEATURES } from './features';
import { Router } from './http/router';
import { applyCors } from './http/cors';
import { RequestGuard } from './guard/request-guard';
import { sendError } from './http/respond';
import { hostname } from 'node:os';
import { NodeBus } from './cluster/node-bus';
import { RedisLog } from './cluster/redis-log';
import { EventLog } from './log/event-log';
import { registerEventsApi } from './routes/events';
import { registerTokensApi } from './routes/tokens';
import type { StoredEvent } from './store/event-store';
import { SqliteEventStore } from './store/sqlite-store';
import { registerEventsStream } from './streams/events';
import { WsGateway } from './ws/gateway';
import { PeerRateLimits } from './limits/peer-rate-limits';
import { StreamRegistry } from './ws/stream';
// Operations (docs/operations.md): metrics, structured logs, readiness.
import { watchRequest } from './access/http-access';
import { connectionObserver } from './access/ws-access';
import { Readiness, registerReadyz } from './health/readiness';
import { createLogger, type Logger } from './logging/logger';
import { METRICS_PATH, serveMetrics } from './metrics/metrics-endpoint';
import { ServerMetrics } from './metrics/server-metrics';
import { instancesOf } from '@switchboard/projections';

export interface RunningServer {
  /** `http://host:port` of the listening server. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly epoch: string;
  readonly config: ServerConfig;
  readonly log: EventLog;
  /** The structured operational logger (its lines go to `config.log`). */
  readonly logger: Logger;
  /** `http://host:port` of the `--metrics-port` listener, when configured. */
  readonly metricsUrl?: string;
  /**
   * Append producer events in-process (validated like `POST /api/events`). On a single node the events are
   * already applied when this returns; in cluster mode await the promise.
   */
  publish(inputs: EventInput[]): Promise<StoredEvent[]>;
  /** Every REST route as `{method, pattern}` (read-only; the fuzz tests enumerate the endpoints from it). */
  routes(): Array<{ method: string; pattern: string }>;
  /** Graceful shutdown; resolves when every socket is closed and the store is flushed. */
  close(): Promise<void>;
}

export async function startServer(overrides: Partial<ServerConfig> = {}): Promise<RunningServer> {
  const config = defaultConfig(overrides);
  if (!isLoopbackHost(config.host) && !config.token && !config.jwtPublicKeyFile && !config.insecure) {
    throw new SwitchboardError(
      'forbidden',
      `refusing to bind ${config.host} without --token: anyone on the network could control the fleet (pass --insecure to override)`,
    );
  }
  // Before anything opens: a key that cannot be read should stop the start, not surface at the first request.
  const auth = await Authenticator.create({
    secret: config.token,
    publicKeyPem: config.jwtPublicKeyFile === undefined ? undefined : await readPublicKey(config.jwtPublicKeyFile),
    legacyTokens: config.legacyTokens,
    clockToleranceSeconds: config.jwtClockToleranceSeconds,
  });
  const nodeId = config.nodeId ?? hostname();
  const logger = createLogger({ level: config.logLevel, format: config.logFormat, sink: config.log, ...(config.redisUrl ? { base: { node: nodeId } } : {}) });
  const logLine = (line: string) => logger.info(line);
  const logProblem = (line: string) => logger.warn(line);
  const logError = (line: string) => logger.error(line);
  const store = new SqliteEventStore(config.dataDir);
  // Cluster mode (docs/architecture.md#cluster-mode): the local store becomes a mirror of the shared Redis log, caught up before listening.
  let cluster: RedisLog | undefined;
  let bus: NodeBus | undefined;
  if (config.redisUrl) {
    try {
      cluster = await RedisLog.connect({
        url: config.redisUrl,
        prefix: config.redisPrefix,
        retentionEvents: config.retentionEvents,
        checkIntervalMs: config.clusterCheckIntervalMs,
        log: logProblem,
      });
      await cluster.prepare(store);
      bus = await NodeBus.connect(config.redisUrl, config.redisPrefix, nodeId, logProblem, { nodeTimeoutMs: config.nodeTimeoutMs });
    } catch (err) {
      store.close();
      if (cluster) await cluster.close();
      throw err;
    }
  }
  const log = new EventLog(store, { retentionEvents: config.retentionEvents, log: logProblem });
  const metrics = new ServerMetrics({ logSeq: () => log.head, instancesByStatus: () => countByStatus(log) });
  log.onAppend((events) => metrics.countAppended(events));
  if (cluster) await cluster.start(log);
  const clusterLog = cluster;
  if (clusterLog && bus) {
    const nodeBus = bus;
    metrics.addCluster({ lagSeconds: () => clusterLog.lagSeconds, nodes: () => nodeBus.nodeCount() });
  }
  const readiness = new Readiness([
    () => (store.isOpen ? null : 'the event store is closed'),
    ...(clusterLog ? [() => clusterLog.notReadyReason()] : []),
  ]);
  const router = new Router(logError);
  const streams = new StreamRegistry();
  const closeHooks: Array<() => void | Promise<void>> = [];
  let fallback: HttpFallback | undefined;
  const app: App = {
    setFallback: (handler) => (fallback = handler),
    config,
    log,
    router,
    streams,
    onClose: (fn) => closeHooks.push(fn),
    logLine,
    logger,
    metrics,
    ...(bus ? { cluster: bus } : {}),
    ...(cluster && bus ? { clusterHealth: async () => ({ node_id: bus!.nodeId, ...(await cluster!.health()) }) } : {}),
  };

  const guard = new RequestGuard({
    bindHost: config.host,
    allowedHosts: config.allowedHosts,
    allowedOrigins: config.allowedOrigins,
    tokenConfigured: auth.enabled,
  });
  // Keyed by the token's `sub` once it is verified, else by address (docs/protocol.md, "Rate limits").
  const limits = new PeerRateLimits(config);
  const gateway = new WsGateway(streams, {
    maxFrameBytes: config.maxFrameBytes,
    maxQueueBytes: config.maxQueueBytes,
    maxFramesPerSecond: config.maxFramesPerSecond,
    maxConnectionsPerIp: config.maxConnectionsPerIp,
    pingIntervalMs: config.pingIntervalMs,
    idleTimeoutMs: config.idleTimeoutSeconds * 1000,
    guard,
    limitConnect: (req, socket, principal) => limits.refuseUpgrade(req, socket, principal),
    ...(auth.enabled
      ? {
          authenticate: (req, url) => auth.authorizeStream(Authenticator.presented(req, url), url.pathname),
          reauthenticate: (token, pathname) => auth.authorizeStream(token, pathname),
        }
      : {}),
    log: logError,
    counters: metrics.counters.frames,
    observer: connectionObserver(metrics, logger),
    onFreshness: (seconds) => {
      for (const s of seconds) metrics.observeClientFreshness(s);
    },
  });
  // Cluster mode: once the shared log was lost and the cluster moved to a new epoch, every client resumes against it
  // (and gets recovered:false with a snapshot): 1012 "service restart" is retryable for every client.
  log.onReset(() => {
    for (const c of [...gateway.heartbeat.all()]) c.close(CLOSE.serviceRestart, 'the cluster log was reset; reconnect');
  });
  const fanout = registerEventsStream(app);
  registerEventsApi(app, () => ({ connections: gateway.heartbeat.size, frames_delivered: fanout.delivered, frames_dropped: fanout.dropped }));
  registerTokensApi(app, config.token);
  registerReadyz(router, readiness, app.clusterHealth);
  for (const feature of FEATURES) await feature(app);

  const http: Server = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const access = watchRequest(req, res, metrics, logger);
    // While shutting down, no connection is kept for another request: it would be cut when the sockets go.
    if (readiness.shuttingDown) res.shouldKeepAlive = false;
    access.route = url.pathname === METRICS_PATH ? METRICS_PATH : (router.patternOf(url.pathname) ?? access.route);
    try {
      guard.checkRequest(req);
    } catch (err) {
      req.resume();
      return sendError(res, err, logError);
    }
    if (url.pathname.startsWith('/api/') && applyCors(req, res, guard.origins)) return;
    // Token checks are async (JWT verification); the principal rides on the request for the routes (route-roles.ts).
    const needsToken = auth.enabled && (url.pathname.startsWith('/api/') || url.pathname === METRICS_PATH) && !AUTH_EXEMPT.has(url.pathname);
    const authorized: Promise<Principal | null> = needsToken ? auth.authorizeRequest(req, url) : Promise.resolve(null);
    authorized
      .then(
        async (principal) => {
          if (limits.refuseRequest(req, res, url, principal)) return;
          if (url.pathname === METRICS_PATH) return serveMetrics(req, res, metrics);
          const handled = await router.handle(req, res, url, MAX_BODY_BYTES, principal);
          if (handled) return;
          if (fallback && !url.pathname.startsWith('/api/') && (await fallback(req, res, url))) {
            access.route = WEB_ROUTE;
            return;
          }
          sendError(res, new SwitchboardError('not_found', `no route for ${req.method} ${url.pathname}`));
        },
        (err) => {
          req.resume();
          // A bad token counts against its address, so guessing tokens is limited too.
          if (limits.refuseRequest(req, res, url, null)) return;
          sendError(res, err, logError);
        },
      )
      .catch((err) => sendError(res, err, logError));
  });
  const metricsHttp = config.metricsPort === undefined ? undefined : createMetricsServer(metrics, guard, auth, logger, logError);
  http.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
  // Requests Node cannot parse (bad request line, oversized headers) still get a registry error body.
  http.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return;
    const body = JSON.stringify(new SwitchboardError('bad_request', `the request could not be parsed (${err.code ?? 'malformed'})`).toJSON());
    socket.end(`HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  if (metricsHttp) {
    try {
      await listen(metricsHttp, config.metricsPort!, config.host);
    } catch (err) {
      http.close();
      throw err;
    }
  }
  const addr = http.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const metricsAddr = metricsHttp?.address();

  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostForUrl}:${port}`,
    host: config.host,
    port,
    config,
    log,
    logger,
    ...(metricsAddr && typeof metricsAddr === 'object' ? { metricsUrl: `http://${hostForUrl}:${metricsAddr.port}` } : {}),
    get epoch() {
      return log.epoch;
    },
    publish: (inputs) => log.appendProducer(log.validateProducerInput(inputs)),
    routes: () => router.list(),
    close: () =>
      (closing ??= (async () => {
        // Readiness says no first; the port keeps answering (upgrades get 503) until the sockets have closed.
        readiness.beginShutdown();
        http.closeIdleConnections();
        await gateway.closeAll();
        http.close();
        metricsHttp?.close();
        for (const fn of closeHooks.reverse()) {
          try {
            await fn();
          } catch (err) {
            logError(`shutdown hook failed: ${(err as Error).message}`);
          }
        }
        http.closeAllConnections();
        metricsHttp?.closeAllConnections();
        await bus?.close();
        await cluster?.stop();
        log.close();
        await cluster?.close();
      })()),
  };
}

async function readPublicKey(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`--jwt-public-key: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Paths answered without a token: the probes of a load balancer or orchestrator (docs/operations.md). */
const AUTH_EXEMPT = new Set(['/api/healthz', '/api/readyz']);
/** Route label of what the web dashboard served. */
const WEB_ROUTE = 'web';

function countByStatus(log: EventLog): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const inst of Object.values(instancesOf(log.state))) counts[inst.status] = (counts[inst.status] ?? 0) + 1;
  return counts;
}

/** The `--metrics-port` listener: only `GET /metrics`, behind the same Host rule and token check as the main port. */
function createMetricsServer(metrics: ServerMetrics, guard: RequestGuard, auth: Authenticator, logger: Logger, logError: (line: string) => void): Server {
  return createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const access = watchRequest(req, res, metrics, logger);
    req.resume();
    try {
      guard.checkRequest(req);
      if (url.pathname !== METRICS_PATH) throw new SwitchboardError('not_found', `only ${METRICS_PATH} is served on this port`);
      access.route = METRICS_PATH;
    } catch (err) {
      return sendError(res, err, logError);
    }
    (auth.enabled ? auth.authorizeRequest(req, url) : Promise.resolve(null))
      .then(() => serveMetrics(req, res, metrics))
      .catch((err) => sendError(res, err, logError));
  });
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
