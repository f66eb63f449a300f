// A load-generator process: holds its share of the subscribers, checks every frame's sequence number (lost,
// duplicated) and publish→receive latency, and reports on request. Several run side by side so the generator is
// not one saturated event loop.

import WebSocket from 'ws';
import { io as ioClient, type Socket as IoSocket } from 'socket.io-client';
import { emitEvent, serveRequests } from '../child-process';
import { nowMs } from '../clock';
import { BENCH_TOPIC } from '../constants';
import { readStamp, type Stamp } from '../frame-stamp';
import { LatencyHistogram } from '../histogram';

/** The client protocol a generator speaks: Switchboard `/ws/events`, a bare ws broadcast, or socket.io-client. */
export type ClientKind = 'switchboard' | 'ws' | 'socketio';

interface Sub {
  close(): void;
}

/** `{"type":"bench.…`: byte 9 is the topic's first letter, which no control frame (subscribed, snapshot, error) shares. */
const TOPIC_BYTE = 9;
const TOPIC_FIRST = BENCH_TOPIC.charCodeAt(0);
const TOPIC_SECOND = BENCH_TOPIC.charCodeAt(1);
const subs: Sub[] = [];
let lastI = new Int32Array(0);
let gaps = 0;
let dups = 0;
let lagged = 0;
let errorFrames = 0;
let unexpectedCloses = 0;
let closing = false;
let windowOpen = false;
let windowFrames = 0;
let totalFrames = 0;
const hist = new LatencyHistogram();
const stamp: Stamp = { i: 0, t: 0 };
let progressTimer: NodeJS.Timeout | undefined;

function onStamp(s: number, i: number, t: number): void {
  const now = nowMs();
  const prev = lastI[s]!;
  if (i > prev) {
    if (i > prev + 1) gaps += i - prev - 1;
    lastI[s] = i;
  } else {
    dups++;
  }
  totalFrames++;
  if (windowOpen) {
    windowFrames++;
    hist.record((now - t) * 1000);
  }
}

function onControl(buf: Buffer, ready: () => void): void {
  let f: { type?: string; reason?: string };
  try {
    f = JSON.parse(buf.toString());
  } catch {
    errorFrames++;
    return;
  }
  if (f.type === 'subscribed') ready();
  else if (f.type === 'snapshot' && f.reason === 'lagged') lagged++;
  else if (f.type === 'error') errorFrames++;
}

function connectWs(kind: 'switchboard' | 'ws', url: string, s: number, localAddress: string): Promise<Sub> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true, localAddress });
    let settled = false;
    const ready = () => {
      if (settled) return;
      settled = true;
      resolve({ close: () => ws.terminate() });
    };
    ws.on('message', (data: Buffer) => {
      if (data[TOPIC_BYTE] === TOPIC_FIRST && data[TOPIC_BYTE + 1] === TOPIC_SECOND && readStamp(data, stamp)) {
        onStamp(s, stamp.i, stamp.t);
      } else if (kind === 'switchboard') {
        onControl(data, ready);
      }
    });
    if (kind === 'ws') ws.once('open', ready);
    ws.on('error', (err) => {
      if (!settled) {
        settled = true;
        reject(err);
      }
    });
    ws.on('close', () => {
      if (settled && !closing) unexpectedCloses++;
      if (!settled) {
        settled = true;
        reject(new Error('closed before ready'));
      }
    });
  });
}

function connectIo(url: string, s: number, localAddress: string): Promise<Sub> {
  return new Promise((resolve, reject) => {
    const socket: IoSocket = ioClient(url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: 60_000,
      // engine.io-client hands localAddress to ws in Node; it is not in the browser-facing option types.
      ...({ localAddress } as object),
    });
    let settled = false;
    socket.on(BENCH_TOPIC, (f: { data: { i: number; t: number } }) => onStamp(s, f.data.i, f.data.t));
    socket.once('connect', () => {
      settled = true;
      resolve({ close: () => socket.disconnect() });
    });
    socket.once('connect_error', (err) => {
      if (!settled) {
        settled = true;
        reject(err);
      }
    });
    socket.on('disconnect', () => {
      if (settled && !closing) unexpectedCloses++;
    });
  });
}

async function connectAll(msg: Record<string, unknown>) {
  const kind = msg.kind as ClientKind;
  const url = msg.url as string;
  const count = msg.count as number;
  const addresses = msg.addresses as string[];
  const concurrency = msg.concurrency as number;
  const base = subs.length;
  const grown = new Int32Array(base + count).fill(-1);
  grown.set(lastI);
  lastI = grown;
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const one = async (): Promise<void> => {
    while (next < count) {
      const k = next++;
      const s = base + k;
      const addr = addresses[s % addresses.length]!;
      try {
        subs[s] = kind === 'socketio' ? await connectIo(url, s, addr) : await connectWs(kind, url, s, addr);
      } catch (err) {
        failed++;
        firstError ??= (err as Error).message;
        subs[s] = { close: () => {} };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, one));
  return { connected: count - failed, failed, firstError };
}

function minLast(): number {
  let min = Infinity;
  for (let s = 0; s < lastI.length; s++) if (lastI[s]! < min) min = lastI[s]!;
  return min === Infinity ? -1 : min;
}

function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

serveRequests({
  connect: connectAll,
  'window-open': () => {
    hist.reset();
    windowFrames = 0;
    windowOpen = true;
    return true;
  },
  'window-close': () => {
    windowOpen = false;
    return { frames: windowFrames, hist: hist.toSparse() };
  },
  'progress-on': (m) => {
    clearInterval(progressTimer);
    let last = -2;
    progressTimer = setInterval(() => {
      const min = minLast();
      if (min !== last) emitEvent('progress', { min: (last = min) });
    }, m.intervalMs as number);
    return true;
  },
  'progress-off': () => {
    clearInterval(progressTimer);
    return true;
  },
  min: () => minLast(),
  final: (m) => {
    const lastPublished = m.lastPublished as number;
    let behind = 0;
    for (let s = 0; s < lastI.length; s++) if (lastI[s]! < lastPublished) behind += lastPublished - lastI[s]!;
    return { gaps, dups, lagged, errorFrames, unexpectedCloses, totalFrames, behind, cpuMs: cpuMs() };
  },
  close: () => {
    closing = true;
    clearInterval(progressTimer);
    for (const s of subs) s.close();
    return true;
  },
});
// A clean exit on SIGTERM, so a --cpu-prof profile of the generator gets written.
process.on('SIGTERM', () => process.exit(0));
emitEvent('ready');
