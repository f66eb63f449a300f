// A raw WebSocket test client on a real socket: records every frame and close, and waits for frames by predicate.

import WebSocket from 'ws';

export type Frame = { type: string; [k: string]: unknown };

export interface RawClient {
  ws: WebSocket;
  frames: Frame[];
  /** Resolves with {code, reason} when the socket closes. */
  closed: Promise<{ code: number; reason: string }>;
  send(frame: unknown): void;
  sendRaw(data: string | Buffer, binary?: boolean): void;
  /** The next frame (after those already consumed by `next`) matching `pred`. */
  next(pred?: (f: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  /** Wait until `count` frames matching `pred` were received in total; returns them. */
  collect(pred: (f: Frame) => boolean, count: number, timeoutMs?: number): Promise<Frame[]>;
  close(code?: number): Promise<void>;
}

export interface ConnectOptions {
  headers?: Record<string, string>;
  protocols?: string[];
  origin?: string;
  /** Local address to connect from, e.g. `127.0.0.2` to be another peer than `127.0.0.1` (all of 127/8 is loopback on Linux). */
  localAddress?: string;
}

/** Open a WebSocket and resolve once it is open (rejects on an HTTP refusal with the status in the message). */
export function connectRaw(url: string, opts: ConnectOptions = {}): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, opts.protocols ?? [], { headers: opts.headers, origin: opts.origin, perMessageDeflate: false, localAddress: opts.localAddress });
    const frames: Frame[] = [];
    let cursor = 0;
    const waiters = new Set<() => void>();
    let closeInfo: { code: number; reason: string } | undefined;
    const closed = new Promise<{ code: number; reason: string }>((res) => {
      ws.on('close', (code, reason) => {
        closeInfo = { code, reason: reason.toString() };
        res(closeInfo);
        for (const w of waiters) w();
      });
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      try {
        frames.push(JSON.parse(data.toString()));
      } catch {
        frames.push({ type: '__unparseable__', raw: data.toString() });
      }
      for (const w of waiters) w();
    });
    const wait = <T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
      new Promise((res, rej) => {
        const attempt = () => {
          const v = check();
          if (v !== undefined) {
            cleanup();
            res(v);
          } else if (closeInfo) {
            cleanup();
            rej(new Error(`socket closed (${closeInfo.code} ${closeInfo.reason}) while waiting for ${what}; frames: ${JSON.stringify(frames.slice(-5)).slice(0, 500)}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          rej(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last frames: ${JSON.stringify(frames.slice(-5)).slice(0, 500)}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(attempt);
        };
        waiters.add(attempt);
        attempt();
      });
    const client: RawClient = {
      ws,
      frames,
      closed,
      send: (f) => ws.send(JSON.stringify(f)),
      sendRaw: (d, binary = false) => ws.send(d, { binary }),
      next: (pred = () => true, timeoutMs = 5000) =>
        wait(() => {
          while (cursor < frames.length) {
            const f = frames[cursor++]!;
            if (pred(f)) return f;
          }
          return undefined;
        }, timeoutMs, 'a matching frame'),
      collect: (pred, count, timeoutMs = 5000) =>
        wait(() => {
          const got = frames.filter(pred);
          return got.length >= count ? got : undefined;
        }, timeoutMs, `${count} matching frames`),
      close: async (code = 1000) => {
        if (ws.readyState === WebSocket.CLOSED) return;
        if (ws.readyState === WebSocket.CONNECTING) {
          ws.terminate();
          return;
        }
        ws.close(code);
        const t = setTimeout(() => ws.terminate(), 2000);
        await closed;
        clearTimeout(t);
      },
    };
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => {
      reject(Object.assign(new Error(`upgrade refused with HTTP ${res.statusCode}`), { status: res.statusCode }));
      res.resume();
      ws.terminate();
    });
    ws.once('error', (err) => reject(err));
  });
}
