// Structured operational logs (docs/operations.md): pino writes one JSON object per line (`level`, `time`, `msg`
// and fields) to the configured sink (`ServerConfig.log`, stderr by default), or a readable line per entry when
// the sink is a terminal. Redaction is the second line of defence: call sites log route patterns, statuses and
// codes, never a token, a message payload or an environment value, and the paths below blank them anyway.

import pino, { type Logger } from 'pino';
import { formatPretty } from './pretty';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
export type LogFormat = 'json' | 'pretty';
export type { Logger };

/** Field names that may hold a secret or event data, wherever they appear (one level deep, and at the top). */
const SECRET_FIELDS = ['token', 'authorization', 'cookie', 'password', 'secret', 'env', 'data', 'payload', 'body'];
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["sec-websocket-protocol"]',
];

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Receives each formatted line, without its newline. */
  sink: (line: string) => void;
  /** Fields on every line (e.g. the cluster node id). */
  base?: Record<string, string>;
}

export function createLogger(o: LoggerOptions): Logger {
  const destination = {
    write: o.format === 'pretty' ? (s: string) => o.sink(formatPretty(s)) : (s: string) => o.sink(s.endsWith('\n') ? s.slice(0, -1) : s),
  };
  return pino(
    {
      level: o.level,
      base: o.base ?? null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    },
    destination,
  );
}
