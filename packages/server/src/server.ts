// Composes the server: store → event log → REST router + WebSocket gateway on one port, and the graceful
// shutdown of SPEC §1 (stop accepting, close 1001 to every client, flush the store).

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

export interface RunningServer {
  /** `http://host:port` of the listening server. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly epoch: string;
  readonly config: ServerConfig;
  readonly log: EventLog;
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
  const store = new SqliteEventStore(config.dataDir);
  // Cluster mode (SPEC §11): the local store becomes a mirror of the shared Redis log, caught up before listening.
  let cluster: RedisLog | undefined;
  let bus: NodeBus | undefined;
  if (config.redisUrl) {
    try {
      cluster = await RedisLog.connect({
        url: config.redisUrl,
        prefix: config.redisPrefix,
        retentionEvents: config.retentionEvents,
        checkIntervalMs: config.clusterCheckIntervalMs,
        log: config.log,
      });
      await cluster.prepare(store);
      bus = await NodeBus.connect(config.redisUrl, config.redisPrefix, config.nodeId ?? hostname(), config.log, { nodeTimeoutMs: config.nodeTimeoutMs });
    } catch (err) {
      store.close();
      if (cluster) await cluster.close();
      throw err;
    }
  }
  const log = new EventLog(store, { retentionEvents: config.retentionEvents, log: config.log });
  if (cluster) await cluster.start(log);
  const router = new Router(config.log);
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
    logLine: config.log,
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
    log: config.log,
  });
  // Cluster mode: once the shared log was lost and the cluster moved to a new epoch, every client resumes against it
  // (and gets recovered:false with a snapshot): 1012 "service restart" is retryable for every client.
  log.onReset(() => {
    for (const c of [...gateway.heartbeat.all()]) c.close(CLOSE.serviceRestart, 'the cluster log was reset; reconnect');
  });
  const fanout = registerEventsStream(app);
  registerEventsApi(app, () => ({ connections: gateway.heartbeat.size, frames_delivered: fanout.delivered, frames_dropped: fanout.dropped }));
  registerTokensApi(app, config.token);
  for (const feature of FEATURES) await feature(app);

  const http: Server = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      guard.checkRequest(req);
    } catch (err) {
      req.resume();
      return sendError(res, err, config.log);
    }
    if (url.pathname.startsWith('/api/') && applyCors(req, res, guard.origins)) return;
    // Token checks are async (JWT verification); the principal rides on the request for the routes (route-roles.ts).
    const authorized: Promise<Principal | null> =
      auth.enabled && url.pathname.startsWith('/api/') && url.pathname !== '/api/healthz' ? auth.authorizeRequest(req, url) : Promise.resolve(null);
    authorized
      .then(
        async (principal) => {
          if (limits.refuseRequest(req, res, url, principal)) return;
          const handled = await router.handle(req, res, url, MAX_BODY_BYTES, principal);
          if (handled || (fallback && !url.pathname.startsWith('/api/') && (await fallback(req, res, url)))) return;
          sendError(res, new SwitchboardError('not_found', `no route for ${req.method} ${url.pathname}`));
        },
        (err) => {
          req.resume();
          // A bad token counts against its address, so guessing tokens is limited too.
          if (limits.refuseRequest(req, res, url, null)) return;
          sendError(res, err, config.log);
        },
      )
      .catch((err) => sendError(res, err, config.log));
  });
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
  const addr = http.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostForUrl}:${port}`,
    host: config.host,
    port,
    config,
    log,
    get epoch() {
      return log.epoch;
    },
    publish: (inputs) => log.append(log.validateProducerInput(inputs)),
    routes: () => router.list(),
    close: () =>
      (closing ??= (async () => {
        http.close();
        await gateway.closeAll();
        for (const fn of closeHooks.reverse()) {
          try {
            await fn();
          } catch (err) {
            config.log(`shutdown hook failed: ${(err as Error).message}`);
          }
        }
        http.closeAllConnections();
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
