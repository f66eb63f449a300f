// Request/reply between cluster nodes over Redis pub/sub (docs/architecture.md#cluster-mode: actions on an instance reach the node that
// supervises it through Redis). Each node listens on its own channel; a reply goes back to the asker's channel.
// Liveness: each node keeps a heartbeat key with a TTL (`<prefix>alive:<node>`), so the others can tell a node that
// died from one that is merely quiet (docs/architecture.md "Instances of a node that died").

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
  /**
   * Whether `node`'s heartbeat key exists. false only once it has been missing for half a timeout; undefined while
   * this node cannot judge: the key just went missing, or this node's own heartbeats have not succeeded for a whole
   * timeout since it (re)connected, so a missing key may only mean Redis restarted.
   */
  nodeAlive(node: string): Promise<boolean | undefined>;
  /** Take `key` for `ttlMs` unless another node holds it (SET NX); whether this node got it. */
  claim(key: string, ttlMs: number): Promise<boolean>;
}

export interface NodeBusOptions {
  /** A node whose heartbeat is older than this is dead. Heartbeats go out every fifth of it. @default 5000 */
  nodeTimeoutMs?: number;
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
  /** Changes at every boot, so a heartbeat names this run of the node. */
  private readonly bootId = randomUUID();
  private readonly timeoutMs: number;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** Since when every heartbeat of this node succeeded (undefined after a failure or a lost connection). */
  private healthySince: number | undefined;
  private closed = false;
  private beating = false;
  /** When this node first found each other node's heartbeat key missing (and has found it missing since). */
  private readonly missingSince = new Map<string, number>();

  private constructor(
    url: string,
    private readonly prefix: string,
    readonly nodeId: string,
    private readonly log: (line: string) => void,
    options: NodeBusOptions,
  ) {
    const redisOptions = { maxRetriesPerRequest: null, lazyConnect: true };
    this.pub = new Redis(url, redisOptions);
    this.sub = new Redis(url, redisOptions);
    this.timeoutMs = options.nodeTimeoutMs ?? 5000;
    for (const conn of [this.pub, this.sub]) conn.on('error', (err: Error) => log(`redis (node bus): ${err.message}`));
    // Redis may have restarted (and lost every heartbeat key) while the connection was down.
    this.pub.on('close', () => {
      this.healthySince = undefined;
      this.missingSince.clear();
    });
    this.sub.on('message', (_channel: string, text: string) => this.receive(text));
  }

  /** Connect, listen on this node's channel and start the heartbeat. */
  static async connect(url: string, prefix: string, nodeId: string, log: (line: string) => void, options: NodeBusOptions = {}): Promise<NodeBus> {
    const bus = new NodeBus(url, prefix, nodeId, log, options);
    await Promise.all([bus.pub.connect(), bus.sub.connect()]);
    await bus.sub.subscribe(bus.channel(nodeId));
    await bus.beat();
    bus.heartbeatTimer = setInterval(() => void bus.beat(), Math.max(50, Math.floor(bus.timeoutMs / 5)));
    bus.heartbeatTimer.unref();
    return bus;
  }

  private async beat(): Promise<void> {
    // While Redis is down the command waits for the reconnect; one waiting is enough.
    if (this.beating) return;
    this.beating = true;
    try {
      await this.pub.set(this.aliveKey(this.nodeId), this.bootId, 'PX', this.timeoutMs);
      if (!this.closed) this.healthySince ??= Date.now();
    } catch (err) {
      this.healthySince = undefined;
      if (!this.closed) this.log(`node bus: heartbeat failed: ${(err as Error).message}`);
    } finally {
      this.beating = false;
    }
  }

  async nodeAlive(node: string): Promise<boolean | undefined> {
    if (node === this.nodeId) return true;
    const since = this.healthySince;
    // Every live node has beaten at least once within a timeout of this one's connection being healthy.
    if (since === undefined || Date.now() - since < this.timeoutMs + Math.floor(this.timeoutMs / 5)) return undefined;
    const alive = (await this.pub.exists(this.aliveKey(node))) === 1;
    // The connection may have dropped while asking.
    if (this.healthySince !== since) return undefined;
    if (alive) {
      this.missingSince.delete(node);
      return true;
    }
    // Missing for half a timeout (several missed beats), not just once: keys can vanish with a live owner (FLUSHALL,
    // Redis restored from an older file) until its next beat.
    const now = Date.now();
    const first = this.missingSince.get(node) ?? now;
    this.missingSince.set(node, first);
    return now - first >= this.timeoutMs / 2 ? false : undefined;
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    return (await this.pub.set(`${this.prefix}claim:${key}`, this.nodeId, 'PX', ttlMs, 'NX')) === 'OK';
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
    this.closed = true;
    clearInterval(this.heartbeatTimer);
    // Gone on purpose: the others need not wait out the TTL (only this run's key, not a successor's).
    // Bounded: with Redis down the command would wait for a reconnect forever.
    if (this.pub.status === 'ready') {
      const del = this.pub
        .eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`, 1, this.aliveKey(this.nodeId), this.bootId)
        .catch(() => undefined);
      await Promise.race([del, new Promise((r) => setTimeout(r, 500).unref())]);
    }
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

  private aliveKey(node: string): string {
    return `${this.prefix}alive:${node}`;
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
