// What every server child shares: report `ready` with its port, answer `gc` and `stats` over IPC, and stop
// cleanly on `stop`, SIGTERM or a closed IPC pipe (a clean exit also writes a --cpu-prof profile).

import { emitEvent, serveRequests } from '../child-process';

export interface ServerChildOptions {
  /** Protocol ping period of the server (the idle scenario shortens it to measure heartbeat CPU). */
  pingIntervalMs: number;
}

export interface StartedServer {
  port: number;
  close(): Promise<void>;
}

/** Read the options the orchestrator passes as argv[2] (JSON). */
export function childOptions(): ServerChildOptions {
  return JSON.parse(process.argv[2] ?? '{}') as ServerChildOptions;
}

export async function runServerChild(start: (opts: ServerChildOptions) => Promise<StartedServer>): Promise<void> {
  const server = await start(childOptions());
  let stopping: Promise<never> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // Bounded: a server drowning in backlog must not hold the run.
      const timer = setTimeout(() => process.exit(0), 3000);
      try {
        await server.close();
      } finally {
        clearTimeout(timer);
        process.exit(0);
      }
    })());
  serveRequests({
    gc: () => {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      return { rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed, gc: Boolean(gc) };
    },
    stats: () => {
      const cpu = process.cpuUsage();
      return { cpuMs: (cpu.user + cpu.system) / 1000, rss: process.memoryUsage().rss };
    },
    stop: () => {
      setImmediate(() => void stop());
      return true;
    },
  });
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  emitEvent('ready', { port: server.port });
}

/** Read a request body as JSON (the peers' `POST /publish`). */
export function readJsonBody(req: import('node:http').IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString()));
      } catch (err) {
        reject(err);
      }
    });
    req.on('error', reject);
  });
}

/** A published event as the peers receive it: the same body Switchboard's `POST /api/events` takes. */
export interface PublishedEvent {
  topic: string;
  data: unknown;
}

/**
 * The peers' publish endpoint: parse the batch, hand each event with its seq to `broadcast`, answer 201 with the
 * seqs like Switchboard does, so every server sits behind the same load path.
 */
export function createPublishHandler(broadcast: (e: PublishedEvent, seq: number, ts: string) => void) {
  let seq = 0;
  return (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
    if (req.method !== 'POST' || req.url !== '/publish') {
      res.writeHead(404).end();
      return;
    }
    readJsonBody(req).then(
      (body) => {
        const events = (Array.isArray(body) ? body : [body]) as PublishedEvent[];
        const ts = new Date().toISOString();
        const seqs: number[] = [];
        for (const e of events) {
          seq += 1;
          seqs.push(seq);
          broadcast(e, seq, ts);
        }
        const out = JSON.stringify({ seqs });
        res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) }).end(out);
      },
      () => res.writeHead(400).end(),
    );
  };
}

/** The event frame every peer sends, byte for byte the shape of Switchboard's (docs/protocol.md#wsevents-and-wsagents). */
export function eventFrameText(e: PublishedEvent, seq: number, ts: string): string {
  return `{"type":${JSON.stringify(e.topic)},"seq":${seq},"ts":"${ts}","data":${JSON.stringify(e.data)}}`;
}
