// The storage contract of the event log (docs/protocol.md#events): append, read since a cursor, and the saved projection.
// SQLite implements it for one node; a Redis Stream store implements the same contract for clusters.

import type { EventEnvelope } from '@switchboard/protocol';

/** An event as stored: the envelope plus its data already serialized, so fan-out never stringifies twice. */
export interface StoredEvent extends EventEnvelope {
  /** `JSON.stringify(data)`, computed once at append. */
  readonly dataJson: string;
}

export interface AppendInput {
  topic: string;
  data: unknown;
}

/**
 * A producer's idempotency key on an append (docs/protocol.md "Idempotent publishing"): the same key within
 * `windowMs` answers the original events instead of appending again.
 */
export interface AppendOnce {
  key: string;
  /** Digest of the request the key was first used with; the same key with another request is a conflict. */
  fingerprint: string;
  windowMs: number;
}

/** What an idempotent append answers: fresh events (to fold and fan out), or the seqs and ids of the original. */
export type OnceResult = { replayed: false; events: StoredEvent[] } | { replayed: true; events: Array<{ seq: number; id: string }> };

export interface SavedProjection {
  seq: number;
  state: unknown;
}

export interface EventStore {
  /** Log identity; survives restarts, changes only when the log is lost or replaced. */
  readonly epoch: string;
  /** Newest seq (0 for an empty log). */
  head(): number;
  /** Oldest seq still stored, or head + 1 when nothing is stored. */
  oldest(): number;
  /** Append atomically; all or nothing. Durable (survives kill -9) when it returns. */
  append(inputs: readonly AppendInput[]): StoredEvent[];
  /** `append`, unless `once.key` was used within its window: then the original seqs and ids, appending nothing. */
  appendOnce(inputs: readonly AppendInput[], once: AppendOnce): OnceResult;
  /** Events with seq > `since`, oldest first, at most `limit`, optionally only those `accept` keeps. */
  readSince(since: number, limit: number, accept?: (topic: string) => boolean): StoredEvent[];
  /** The last saved projection state and the seq it reflects. */
  loadProjection(): SavedProjection | null;
  saveProjection(p: SavedProjection): void;
  /** Drop events with seq <= `upTo`. */
  compact(upTo: number): number;
  close(): void;
}
