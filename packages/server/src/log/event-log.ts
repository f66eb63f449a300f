// The event log: validates producer input, appends to the store, folds events into the shared projections and
// notifies listeners (fan-out, seed streams) synchronously, in log order. The single source of truth (docs/protocol.md#events).

import {
  SwitchboardError,
  checkEventData,
  familyOf,
  isValidTopic,
  SERVER_FAMILIES,
  type Cursor,
} from '@switchboard/protocol';
import { applyEvent, initialState, type FleetState } from '@switchboard/projections';
import type { AppendInput, AppendOnce, EventStore, SavedProjection, StoredEvent } from '../store/event-store';

/** A store that can also mirror events that already have their seq (the cluster's local SQLite copy). */
export interface MirrorStore extends EventStore {
  appendReplicated(events: readonly StoredEvent[]): void;
  reset(epoch: string, projection: SavedProjection | null): void;
}

export type LogListener = (events: readonly StoredEvent[]) => void;

/** The answer to an idempotent append: the events' seqs and ids, and whether they were appended by an earlier call. */
export interface AppendReceipt {
  events: Array<{ seq: number; id: string }>;
  replayed: boolean;
}

/**
 * Completes validated producer events before they are appended, in the same atomic batch (the approvals feature
 * opens an approval for an `agent.permission_requested` that has none). Returns the events to append: the inputs, in
 * order (completed, never dropped), followed by the added events.
 */
export type ProducerExpander = (inputs: readonly AppendInput[]) => AppendInput[];

/**
 * Where appends go in cluster mode (docs/architecture.md#cluster-mode): the shared log assigns the seqs and later hands every event back
 * through `EventLog.applyReplicated`; `append` resolves once that happened on this node.
 */
export interface LogReplicator {
  append(inputs: readonly AppendInput[]): Promise<StoredEvent[]>;
  /** `append`, unless `once.key` was used within its window: then the original seqs and ids. */
  appendOnce(inputs: readonly AppendInput[], once: AppendOnce): Promise<AppendReceipt>;
  /** Offer a saved projection to the cluster, so nodes joining after the stream was trimmed can start from it. */
  saveSnapshot(p: SavedProjection): void;
  /**
   * Whether `epoch` (not this node's) is the cluster's current one: the shared log was lost and this node has not
   * moved yet. When it is, the node starts moving now. undefined when Redis did not answer within `timeoutMs`.
   */
  isNewerEpoch(epoch: string, timeoutMs: number): Promise<boolean | undefined>;
}

/** What a cluster node does with a cursor it may be behind (`EventLog.catchUpTo`). */
export type CatchUp = 'reached' | 'stale' | 'behind';

export interface EventLogOptions {
  /** Events kept in the store; older ones are compacted after the projection is saved. */
  retentionEvents: number;
  /** Save the projection after this many appended events, so a restart replays at most this many. @default 2000 */
  projectionSaveEvery?: number;
  log?: (line: string) => void;
}

/** Resumability of a cursor against this log. */
export type CursorCheck = 'current' | 'resumable' | 'stale';

export class EventLog {
  private stateValue: FleetState;
  private readonly listeners = new Set<LogListener>();
  private sinceSave = 0;
  private readonly saveEvery: number;
  private oldestSeq: number;
  private replicator: LogReplicator | undefined;
  private readonly resetListeners = new Set<(epoch: string) => void>();
  private headWaiters: Array<{ seq: number; done: (reached: boolean) => void }> = [];
  private readonly expanders: ProducerExpander[] = [];

  constructor(
    private readonly store: EventStore,
    private readonly options: EventLogOptions,
  ) {
    this.saveEvery = options.projectionSaveEvery ?? 2000;
    const saved = store.loadProjection();
    // A state saved by an older version lacks the slices added since; they start empty.
    let state: FleetState = saved ? { ...initialState(), ...(saved.state as FleetState) } : initialState();
    // Fold in what was appended after the last save (at most `saveEvery` events, or all after a crash).
    let cursor = saved?.seq ?? 0;
    for (;;) {
      const page = store.readSince(cursor, 5000);
      if (page.length === 0) break;
      for (const e of page) state = applyEvent(state, e);
      cursor = page[page.length - 1]!.seq;
    }
    this.stateValue = state;
    this.oldestSeq = store.oldest();
  }

  get epoch(): string {
    return this.store.epoch;
  }

  get head(): number {
    return this.store.head();
  }

  /** The projections as of `head`. Immutable: a new object after every change. */
  get state(): FleetState {
    return this.stateValue;
  }

  cursor(): Cursor {
    return { epoch: this.epoch, seq: this.head };
  }

  /** Oldest seq still in the log; a cursor below `oldest - 1` cannot be resumed. */
  get oldest(): number {
    return this.oldestSeq;
  }

  /** Whether events after `cursor` can be replayed gap-free. */
  check(cursor: Cursor | undefined): CursorCheck {
    if (!cursor || cursor.epoch !== this.epoch) return 'stale';
    if (cursor.seq > this.head) return 'stale';
    if (cursor.seq === this.head) return 'current';
    return cursor.seq >= this.oldestSeq - 1 ? 'resumable' : 'stale';
  }

  /** Register a listener for appended events; returns its removal. */
  onAppend(fn: LogListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Cluster mode: the log moved to a new epoch (the shared log was lost, docs/architecture.md "Cluster mode").
   * Listeners drop whatever they derived from the old log; returns the removal.
   */
  onReset(fn: (epoch: string) => void): () => void {
    this.resetListeners.add(fn);
    return () => this.resetListeners.delete(fn);
  }

  /** Whether seqs come from a shared log this node may lag behind (cluster mode). */
  get replicated(): boolean {
    return this.replicator !== undefined;
  }

  /**
   * Cluster mode: wait (up to `timeoutMs`) for this node to reach a cursor another node gave out — one of this
   * epoch beyond the head, or one of the cluster's newer epoch this node has not moved to yet (docs/architecture.md
   * "A lagging node never rewinds a client"). `reached`: resume from it; `stale`: an older or unknown epoch (or the
   * log moved elsewhere meanwhile), answer with a snapshot; `behind`: still not there, the client should retry.
   */
  async catchUpTo(since: Cursor, timeoutMs: number): Promise<CatchUp> {
    if (!this.replicator) return since.epoch === this.epoch && since.seq > this.head ? 'stale' : 'reached';
    const deadline = Date.now() + timeoutMs;
    if (since.epoch !== this.epoch) {
      const newer = await this.replicator.isNewerEpoch(since.epoch, timeoutMs);
      // Cannot tell (Redis unreachable, which is also when a node lags): a snapshot could rewind the client.
      if (newer === undefined) return since.epoch === this.epoch ? this.catchUpTo(since, Math.max(0, deadline - Date.now())) : 'behind';
      if (!newer) return since.epoch === this.epoch ? this.catchUpTo(since, Math.max(0, deadline - Date.now())) : 'stale';
      const moved = await new Promise<boolean>((resolve) => {
        if (this.epoch === since.epoch) return resolve(true);
        const timer = setTimeout(() => {
          off();
          resolve(false);
        }, Math.max(0, deadline - Date.now()));
        const off = this.onReset((epoch) => {
          if (epoch !== since.epoch) return;
          clearTimeout(timer);
          off();
          resolve(true);
        });
      });
      if (!moved) return 'behind';
    }
    if (since.seq <= this.head) return 'reached';
    const reached = await this.waitForHead(since.seq, Math.max(0, deadline - Date.now()));
    if (reached) return 'reached';
    return this.epoch === since.epoch ? 'behind' : 'stale';
  }

  /** Resolve true once `head >= seq`, or false after `timeoutMs` (or when the log is reset meanwhile). */
  waitForHead(seq: number, timeoutMs: number): Promise<boolean> {
    if (this.head >= seq) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        seq,
        done: (reached: boolean) => {
          clearTimeout(timer);
          resolve(reached);
        },
      };
      const timer = setTimeout(() => {
        this.headWaiters = this.headWaiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.headWaiters.push(waiter);
    });
  }

  /** Validate producer input (REST, SDK, CLI): topic names, catalogue shapes, server-only families. */
  validateProducerInput(inputs: readonly unknown[], pathPrefix = ''): AppendInput[] {
    return inputs.map((raw, i) => {
      const where = inputs.length > 1 || pathPrefix ? `${pathPrefix}[${i}].` : '';
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw new SwitchboardError('validation_failed', `${where || 'body'} must be an object {topic, data}`, {
          details: { field: where ? where.slice(0, -1) : 'body' },
        });
      }
      const { topic, data } = raw as { topic?: unknown; data?: unknown };
      if (!isValidTopic(topic)) {
        throw new SwitchboardError('invalid_topic', `${where}topic must be a dot-separated name like "agent.started"`, {
          details: { field: `${where}topic` },
        });
      }
      if (SERVER_FAMILIES.has(familyOf(topic))) {
        throw new SwitchboardError('reserved_topic', `${where}topic: the ${familyOf(topic)}.* family is written by the server`, {
          details: { field: `${where}topic` },
        });
      }
      const value = data === undefined ? {} : data;
      const check = checkEventData(topic, value);
      if (!check.ok) {
        throw new SwitchboardError('validation_failed', `${where}${check.message}`, { details: { field: `${where}${check.field}` } });
      }
      return { topic, data: value };
    });
  }

  /** Complete producer events with `fn` from now on (see ProducerExpander). */
  expandProducerInput(fn: ProducerExpander): void {
    this.expanders.push(fn);
  }

  /**
   * Append producer events, already validated and checked against the publisher's scope, together with what the
   * expanders add to them (`POST /api/events`, `RunningServer.publish`). Resolves with the producer's own events
   * only, so a publisher's `seqs` match what it sent.
   */
  async appendProducer(inputs: readonly AppendInput[]): Promise<StoredEvent[]> {
    let all = inputs;
    for (const fn of this.expanders) all = fn(all);
    const events = await this.append(all);
    return events.length === inputs.length ? events : events.slice(0, inputs.length);
  }

  /**
   * `appendProducer` under an idempotency key. The fingerprint in `once` is of the producer's own request: what the
   * expanders add carries fresh ids, so a retry must not be compared on it. Only the first attempt appends.
   */
  async appendProducerOnce(inputs: readonly AppendInput[], once: AppendOnce): Promise<AppendReceipt> {
    let all = inputs;
    for (const fn of this.expanders) all = fn(all);
    const receipt = await this.appendOnce(all, once);
    return { replayed: receipt.replayed, events: receipt.events.slice(0, inputs.length) };
  }

  /** Send appends through the cluster's shared log from now on (docs/architecture.md#cluster-mode); the store must be a mirror. */
  replicateThrough(replicator: LogReplicator): void {
    this.replicator = replicator;
  }

  /**
   * Append events (already validated, or server-written), fold them and notify listeners. Atomic.
   *
   * On a single node the append, the fold and the listeners all run before this returns (a store failure throws
   * synchronously), so `state` already reflects the events and the promise is resolved. In cluster mode the events
   * take effect when they come back from the shared log; await the promise before reading `state`.
   */
  append(inputs: readonly AppendInput[]): Promise<StoredEvent[]> {
    if (this.replicator) {
      if (inputs.length === 0) return Promise.resolve([]);
      const pending = this.replicator.append(inputs);
      // Callers that fire and forget must not turn a Redis failure into an unhandled rejection.
      pending.catch((err: unknown) => this.options.log?.(`cluster append failed: ${(err as Error).message}`));
      return pending;
    }
    const events = this.store.append(inputs);
    this.commit(events);
    return Promise.resolve(events);
  }

  /**
   * Append once per idempotency key (docs/protocol.md "Idempotent publishing"): a key seen within its window
   * answers the original seqs and ids and appends nothing.
   */
  async appendOnce(inputs: readonly AppendInput[], once: AppendOnce): Promise<AppendReceipt> {
    if (this.replicator) return this.replicator.appendOnce(inputs, once);
    const result = this.store.appendOnce(inputs, once);
    if (!result.replayed) this.commit(result.events);
    return { replayed: result.replayed, events: result.events.map(({ seq, id }) => ({ seq, id })) };
  }

  /**
   * Cluster mode: the shared log was lost and the cluster agreed on `epoch`, starting from `from` (docs/
   * architecture.md "Cluster mode"). The mirror is wiped, the projections become `from.state`, and reset
   * listeners run so nobody keeps a cursor of the old epoch.
   */
  reset(epoch: string, from: SavedProjection): void {
    (this.store as MirrorStore).reset(epoch, from);
    this.stateValue = from.state as FleetState;
    this.oldestSeq = this.store.oldest();
    this.sinceSave = 0;
    const waiters = this.headWaiters;
    this.headWaiters = [];
    for (const w of waiters) w.done(false);
    for (const fn of this.resetListeners) {
      try {
        fn(epoch);
      } catch (err) {
        this.options.log?.(`log reset listener failed: ${(err as Error).message}`);
      }
    }
  }

  /** Cluster mode: mirror events the shared log assigned (in seq order, following `head`), fold and notify. */
  applyReplicated(events: readonly StoredEvent[]): void {
    if (events.length === 0) return;
    (this.store as MirrorStore).appendReplicated(events);
    this.commit(events);
  }

  private commit(events: readonly StoredEvent[]): void {
    let state = this.stateValue;
    for (const e of events) state = applyEvent(state, e);
    this.stateValue = state;
    this.sinceSave += events.length;
    if (this.sinceSave >= this.saveEvery) this.saveAndCompact();
    if (this.headWaiters.length > 0) {
      const head = this.head;
      const still = [];
      for (const w of this.headWaiters) {
        if (w.seq <= head) w.done(true);
        else still.push(w);
      }
      this.headWaiters = still;
    }
    for (const fn of this.listeners) {
      try {
        fn(events);
      } catch (err) {
        this.options.log?.(`log listener failed: ${(err as Error).message}`);
      }
    }
  }

  /** Events after `since`, oldest first. */
  readSince(since: number, limit: number, accept?: (topic: string) => boolean): StoredEvent[] {
    return this.store.readSince(since, limit, accept);
  }

  /** Persist the projection, then drop events beyond retention (projections survive compaction). */
  saveAndCompact(): void {
    const saved = { seq: this.head, state: this.stateValue };
    this.store.saveProjection(saved);
    this.replicator?.saveSnapshot(saved);
    this.sinceSave = 0;
    const cut = this.head - this.options.retentionEvents;
    if (cut >= this.oldestSeq) {
      this.store.compact(cut);
      this.oldestSeq = this.store.oldest();
    }
  }

  close(): void {
    this.saveAndCompact();
    this.store.close();
  }
}
