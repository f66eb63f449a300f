// Request/reply between cluster nodes over Redis pub/sub (SPEC §11: actions on an instance reach the node that
// supervises it through Redis). Each node listens on its own channel; a reply goes back to the asker's channel.

import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { ERRORS, SwitchboardError, type ErrorCode } from '@switchboard/protocol';
import { quitOrDisconnect } from './redis-log';

/** Answers one kind of request; a thrown SwitchboardError reaches the asker with its code. */
export type BusHandler = (payload: unknown) => Promise<unknown>;

/** This node as the rest of the server sees the cluster. */
export interface ClusterNode {
  readonly nodeId: string;
  /** Ask `node` to handle `kind`; rejects with the handler's error, or `unavailable` when nobody answers in time. */
  request(node: string, kind: string, payload: unknown, timeoutMs: number): Promise<unknown>;
  /** Serve requests of `kind` sent to this node. */
  handle(kind: string, fn: BusHandler): void;
}

type Message =
  | { t: 'req'; id: string; from: string; kind: string; payload: unknown }
  | { t: 'res'; id: string; ok: true; value: unknown }
  | { t: 'res'; id: string; ok: false; code: string; message: string; details?: Record<string, unknown> };

interface Pending {
  resolve: (v: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class NodeBus implements ClusterNode {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly handlers = new Map<string, BusHandler>();
  private readonly pending = new Map<string, Pending>();

  private constructor(
    url: string,
    private readonly prefix: string,
    readonly nodeId: string,
    private readonly log: (line: string) => void,
  ) {
    const options = { maxRetriesPerRequest: null, lazyConnect: true };
    this.pub = new Redis(url, options);
    this.sub = new Redis(url, options);
    for (const conn of [this.pub, this.sub]) conn.on('error', (err: Error) => log(`redis (node bus): ${err.message}`));
    this.sub.on('message', (_channel: string, text: string) => this.receive(text));
  }

  /** Connect and listen on this node's channel. */
  static async connect(url: string, prefix: string, nodeId: string, log: (line: string) => void): Promise<NodeBus> {
    const bus = new NodeBus(url, prefix, nodeId, log);
    await Promise.all([bus.pub.connect(), bus.sub.connect()]);
    await bus.sub.subscribe(bus.channel(nodeId));
    return bus;
  }

  handle(kind: string, fn: BusHandler): void {
    this.handlers.set(kind, fn);
  }

  async request(node: string, kind: string, payload: unknown, timeoutMs: number): Promise<unknown> {
    const id = randomUUID();
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new SwitchboardError('unavailable', `node '${node}' did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
    const msg: Message = { t: 'req', id, from: this.nodeId, kind, payload };
    const receivers = await this.pub.publish(this.channel(node), JSON.stringify(msg));
    if (receivers === 0) {
      const p = this.pending.get(id);
      if (p) {
        clearTimeout(p.timer);
        this.pending.delete(id);
        p.reject(new SwitchboardError('unavailable', `node '${node}' is not connected to the cluster`));
      }
    }
    return answer;
  }

  async close(): Promise<void> {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new SwitchboardError('unavailable', 'the server is shutting down'));
    }
    this.pending.clear();
    this.sub.disconnect();
    await quitOrDisconnect(this.pub);
  }

  /** Nodes listening on their channel right now (one per connected node), for the metrics; 0 when Redis is away. */
  async nodeCount(timeoutMs = 1000): Promise<number> {
    if (this.pub.status !== 'ready') return 0;
    const pattern = `${this.prefix.replace(/[*?[\]\\]/g, '\\$&')}node:*`;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string[]>((resolve) => (timer = setTimeout(() => resolve([]), timeoutMs)));
    try {
      const channels = await Promise.race([this.pub.pubsub('CHANNELS', pattern) as Promise<string[]>, late]);
      return channels.length;
    } catch {
      return 0;
    } finally {
      clearTimeout(timer);
    }
  }

  private channel(node: string): string {
    return `${this.prefix}node:${node}`;
  }

  private receive(text: string): void {
    let msg: Message;
    try {
      msg = JSON.parse(text) as Message;
    } catch {
      return;
    }
    if (msg.t === 'res') {
      const p = this.pending.get(msg.id);
      if (!p) return;
      clearTimeout(p.timer);
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(new SwitchboardError(toCode(msg.code), msg.message, msg.details ? { details: msg.details } : undefined));
      return;
    }
    void this.serve(msg);
  }

  private async serve(req: Extract<Message, { t: 'req' }>): Promise<void> {
    let reply: Message;
    try {
      const fn = this.handlers.get(req.kind);
      if (!fn) throw new SwitchboardError('not_found', `node '${this.nodeId}' does not serve ${req.kind} requests`);
      reply = { t: 'res', id: req.id, ok: true, value: await fn(req.payload) };
    } catch (err) {
      const e = err instanceof SwitchboardError ? err : new SwitchboardError('internal', 'internal server error');
      if (!(err instanceof SwitchboardError)) this.log(`node bus: ${req.kind} failed: ${(err as Error).stack ?? String(err)}`);
      reply = { t: 'res', id: req.id, ok: false, code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) };
    }
    await this.pub.publish(this.channel(req.from), JSON.stringify(reply)).catch((err: Error) => this.log(`node bus: reply failed: ${err.message}`));
  }
}

function toCode(code: string): ErrorCode {
  return Object.hasOwn(ERRORS, code) ? (code as ErrorCode) : 'internal';
}
