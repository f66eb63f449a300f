// `switchboard serve` flags and their SWITCHBOARD_* environment variables → a partial ServerConfig (README.md#quick-start, docs/security.md).
// Pure: argv and env in, settings out, so the mapping is table-tested without starting anything.

import { isIP } from 'node:net';
import { Command } from 'commander';
import type { ServerConfig } from '@switchboard/server';
import { usageError } from '../cli-error';

/** What `serve` runs: the server's settings (only those given; the server defaults the rest) and the demo switch. */
export interface ServeSettings {
  config: Partial<ServerConfig>;
  /** Also run the fleet simulator in-process. */
  demo: boolean;
}

/** `negated`: a `--no-x` switch; its variable is SWITCHBOARD_X, a boolean that is true unless set false. */
type Kind = 'string' | 'port' | 'seconds' | 'bytes' | 'boolean' | 'negated' | 'origins' | 'hosts' | 'redis' | 'node-id' | 'rate' | 'count' | 'log-level' | 'size' | 'files' | 'retention';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

interface FlagSpec {
  /** Commander flag text; the value placeholder names the unit the user types. */
  flags: string;
  /** Key in commander's `opts()`. */
  key: string;
  description: string;
  kind: Kind;
  /** The ServerConfig field this sets; `demo` belongs to the CLI. */
  field: keyof ServerConfig | 'demo';
}

/** Every `serve` flag. The environment variable is SWITCHBOARD_ + the flag name in upper snake case. */
export const SERVE_FLAGS: readonly FlagSpec[] = [
  { flags: '--host <host>', key: 'host', kind: 'string', field: 'host', description: 'address to bind (default 127.0.0.1; anything but loopback needs --token or --insecure)' },
  { flags: '--port <port>', key: 'port', kind: 'port', field: 'port', description: 'TCP port; 0 picks a free one (default 8000)' },
  { flags: '--data <dir>', key: 'data', kind: 'string', field: 'dataDir', description: 'data directory: event log, instance logs (default ./.switchboard)' },
  { flags: '--token <token>', key: 'token', kind: 'string', field: 'token', description: 'admin token and signing secret; turns auth on' },
  { flags: '--jwt-public-key <file>', key: 'jwtPublicKey', kind: 'string', field: 'jwtPublicKeyFile', description: 'PEM public key (RSA or P-256) of a service whose RS256/ES256 JWTs are accepted; turns auth on' },
  { flags: '--no-legacy-tokens', key: 'legacyTokens', kind: 'negated', field: 'legacyTokens', description: 'refuse the older sb1. tokens (JWTs and the admin token still work)' },
  { flags: '--demo', key: 'demo', kind: 'boolean', field: 'demo', description: 'also run a simulated fleet that produces live activity' },
  { flags: '--idle-timeout <seconds>', key: 'idleTimeout', kind: 'seconds', field: 'idleTimeoutSeconds', description: 'close idle /ws/events clients after this many seconds (default 90)' },
  { flags: '--max-queue-bytes <bytes>', key: 'maxQueueBytes', kind: 'bytes', field: 'maxQueueBytes', description: 'outbound queue bound per connection (default 1048576)' },
  { flags: '--git-interval <seconds>', key: 'gitInterval', kind: 'seconds', field: 'gitIntervalSeconds', description: 'workspace git status refresh period (default 30)' },
  { flags: '--allowed-origins <origins>', key: 'allowedOrigins', kind: 'origins', field: 'allowedOrigins', description: 'comma-separated browser origins (scheme://host[:port]) allowed to change state and open WebSockets' },
  { flags: '--allowed-hosts <hosts>', key: 'allowedHosts', kind: 'hosts', field: 'allowedHosts', description: 'comma-separated host names the server answers to besides loopback and --host (.example.com for a domain and its subdomains, * for any); other Host headers get 403' },
  { flags: '--insecure', key: 'insecure', kind: 'boolean', field: 'insecure', description: 'allow a non-loopback --host without --token' },
  { flags: '--redis <url>', key: 'redis', kind: 'redis', field: 'redisUrl', description: 'cluster mode: share the log in this Redis (redis://…)' },
  { flags: '--node-id <id>', key: 'nodeId', kind: 'node-id', field: 'nodeId', description: "this node's id in a cluster" },
  { flags: '--rate-limit <per-second>', key: 'rateLimit', kind: 'rate', field: 'rateLimitPerSecond', description: 'HTTP requests per second per client before 429; 0 turns it off (default 500)' },
  { flags: '--rate-burst <n>', key: 'rateBurst', kind: 'count', field: 'rateLimitBurst', description: 'HTTP requests a client may send at once (default 1000)' },
  { flags: '--connect-rate <per-second>', key: 'connectRate', kind: 'rate', field: 'connectRatePerSecond', description: 'new WebSockets per second per client before 429; 0 turns it off (default 100)' },
  { flags: '--connect-burst <n>', key: 'connectBurst', kind: 'count', field: 'connectBurst', description: 'new WebSockets a client may open at once (default 500)' },
  { flags: '--log-level <level>', key: 'logLevel', kind: 'log-level', field: 'logLevel', description: `least severe log level written to stderr: ${LOG_LEVELS.join(', ')} (default info)` },
  { flags: '--metrics-port <port>', key: 'metricsPort', kind: 'port', field: 'metricsPort', description: 'also serve GET /metrics on this port (same host and token rule); it is always on the main port' },
  // Bounded disk (docs/control-plane.md "Bounds").
  { flags: '--log-max-bytes <bytes>', key: 'logMaxBytes', kind: 'size', field: 'logMaxBytes', description: "rotate an instance's output log at this size; 0 never rotates (default 10485760)" },
  { flags: '--log-max-files <n>', key: 'logMaxFiles', kind: 'files', field: 'logMaxFiles', description: 'rotated output log files kept per instance besides the current one (default 3)' },
  { flags: '--message-retention <age,count>', key: 'messageRetention', kind: 'retention', field: 'messageRetention', description: 'keep message payloads this long (30m, 12h, 7d) and/or only the newest N (10000), e.g. 7d,10000; off keeps all (default 30d,100000)' },
];

/** `--idle-timeout` → `SWITCHBOARD_IDLE_TIMEOUT`. */
export function envNameOf(spec: Pick<FlagSpec, 'flags'>): string {
  // `--no-legacy-tokens` → SWITCHBOARD_LEGACY_TOKENS=false: the variable names the setting, not its negation.
  const name = spec.flags.split(' ')[0]!.replace(/^--(no-)?/, '');
  return `SWITCHBOARD_${name.replace(/-/g, '_').toUpperCase()}`;
}

/** Add every serve flag to `command`, with its environment variable named in the help. */
export function defineServeOptions(command: Command): Command {
  for (const spec of SERVE_FLAGS) command.option(spec.flags, `${spec.description} [env ${envNameOf(spec)}]`);
  return command;
}

const LOOPBACK_NAMES = new Set(['localhost', '::1', '0:0:0:0:0:0:0:1']);

/** Whether binding `host` keeps the server on this machine (docs/security.md). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return LOOPBACK_NAMES.has(h) || /^127\.\d+\.\d+\.\d+$/.test(h) || /^::ffff:127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * Resolve flags (commander's `opts()`) and environment into settings. A flag wins over its environment variable;
 * an empty environment variable counts as unset. Throws a usage error (exit 2) naming the flag, the source and what
 * is expected.
 */
export function resolveServeSettings(flags: Record<string, unknown>, env: Record<string, string | undefined>): ServeSettings {
  const config: Partial<ServerConfig> = {};
  let demo = false;
  for (const spec of SERVE_FLAGS) {
    const envName = envNameOf(spec);
    const fromFlag = flags[spec.key];
    const fromEnv = env[envName];
    let raw: string | boolean | undefined;
    let source: string;
    // Commander defaults a `--no-x` switch to true; only the switch given (false) counts as set.
    if (fromFlag !== undefined && !(spec.kind === 'negated' && fromFlag === true)) {
      raw = fromFlag as string | boolean;
      source = spec.flags.split(' ')[0]!;
    } else if (fromEnv !== undefined && fromEnv !== '') {
      raw = fromEnv;
      source = envName;
    } else {
      continue;
    }
    const value = parseValue(spec.kind, raw, source);
    if (spec.field === 'demo') demo = value as boolean;
    else (config as Record<string, unknown>)[spec.field] = value;
  }
  const host = config.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && !config.token && !config.jwtPublicKeyFile && !config.insecure) {
    throw usageError(
      `refusing to listen on ${host} without a token: anyone who can reach it could control the fleet. ` +
        'Pass --token <secret> (or SWITCHBOARD_TOKEN), or --insecure if the network is trusted.',
    );
  }
  return { config, demo };
}

/**
 * Parse `serve` arguments (without the command name) the way the CLI does, using `env` instead of `process.env`.
 * @example parseServeArgs(['--port', '0'], { SWITCHBOARD_DEMO: '1' }) // { config: { port: 0 }, demo: true }
 */
export function parseServeArgs(args: readonly string[], env: Record<string, string | undefined>): ServeSettings {
  const command = defineServeOptions(new Command('serve'))
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  try {
    command.parse([...args], { from: 'user' });
  } catch (err) {
    throw usageError(err instanceof Error ? err.message.replace(/^error: /, '') : String(err));
  }
  return resolveServeSettings(command.opts(), env);
}

function parseValue(kind: Kind, raw: string | boolean, source: string): unknown {
  if (typeof raw === 'boolean') return raw;
  const bad = (expected: string) => usageError(`invalid ${source} ${JSON.stringify(raw)}: expected ${expected}`);
  const text = raw.trim();
  switch (kind) {
    case 'string':
      if (text === '') throw bad('a non-empty value');
      return text;
    case 'port': {
      if (!/^\d+$/.test(text) || Number(text) > 65535) throw bad('an integer from 0 to 65535 (0 picks a free port)');
      return Number(text);
    }
    case 'seconds': {
      const n = Number(text);
      if (!/^\d+(\.\d+)?$/.test(text) || !(n > 0)) throw bad('a positive number of seconds');
      return n;
    }
    case 'bytes': {
      const n = Number(text);
      if (!/^\d+$/.test(text) || !(n > 0) || !Number.isSafeInteger(n)) throw bad('a positive integer number of bytes');
      return n;
    }
    case 'negated':
    case 'boolean': {
      const v = text.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      throw bad('true or false (1/0, yes/no, on/off)');
    }
    case 'origins':
      return text.split(',').map((o) => o.trim()).filter((o) => o !== '').map((o) => parseOrigin(o, source));
    case 'hosts':
      return text.split(',').map((h) => h.trim()).filter((h) => h !== '').map((h) => parseHost(h, source));
    case 'redis': {
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        throw bad('a Redis URL such as redis://127.0.0.1:6379');
      }
      if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw bad('a redis:// or rediss:// URL');
      return text;
    }
    case 'rate': {
      const n = Number(text);
      if (!/^\d+(\.\d+)?$/.test(text) || !Number.isFinite(n)) throw bad('a number per second, 0 to turn the limit off');
      return n;
    }
    case 'count': {
      const n = Number(text);
      if (!/^\d+$/.test(text) || !(n >= 1) || !Number.isSafeInteger(n)) throw bad('a positive integer');
      return n;
    }
    case 'log-level': {
      const level = text.toLowerCase();
      if (!(LOG_LEVELS as readonly string[]).includes(level)) throw bad(LOG_LEVELS.join(', '));
      return level;
    }
    case 'size':
    case 'files': {
      const n = Number(text);
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw bad(kind === 'size' ? 'a number of bytes, 0 to turn rotation off' : 'a whole number of files (0 keeps none)');
      return n;
    }
    case 'retention':
      return parseRetention(text, bad);
    case 'node-id':
      if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(text)) throw bad('1–64 letters, digits, ".", "_" or "-"');
      return text;
  }
}

const AGE_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * `--message-retention`: `off`, or an age (a number with s, m, h or d), a count (a bare number), or both separated by a
 * comma (`7d,10000`: a payload goes when either bound says so).
 * @example parseRetention('7d,10000', bad) // { maxAgeSeconds: 604800, maxCount: 10000 }
 */
export function parseRetention(text: string, bad: (expected: string) => Error): { maxAgeSeconds?: number; maxCount?: number } {
  const expected = 'an age like 7d or 12h, a count like 10000, both (7d,10000), or off';
  if (text.toLowerCase() === 'off') return {};
  const out: { maxAgeSeconds?: number; maxCount?: number } = {};
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length > 2) throw bad(expected);
  for (const part of parts) {
    const m = /^(\d+)([smhd])?$/.exec(part);
    if (!m || !Number.isSafeInteger(Number(m[1]))) throw bad(expected);
    if (m[2]) {
      if (out.maxAgeSeconds !== undefined || Number(m[1]) === 0) throw bad(expected);
      out.maxAgeSeconds = Number(m[1]) * AGE_UNITS[m[2]]!;
    } else {
      if (out.maxCount !== undefined) throw bad(expected);
      out.maxCount = Number(m[1]);
    }
  }
  return out;
}

/** An origin as browsers send it: scheme://host[:port], no path. `https://app.example.com/` is normalised. */
function parseOrigin(origin: string, source: string): string {
  let url: URL | undefined;
  try {
    url = new URL(origin);
  } catch {
    url = undefined;
  }
  const pathless = url !== undefined && (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !pathless) {
    throw usageError(`invalid origin ${JSON.stringify(origin)} in ${source}: expected scheme://host[:port], e.g. https://app.example.com`);
  }
  return url.origin;
}

/** A name for `--allowed-hosts`: `*`, `.domain`, a host name or an IP address, without scheme or port. */
function parseHost(host: string, source: string): string {
  if (host === '*' || /^\.?[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/.test(host) || isIP(host.replace(/^\[|\]$/g, '')) !== 0) {
    return host.toLowerCase();
  }
  throw usageError(`invalid host ${JSON.stringify(host)} in ${source}: expected a host name such as switchboard.example.com, .example.com, an IP address or *`);
}
