// The connection loop of `switchboard tail`: open, subscribe, keep alive, print frames, reconnect with backoff and
// resume. Output goes through injected writers so the loop can run against a real server in tests.

import WebSocket from 'ws';
import { backoffDelay, CLIENT_PING_INTERVAL_MS, CLOSE, logPositionOf, type Cursor, type LogPosition } from '@switchboard/protocol';
import { createResumeTracker } from './resume-tracker';
import type { TailTarget } from './tail-target';

export interface TailOptions {
  target: TailTarget;
  /** Patterns to subscribe to on events streams (`--topics`); unset means `*` (or the URL's own `topics`). */
  topics?: string[];
  /** Resume point from `--epoch`/`--since`. */
  start?: Partial<Cursor>;
  token?: string;
  /** Print frames exactly as received; send nothing on our own; no reconnect; stdin lines are sent as frames. */
  raw: boolean;
  /** One frame per call, without the newline. */
  write: (line: string) => void;
  /** Diagnostics (connection lost, retrying…). */
  warn: (line: string) => void;
  /** Keepalive ping period. @default 30000 */
  pingIntervalMs?: number;
  /** Jitter source for the backoff. @default Math.random */
  random?: () => number;
}

export interface Tail {
  /** Send a text frame (raw mode's stdin); queued until the socket is open. */
  send(text: string): void;
  /** Close with 1000 and resolve `done` with 0. */
  stop(): void;
  /** Resolves with the exit code: 0 after `stop()` (or a clean close in raw mode), 1 after a fatal close. */
  done: Promise<number>;
}

/** Close codes after which reconnecting cannot help: the server refused us or our frames. */
const FATAL_CLOSE_CODES = new Set<number>([
  CLOSE.unsupportedData, CLOSE.policyViolation, CLOSE.messageTooBig,
  CLOSE.badRequest, CLOSE.unauthorized, CLOSE.forbidden, CLOSE.notFound,
]);
/** HTTP answers to the upgrade after which reconnecting cannot help. */
const FATAL_HTTP_STATUSES = new Set([400, 401, 403, 404]);

/** Start tailing; runs until `stop()` or a fatal close. */
export function startTail(options: TailOptions): Tail {
  const tracker = createResumeTracker(options.start);
  /** On a logs stream, where the printed lines end: a reconnect resumes there, so nothing prints twice or goes missing. */
  let logPosition: LogPosition | undefined;
  const random = options.random ?? Math.random;
  const pingIntervalMs = options.pingIntervalMs ?? CLIENT_PING_INTERVAL_MS;
  let socket: WebSocket | undefined;
  let attempt = 0;
  let stopping = false;
  let finished = false;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  /** Frames `send()` got before the socket opened (raw mode's stdin races the handshake). */
  const pending: string[] = [];
  let finish!: (code: number) => void;
  const done = new Promise<number>((resolve) => {
    finish = (code) => {
      if (finished) return;
      finished = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      resolve(code);
    };
  });

  function connect(): void {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const { target } = options;
    const subscribeByQuery = !options.raw && target.kind === 'events' && target.subscribeBy === 'query';
    const url = subscribeByQuery
      ? tracker.subscribeUrl(target.url, options.topics)
      : !options.raw && target.kind === 'logs' && logPosition
        ? withLogPosition(target.url, logPosition)
        : target.url;
    const ws = new WebSocket(url, { headers });
    socket = ws;
    let pingTimer: ReturnType<typeof setInterval> | undefined;
    let refusal: string | undefined;
    let fatal = false;
    let sawFrame = false;

    ws.on('open', () => {
      for (const text of pending.splice(0)) ws.send(text);
      if (options.raw) return;
      if (target.kind === 'events' && target.subscribeBy === 'frame') {
        ws.send(JSON.stringify(tracker.subscribeFrame(options.topics ?? ['*'])));
      }
      // An application ping keeps streams with an idle rule open (docs/protocol.md#shared-websocket-rules); the pong is not printed.
      pingTimer = setInterval(() => ws.send('{"type":"ping"}'), pingIntervalMs);
    });

    ws.on('message', (data, isBinary) => {
      if (!sawFrame) {
        sawFrame = true;
        attempt = 0; // the backoff resets on the first server frame (docs/architecture.md)
      }
      const text = isBinary ? Buffer.from(data as Buffer).toString('base64') : data.toString();
      if (options.raw) return options.write(text);
      let frame: unknown;
      try {
        frame = JSON.parse(text);
      } catch {
        options.warn(`not JSON, printed as received: ${text.slice(0, 200)}`);
        return options.write(text);
      }
      if (target.kind === 'logs' && typeof frame === 'object' && frame !== null) logPosition = logPositionOf(frame) ?? logPosition;
      if (tracker.accept(frame)) options.write(JSON.stringify(frame));
    });

    ws.on('unexpected-response', (req, res) => {
      // The upgrade was answered with plain HTTP (401 bad token, 404 unknown path, 503 starting up…).
      fatal = FATAL_HTTP_STATUSES.has(res.statusCode ?? 0);
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        refusal = `HTTP ${res.statusCode}${describeErrorBody(body)}`;
        req.destroy();
        ws.terminate();
      });
    });

    ws.on('error', (err) => {
      refusal ??= (err as NodeJS.ErrnoException).code === 'ECONNREFUSED' ? 'connection refused' : err.message;
    });

    ws.on('close', (code, reasonBuffer) => {
      if (pingTimer) clearInterval(pingTimer);
      if (socket === ws) socket = undefined;
      if (stopping) return finish(0);
      const reason = reasonBuffer.toString();
      const why = refusal ?? `closed ${code}${reason ? ` ${reason}` : ''}`;
      if (fatal || FATAL_CLOSE_CODES.has(code)) {
        options.warn(`${target.url}: ${why}`);
        return finish(1);
      }
      if (options.raw) {
        if (code !== CLOSE.normal && code !== CLOSE.goingAway) options.warn(`${target.url}: ${why}`);
        return finish(code === CLOSE.normal || code === CLOSE.goingAway ? 0 : 1);
      }
      attempt++;
      const delay = backoffDelay(attempt, random());
      options.warn(`${target.url}: ${why}; reconnecting in ${(delay / 1000).toFixed(1)} s`);
      reconnectTimer = setTimeout(connect, delay);
    });
  }

  connect();
  return {
    send(text) {
      if (socket?.readyState === WebSocket.OPEN) socket.send(text);
      else pending.push(text);
    },
    stop() {
      if (stopping || finished) return;
      stopping = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      const ws = socket;
      if (!ws || ws.readyState === WebSocket.CLOSED) return finish(0);
      ws.close(CLOSE.normal);
      // Don't hang on a peer that never answers the close handshake.
      setTimeout(() => {
        ws.terminate();
        finish(0);
      }, 1000).unref();
    },
    done,
  };
}

/** A logs URL with the resume position in its query (docs/control-plane.md "Exact log resume"). */
function withLogPosition(url: string, pos: LogPosition): string {
  const u = new URL(url);
  u.searchParams.set('file', pos.file);
  u.searchParams.set('offset', String(pos.offset));
  return u.toString();
}

/** `{"error":{"code":"unauthorized","message":"…"}}` → `: unauthorized: …`. */
function describeErrorBody(body: string): string {
  try {
    const error = (JSON.parse(body) as { error?: { code?: string; message?: string } }).error;
    if (error?.code) return `: ${error.code}${error.message ? `: ${error.message}` : ''}`;
  } catch {
    // not JSON: fall through to the raw text
  }
  const trimmed = body.trim().slice(0, 200);
  return trimmed ? `: ${trimmed}` : '';
}
