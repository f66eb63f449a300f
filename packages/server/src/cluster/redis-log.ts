// Cluster mode (docs/architecture.md#cluster-mode): the log lives in one Redis Stream shared by every node. Appends reserve global seqs in
// Redis; one tailer per node applies every entry (its own and other nodes') to the local SQLite mirror, the
// projections and the fan-out, in seq order. The local store only mirrors the stream, so cursors are global.

import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { monotonicFactory } from 'ulid';
import { SwitchboardError } from '@switchboard/protocol';
import { initialState } from '@switchboard/projections';
import type { AppendReceipt, EventLog, LogReplicator } from '../log/event-log';
import type { AppendInput, AppendOnce, SavedProjection, StoredEvent } from '../store/event-store';
import { idempotencyConflict, type SqliteEventStore } from '../store/sqlite-store';
import { APPEND_SCRIPT, RESET_EPOCH_SCRIPT, SAVE_SNAPSHOT_SCRIPT } from './redis-scripts';

/** Entries per XRANGE / XREAD page. */
const PAGE = 1000;
/** How long a tailer blocks in XREAD before it checks whether it is closing. */
const BLOCK_MS = 2000;
/**
 * The stream never trims below this many entries, whatever the retention: nodes offer a snapshot every 2 000 events
 * (EventLog's default), and a node joining late needs the events after the newest snapshot still in the stream.
 */
const MIN_STREAM_LENGTH = 8000;
/**
 * An append whose events have not come back through the tailer by then fails with `unavailable`. It is also the
 * append's deadline in Redis: a command the Redis client re-sends later than this is refused, not run.
 */
const APPLY_TIMEOUT_MS = 10_000;
/**
 * How long Redis remembers an append by its first event's id, so a command re-sent after a reconnect answers the
 * original seqs. It only has to outlive the deadline above; the rest is a margin for clock skew between the node
 * and Redis.
 */
const RESEND_DEDUPE_S = 60;
/** How long a readiness check waits for Redis to answer and for this node to apply what the shared log holds. */
const READINESS_TIMEOUT_MS = 1000;

export interface RedisLogOptions {
  /** `redis://host:port[/db]`. */
  url: string;
  /** Prefix of every key, so several clusters (or tests) can share one Redis. @default 'switchboard:' */
  prefix: string;
  /** Passed to XADD as `MAXLEN ~`: the stream keeps about this many events. */
  retentionEvents: number;
  log: (line: string) => void;
  /** How often a node checks that the shared log was not lost (epoch key, seq counter). @default 1000 */
  checkIntervalMs?: number;
}

type Entry = [id: string, fields: string[]];

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** The cluster log: one command connection, one blocking tailer connection. */
export class RedisLog implements LogReplicator {
  private readonly cmd: Redis;
  private readonly tail: Redis;
  private readonly keys: { epoch: string; seq: string; stream: string; snapshot: string; genesis: string; once: string };
  private readonly nextId = monotonicFactory();
  private log: EventLog | undefined;
  private waiters: Waiter[] = [];
  private tailing: Promise<void> | undefined;
  private stopping = false;
  private readonly snapshotWrites = new Set<Promise<unknown>>();
  /** Bumped whenever the log moves to a new epoch: reads and appends begun before belong to the old one. */
  private generation = 0;
  private resetting: Promise<void> | undefined;
  private checking = false;
  private checkTimer: NodeJS.Timeout | undefined;
  /** Seconds between the append and the application here of the newest event applied (metrics). */
  lagSeconds = 0;
  /** The newest value of the shared seq counter this node has seen (checks, appends, applied entries). */
  private clusterSeq = 0;

  private constructor(private readonly o: RedisLogOptions) {
    const redisOptions = { maxRetriesPerRequest: null, enableAutoPipelining: false, lazyConnect: true };
    this.cmd = new Redis(o.url, redisOptions);
    this.tail = new Redis(o.url, redisOptions);
    for (const conn of [this.cmd, this.tail]) conn.on('error', (err: Error) => o.log(`redis: ${err.message}`));
    const p = o.prefix;
    this.keys = { epoch: `${p}epoch`, seq: `${p}seq`, stream: `${p}log`, snapshot: `${p}snapshot`, genesis: `${p}genesis`, once: `${p}once:` };
  }

  /** Connect both connections; rejects when Redis cannot be reached. */
  static async connect(o: RedisLogOptions): Promise<RedisLog> {
    const r = new RedisLog(o);
    try {
      await Promise.all([r.cmd.connect(), r.tail.connect()]);
    } catch (err) {
      r.cmd.disconnect();
      r.tail.disconnect();
      throw new SwitchboardError('unavailable', `cannot reach redis at ${o.url}: ${(err as Error).message}`);
    }
    return r;
  }

  /**
   * Make the local mirror a prefix of the cluster log before the EventLog loads it: adopt the cluster's epoch (the
   * first node to boot sets it), wipe a mirror from another log or one ahead of the cluster, and start from the
   * cluster's projection snapshot when the stream no longer holds the events after the local head.
   */
  async prepare(store: SqliteEventStore): Promise<void> {
    await this.cmd.set(this.keys.epoch, randomUUID(), 'NX');
    const epoch = (await this.cmd.get(this.keys.epoch))!;
    const clusterHead = Number((await this.cmd.get(this.keys.seq)) ?? 0);
    if (store.epoch !== epoch || store.head() > clusterHead) store.reset(epoch, null);
    if (store.head() === 0 && store.loadProjection() === null) {
      // An epoch started after a lost log begins from the projections carried over (its genesis), not from nothing.
      const genesis = await this.cmd.hgetall(this.keys.genesis);
      if (genesis.epoch === epoch && genesis.state !== undefined) store.reset(epoch, { seq: 0, state: JSON.parse(genesis.state) });
    }
    if (clusterHead <= store.head()) return;
    const first = (await this.cmd.xrange(this.keys.stream, '-', '+', 'COUNT', 1)) as Entry[];
    const firstSeq = first.length > 0 ? seqOf(first[0]![0]) : clusterHead + 1;
    if (firstSeq <= store.head() + 1) return;
    const snap = await this.cmd.hgetall(this.keys.snapshot);
    const snapSeq = Number(snap.seq ?? 0);
    if (snap.state !== undefined && (snap.epoch ?? epoch) === epoch && snapSeq > store.head()) {
      store.reset(epoch, { seq: snapSeq, state: JSON.parse(snap.state) });
    }
    if (firstSeq > store.head() + 1) {
      this.o.log(`cluster: events ${store.head() + 1}..${firstSeq - 1} are gone from the stream and no snapshot covers them`);
    }
  }

  /** Route the log's appends through Redis, replay what the mirror lacks, then follow the stream live. */
  async start(log: EventLog): Promise<void> {
    this.log = log;
    log.replicateThrough(this);
    await this.catchUp();
    this.tailing = this.follow();
    const every = this.o.checkIntervalMs ?? 1000;
    this.checkTimer = setInterval(() => void this.check(), every);
    this.checkTimer.unref();
  }

  /** Apply what the stream holds after the local head (at boot, and after moving to a new epoch). */
  private async catchUp(): Promise<void> {
    const log = this.log!;
    const generation = this.generation;
    for (;;) {
      const entries = (await this.cmd.xrange(this.keys.stream, `${log.head + 1}-0`, '+', 'COUNT', PAGE)) as Entry[];
      if (generation !== this.generation) return;
      this.apply(entries);
      if (entries.length < PAGE) break;
    }
  }

  async append(inputs: readonly AppendInput[]): Promise<StoredEvent[]> {
    const { drafts, first } = await this.appendNow(inputs, undefined);
    return drafts.map((d, i) => ({ seq: first + i, ...d }));
  }

  async appendOnce(inputs: readonly AppendInput[], once: AppendOnce): Promise<AppendReceipt> {
    const { drafts, first, ids } = await this.appendNow(inputs, once);
    return { replayed: ids[0] !== drafts[0]!.id, events: ids.map((id, i) => ({ seq: first + i, id })) };
  }

  /**
   * Run the append script (redis-scripts.ts) once for this append: a command the Redis client re-sends after a
   * reconnect, or a producer's retry with the same Idempotency-Key, answers the original seqs and ids.
   */
  private async appendNow(inputs: readonly AppendInput[], once: AppendOnce | undefined) {
    if (this.stopping) throw new SwitchboardError('unavailable', 'the server is shutting down');
    if (this.resetting) throw lostLog();
    const log = this.log!;
    const epoch = log.epoch;
    const generation = this.generation;
    const ts = new Date().toISOString();
    const drafts = inputs.map((i) => ({ id: this.nextId(), topic: i.topic, ts, data: i.data ?? null, dataJson: JSON.stringify(i.data ?? null) }));
    // Keyed by epoch too: a key remembered in a lost log must not answer seqs of the next one.
    const dedupeKey = `${this.keys.once}${epoch}:${once ? `p:${once.key}` : `e:${drafts[0]!.id}`}`;
    const deadline = Date.now() + APPLY_TIMEOUT_MS;
    const args: (string | number)[] = [
      epoch,
      log.head,
      Math.max(this.o.retentionEvents, MIN_STREAM_LENGTH),
      deadline,
      once ? Math.max(1, Math.ceil(once.windowMs / 1000)) : RESEND_DEDUPE_S,
      once?.fingerprint ?? '-',
    ];
    for (const d of drafts) args.push(d.topic, d.id, d.ts, d.dataJson);
    let answer: string;
    try {
      answer = String(
        await withDeadline(
          this.cmd.eval(APPEND_SCRIPT, 4, this.keys.seq, this.keys.stream, this.keys.epoch, dedupeKey, ...args),
          deadline,
          () => new SwitchboardError('unavailable', `redis did not answer the append within ${APPLY_TIMEOUT_MS} ms; its outcome is unknown: retry with the same Idempotency-Key`),
        ),
      );
    } catch (err) {
      throw this.appendFailed(err, epoch);
    }
    const sep = answer.indexOf(' ');
    const first = Number(answer.slice(0, sep));
    const ids = answer.slice(sep + 1).split(',');
    if (generation !== this.generation) throw lostLog();
    await this.applied(first + ids.length - 1);
    return { drafts, first, ids };
  }

  /** Map a refused or failed append script to a registry error; a fenced append starts the move to a new epoch. */
  private appendFailed(err: unknown, epoch: string): SwitchboardError {
    if (err instanceof SwitchboardError) return err;
    const message = (err as Error).message ?? String(err);
    // Redis prefixes a one-word error reply with ERR.
    const refusal = /^(?:ERR )?(EPOCH|BEHIND|IDEMCONFLICT|EXPIRED)\b/.exec(message)?.[1];
    if (refusal === 'EPOCH' || refusal === 'BEHIND') {
      void this.lost(`an append was refused: ${message}`, epoch);
      return lostLog();
    }
    if (refusal === 'IDEMCONFLICT') return idempotencyConflict();
    if (refusal === 'EXPIRED') {
      return new SwitchboardError('unavailable', `redis could not run the append within ${APPLY_TIMEOUT_MS} ms; nothing was appended, retry`);
    }
    return new SwitchboardError('unavailable', `the cluster log is unreachable: ${message}`);
  }

  /** Periodic fence check: the epoch key still names this node's epoch and the counter is not behind its head. */
  private async check(): Promise<void> {
    if (this.checking || this.resetting || this.stopping || this.cmd.status !== 'ready') return;
    const log = this.log!;
    const epoch = log.epoch;
    // Read before asking: every seq applied by now was below the counter when it was appended.
    const head = log.head;
    this.checking = true;
    try {
      const [current, counter] = await this.cmd.mget(this.keys.epoch, this.keys.seq);
      if (current === epoch) this.clusterSeq = Number(counter ?? 0);
      if (current !== epoch) void this.lost(`the epoch key is ${current === null ? 'missing' : 'another epoch'}`, epoch);
      else if (Number(counter ?? 0) < head) void this.lost(`the seq counter ${counter ?? 0} is below the applied head ${head}`, epoch);
    } catch (err) {
      if (!this.stopping) this.o.log(`cluster: checking the shared log failed: ${(err as Error).message}`);
    } finally {
      this.checking = false;
    }
  }

  /**
   * The shared log of `epoch` looks lost (Redis restarted empty, or rolled back): agree with the other nodes on the
   * next epoch (RESET_EPOCH_SCRIPT) and start over from its snapshot. One move at a time; a report about an epoch
   * this node already left is ignored.
   */
  private lost(reason: string, epoch: string): Promise<void> {
    if (this.stopping || epoch !== this.log!.epoch) return Promise.resolve();
    return (this.resetting ??= this.moveToNewEpoch(reason).finally(() => (this.resetting = undefined)));
  }

  private async moveToNewEpoch(reason: string): Promise<void> {
    const log = this.log!;
    for (let attempt = 0; !this.stopping; attempt++) {
      try {
        const old = log.epoch;
        const [outcome, epoch] = (await this.cmd.eval(
          RESET_EPOCH_SCRIPT,
          5,
          this.keys.epoch,
          this.keys.seq,
          this.keys.stream,
          this.keys.snapshot,
          this.keys.genesis,
          old,
          randomUUID(),
          JSON.stringify(log.state),
          log.head,
        )) as [string, string];
        if (outcome === 'intact') return;
        const snap = await this.cmd.hgetall(this.keys.snapshot);
        const from: SavedProjection =
          snap.epoch === epoch && snap.state !== undefined ? { seq: Number(snap.seq ?? 0), state: JSON.parse(snap.state) } : { seq: 0, state: initialState() };
        this.o.log(
          `cluster: the shared log of epoch ${old} was lost (${reason}); ${outcome === 'created' ? 'started' : 'adopted'} epoch ${epoch} from seq ${from.seq}`,
        );
        this.generation += 1;
        this.rejectWaiters('the cluster log was lost before the event was applied; retry (with the same Idempotency-Key)');
        log.reset(epoch, from);
        await this.catchUp();
        return;
      } catch (err) {
        this.o.log(`cluster: moving to a new epoch failed (attempt ${attempt + 1}): ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  private rejectWaiters(message: string): void {
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new SwitchboardError('unavailable', message));
    }
    this.waiters = [];
  }

  async isNewerEpoch(epoch: string, timeoutMs: number): Promise<boolean | undefined> {
    const mine = this.log!.epoch;
    if (epoch === mine) return false;
    if (this.stopping) return undefined;
    // Queued until Redis is back when it is reconnecting; a missing key reads as null, an unanswered one as undefined.
    const read = this.cmd.get(this.keys.epoch).catch(() => undefined);
    const current = await Promise.race([read, new Promise<undefined>((r) => setTimeout(() => r(undefined), timeoutMs).unref())]);
    if (current === undefined) return undefined;
    if (current !== epoch) return false;
    // The same move the periodic check would start within a second: a client already holds the new epoch.
    void this.lost('a client resumed with a cursor of the cluster\'s newer epoch', mine);
    return true;
  }

  /**
   * How far this node is behind the shared log, for `/api/healthz` (docs/architecture.md "Cluster health"): the seq
   * counter read now (500 ms at most), else the newest value seen, with whether Redis answered.
   */
  async health(): Promise<{ epoch: string; seq: number; log_seq: number; lag: number; redis: 'up' | 'down'; moving_epoch: boolean }> {
    const log = this.log!;
    const epoch = log.epoch;
    let redis: 'up' | 'down' = 'down';
    if (this.cmd.status === 'ready') {
      const read = this.cmd.mget(this.keys.epoch, this.keys.seq).catch(() => null);
      const answer = await Promise.race([read, new Promise<null>((r) => setTimeout(() => r(null), 500).unref())]);
      if (answer) {
        redis = 'up';
        if (answer[0] === epoch) this.clusterSeq = Number(answer[1] ?? 0);
      }
    }
    const head = log.head;
    const logSeq = Math.max(this.clusterSeq, head);
    return { epoch, seq: head, log_seq: logSeq, lag: logSeq - head, redis, moving_epoch: this.resetting !== undefined };
  }

  saveSnapshot(p: SavedProjection): void {
    const write = this.cmd
      .eval(SAVE_SNAPSHOT_SCRIPT, 2, this.keys.snapshot, this.keys.epoch, this.log?.epoch ?? '', p.seq, JSON.stringify(p.state))
      .catch((err: Error) => this.o.log(`cluster: saving the snapshot failed: ${err.message}`))
      .finally(() => this.snapshotWrites.delete(write));
    this.snapshotWrites.add(write);
  }

  /** Stop following the stream; pending appends fail. Call before the log closes. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.checkTimer);
    this.tail.disconnect();
    // A read queued while Redis was away may never settle after the disconnect; the loop ends on `stopping` anyway.
    await withTimeout(this.tailing ?? Promise.resolve(), READINESS_TIMEOUT_MS);
    this.rejectWaiters('the server shut down before the event was applied');
  }

  /** After the log closed (its last snapshot offered): finish snapshot writes and close the command connection. */
  async close(): Promise<void> {
    // Bounded: with Redis away, queued commands would wait for it forever and hold up the shutdown.
    await withTimeout(Promise.allSettled([...this.snapshotWrites]), READINESS_TIMEOUT_MS * 2);
    await quitOrDisconnect(this.cmd);
  }

  private async follow(): Promise<void> {
    const log = this.log!;
    while (!this.stopping) {
      const generation = this.generation;
      const epoch = log.epoch;
      try {
        const res = (await this.tail.xread('COUNT', PAGE, 'BLOCK', BLOCK_MS, 'STREAMS', this.keys.stream, `${log.head}-1`)) as
          | Array<[string, Entry[]]>
          | null;
        if (!res) continue;
        // Entries past the head may belong to a log that replaced this epoch's: confirm the epoch before applying.
        const current = await this.tail.get(this.keys.epoch);
        if (current !== epoch) {
          void this.lost(`the epoch key is ${current === null ? 'missing' : 'another epoch'}`, epoch);
          continue;
        }
        if (generation !== this.generation || this.resetting) continue;
        for (const [, entries] of res) this.apply(entries);
      } catch (err) {
        if (this.stopping) break;
        this.o.log(`cluster: reading the stream failed: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  /** Apply stream entries in order, skipping any already applied, then wake the appends they complete. */
  private apply(entries: readonly Entry[]): void {
    const log = this.log!;
    const batch: StoredEvent[] = [];
    let head = log.head;
    for (const [id, fields] of entries) {
      const seq = seqOf(id);
      if (seq <= head) continue;
      if (seq !== head + 1) this.o.log(`cluster: events ${head + 1}..${seq - 1} were trimmed before this node read them`);
      const f = fieldMap(fields);
      batch.push({ seq, id: f.id!, topic: f.topic!, ts: f.ts!, data: JSON.parse(f.data!), dataJson: f.data! });
      head = seq;
    }
    log.applyReplicated(batch);
    if (batch.length > 0) this.lagSeconds = Math.max(0, (Date.now() - Date.parse(batch[batch.length - 1]!.ts)) / 1000);
    if (this.waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.seq <= head) {
        clearTimeout(w.timer);
        w.resolve();
      } else still.push(w);
    }
    this.waiters = still;
  }

  /**
   * Why this node is not ready to serve (docs/operations.md), or null: both Redis connections must be up, and this
   * node must apply, within a second, every event the shared log held when asked.
   */
  async notReadyReason(): Promise<string | null> {
    if (this.stopping) return 'the cluster log is stopping';
    if (this.cmd.status !== 'ready' || this.tail.status !== 'ready') return 'redis is not reachable';
    let clusterHead: number;
    try {
      // Commands queue while Redis is away (maxRetriesPerRequest: null), so the answer is raced against a timer.
      const answer = await withTimeout(this.cmd.get(this.keys.seq), READINESS_TIMEOUT_MS);
      if (answer === undefined) return 'redis did not answer in time';
      clusterHead = Number(answer ?? 0);
    } catch (err) {
      return `redis is not reachable: ${(err as Error).message}`;
    }
    if (this.log!.head >= clusterHead) return null;
    try {
      await this.applied(clusterHead, READINESS_TIMEOUT_MS);
      return null;
    } catch {
      return `this node is behind the shared log (applied ${this.log!.head} of ${clusterHead})`;
    }
  }

  private applied(seq: number, timeoutMs = APPLY_TIMEOUT_MS): Promise<void> {
    if (this.log!.head >= seq) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.timer !== timer);
        reject(new SwitchboardError('unavailable', `event ${seq} was appended to the cluster log but not applied here within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push({ seq, resolve, reject, timer });
    });
  }
}

/** QUIT when connected (bounded in time), else drop the connection at once. */
export async function quitOrDisconnect(conn: Redis, timeoutMs = 1000): Promise<void> {
  if (conn.status === 'ready') await withTimeout(conn.quit().catch(() => undefined), timeoutMs);
  conn.disconnect();
}

/** The promise's value, or undefined when it takes longer than `ms`. */
function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

function seqOf(streamId: string): number {
  return Number(streamId.slice(0, streamId.indexOf('-')));
}

function fieldMap(fields: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i]!] = fields[i + 1]!;
  return out;
}

function lostLog(): SwitchboardError {
  return new SwitchboardError('unavailable', 'the cluster log was lost and the cluster is moving to a new epoch; retry');
}

/** `p`, or the error `late()` makes once `deadline` (ms since the epoch) passes. */
function withDeadline<T>(p: Promise<T>, deadline: number, late: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(late()), Math.max(0, deadline - Date.now()));
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
