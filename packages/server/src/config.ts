// Server settings: what `switchboard serve` flags and SWITCHBOARD_* environment variables set (README.md#quick-start).

import {
  DEFAULT_GIT_INTERVAL_SECONDS,
  DEFAULT_HOST,
  DEFAULT_IDLE_TIMEOUT_SECONDS,
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_FRAMES_PER_SECOND,
  DEFAULT_MAX_CONNECTIONS_PER_IP,
  DEFAULT_CONNECT_BURST,
  DEFAULT_CONNECT_RATE_PER_SECOND,
  DEFAULT_RATE_LIMIT_BURST,
  DEFAULT_RATE_LIMIT_PER_SECOND,
  DEFAULT_MAX_QUEUE_BYTES,
  DEFAULT_PING_INTERVAL_MS,
  DEFAULT_PORT,
  DEFAULT_RETENTION_EVENTS,
  DEFAULT_STOP_GRACE_MS,
} from '@switchboard/protocol';
import type { RestartTiming } from './supervisor/restart-policy';
import type { LogFormat, LogLevel } from './logging/logger';
import type { MessageRetention } from './messages/message-store';

export interface ServerConfig {
  /** Bind address. @default '127.0.0.1' */
  host: string;
  /** TCP port; 0 picks a free one. @default 8000 */
  port: number;
  /** Directory of the SQLite log, instance logs and other state. @default './.switchboard' */
  dataDir: string;
  /** Admin token and signing secret; unset means loopback-only without auth (docs/security.md). */
  token?: string;
  /** Path of a PEM (SPKI) public key whose RS256/ES256 JWTs are accepted too; turns auth on (docs/protocol.md, "Auth"). */
  jwtPublicKeyFile?: string;
  /** Whether `sb1.` tokens are still accepted. @default true */
  legacyTokens: boolean;
  /** Seconds a JWT is still accepted after its `exp`, for clock skew with the service that minted it. @default 5 */
  jwtClockToleranceSeconds: number;
  /** Seconds without an application frame before `/ws/events` and control-plane streams close with 1001. @default 90 */
  idleTimeoutSeconds: number;
  /** Per-connection outbound queue bound. @default 1 MiB */
  maxQueueBytes: number;
  /** Largest client frame; larger closes with 1009. @default 64 KiB */
  maxFrameBytes: number;
  /** Client frames per second per connection before close 1013. @default 500 */
  maxFramesPerSecond: number;
  /** Open WebSockets per client address before upgrades get 429. @default 10000 */
  maxConnectionsPerIp: number;
  /** HTTP requests per second per peer before 429 (`/api/healthz` exempt); 0 turns the limit off. @default 500 */
  rateLimitPerSecond: number;
  /** HTTP requests a quiet peer may send at once. @default 1000 */
  rateLimitBurst: number;
  /** New WebSocket connections per second per peer before upgrades get 429; 0 turns the limit off. @default 100 */
  connectRatePerSecond: number;
  /** New WebSocket connections a quiet peer may open at once. @default 500 */
  connectBurst: number;
  /** Workspace git refresh period. @default 30 */
  gitIntervalSeconds: number;
  /** Extra browser origins allowed to change state and open WebSockets (docs/security.md). */
  allowedOrigins: string[];
  /**
   * Extra names the server answers to besides the loopback names and its bind address: `name`, `.domain` (the
   * domain and its subdomains) or `*` (no Host check). Requests naming any other host get 403 (DNS rebinding).
   */
  allowedHosts: string[];
  /** Allow binding a non-loopback address without a token. */
  insecure: boolean;
  /** Redis URL for cluster mode (docs/architecture.md#cluster-mode). */
  redisUrl?: string;
  /** This node's id in a cluster. */
  nodeId?: string;
  /** Prefix of every Redis key in cluster mode, so clusters (and tests) can share one Redis. @default 'switchboard:' */
  redisPrefix: string;
  /**
   * How long an `Idempotency-Key` on `POST /api/events` is remembered (docs/protocol.md "Idempotent publishing").
   * @default 86400 (24 h)
   */
  idempotencyWindowSeconds: number;
  /** Cluster mode: how often a node checks that the shared log was not lost. @default 1000 */
  clusterCheckIntervalMs: number;
  /**
   * Cluster mode: a node whose heartbeat is older than this is dead, and its instances are marked orphaned
   * (docs/architecture.md "Instances of a node that died"). @default 5000
   */
  nodeTimeoutMs: number;
  /** Cluster mode: how long a resume or poll waits for this node to catch up to its cursor. @default 3000 */
  resumeWaitMs: number;
  /** Protocol ping period; tests shorten it. @default 30000 */
  pingIntervalMs: number;
  /** Events kept before compaction. @default 100000 */
  retentionEvents: number;
  /** Wait between SIGTERM and SIGKILL when an instance is stopped (docs/control-plane.md); tests shorten it. @default 5000 */
  stopGraceMs: number;
  /**
   * Automatic restarts of instances with a restart policy (docs/control-plane.md): backoff from 1 s doubling to
   * 60 s, reset after 30 s up, given up after 5 restarts within 60 s. Tests shorten them.
   */
  restartTiming?: Partial<RestartTiming>;
  /** Bounded disk (docs/control-plane.md "Bounds"): an instance's output log rotates at this size; 0 never. @default 10 MiB */
  logMaxBytes: number;
  /** Rotated output log files kept per instance besides the current one. @default 3 */
  logMaxFiles: number;
  /** Message payloads kept: those older than `maxAgeSeconds` or beyond the newest `maxCount` are pruned. @default 30 days, 100000 */
  messageRetention: MessageRetention;
  /** How often payloads beyond `messageRetention` are pruned; tests shorten it. @default 60000 */
  messagePruneIntervalMs: number;
  /** Where operational log lines go, one formatted line per call (never secrets). @default stderr */
  log: (line: string) => void;
  /** Least severe level written. @default 'info' */
  logLevel: LogLevel;
  /** One JSON object per line, or readable lines. @default 'pretty' when logging to a terminal's stderr, else 'json' */
  logFormat: LogFormat;
  /** Also serve `GET /metrics` on this port (same host, same token rule); unset: only on the main port. */
  metricsPort?: number;
}

export function defaultConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    host: DEFAULT_HOST,
    port: DEFAULT_PORT,
    dataDir: './.switchboard',
    idleTimeoutSeconds: DEFAULT_IDLE_TIMEOUT_SECONDS,
    maxQueueBytes: DEFAULT_MAX_QUEUE_BYTES,
    maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
    maxFramesPerSecond: DEFAULT_MAX_FRAMES_PER_SECOND,
    maxConnectionsPerIp: DEFAULT_MAX_CONNECTIONS_PER_IP,
    rateLimitPerSecond: DEFAULT_RATE_LIMIT_PER_SECOND,
    rateLimitBurst: DEFAULT_RATE_LIMIT_BURST,
    connectRatePerSecond: DEFAULT_CONNECT_RATE_PER_SECOND,
    connectBurst: DEFAULT_CONNECT_BURST,
    gitIntervalSeconds: DEFAULT_GIT_INTERVAL_SECONDS,
    allowedOrigins: [],
    allowedHosts: [],
    insecure: false,
    legacyTokens: true,
    jwtClockToleranceSeconds: 5,
    redisPrefix: 'switchboard:',
    idempotencyWindowSeconds: 86_400,
    clusterCheckIntervalMs: 1000,
    nodeTimeoutMs: 5000,
    resumeWaitMs: 3000,
    pingIntervalMs: DEFAULT_PING_INTERVAL_MS,
    retentionEvents: DEFAULT_RETENTION_EVENTS,
    stopGraceMs: DEFAULT_STOP_GRACE_MS,
    logMaxBytes: 10 * 1024 * 1024,
    logMaxFiles: 3,
    messageRetention: { maxAgeSeconds: 30 * 86_400, maxCount: 100_000 },
    messagePruneIntervalMs: 60_000,
    log: (line) => process.stderr.write(`${line}\n`),
    logLevel: 'info',
    logFormat: overrides.log === undefined && process.stderr.isTTY ? 'pretty' : 'json',
    ...overrides,
  };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}
