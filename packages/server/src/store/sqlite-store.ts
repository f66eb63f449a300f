// The embedded event store: SQLite in WAL mode via better-sqlite3 (docs/protocol.md#events).
// Appends commit before they return, so an acknowledged event survives kill -9.

import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import { SwitchboardError } from '@switchboard/protocol';
import type { AppendInput, AppendOnce, EventStore, OnceResult, SavedProjection, StoredEvent } from './event-store';

interface Row {
  seq: number;
  id: string;
  topic: string;
  ts: string;
  data: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  seq   INTEGER PRIMARY KEY,
  id    TEXT NOT NULL,
  topic TEXT NOT NULL,
  ts    TEXT NOT NULL,
  data  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency (
  key         TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  first_seq   INTEGER NOT NULL,
  ids         TEXT NOT NULL,
  expires_at  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS idempotency_expiry ON idempotency (expires_at);
CREATE TABLE IF NOT EXISTS projection (
  id    INTEGER PRIMARY KEY CHECK (id = 1),
  seq   INTEGER NOT NULL,
  state TEXT NOT NULL
);
`;

function toStored(r: Row): StoredEvent {
  return { seq: r.seq, id: r.id, topic: r.topic, ts: r.ts, data: JSON.parse(r.data), dataJson: r.data };
}

export class SqliteEventStore implements EventStore {
  private epochValue: string;
  private readonly db: Database.Database;
  private headSeq: number;
  private readonly nextId = monotonicFactory();
  private readonly insert: Database.Statement;
  private readonly appendTx: (inputs: readonly AppendInput[]) => StoredEvent[];
  private readonly selectSince: Database.Statement<[number, number], Row>;
  private readonly appendOnceTx: (inputs: readonly AppendInput[], once: AppendOnce) => OnceResult;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new Database(join(dataDir, 'switchboard.db'));
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode loses nothing on a process crash (kill -9); only an OS crash can drop the last commits.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);

    const getMeta = this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
    const existing = getMeta.get('epoch');
    if (existing) {
      this.epochValue = existing.value;
    } else {
      this.epochValue = randomUUID();
      this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('epoch', this.epochValue);
    }
    const maxEvent = this.db.prepare<[], { m: number | null }>('SELECT MAX(seq) AS m FROM events').get()!.m ?? 0;
    const projSeq = this.db.prepare<[], { seq: number }>('SELECT seq FROM projection WHERE id = 1').get()?.seq ?? 0;
    this.headSeq = Math.max(maxEvent, projSeq);

    this.insert = this.db.prepare('INSERT INTO events (seq, id, topic, ts, data) VALUES (?, ?, ?, ?, ?)');
    this.selectSince = this.db.prepare('SELECT seq, id, topic, ts, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?');
    this.appendTx = this.db.transaction((inputs: readonly AppendInput[]) => {
      const ts = new Date().toISOString();
      const out: StoredEvent[] = [];
      let seq = this.headSeq;
      for (const input of inputs) {
        seq += 1;
        const dataJson = JSON.stringify(input.data ?? null);
        const id = this.nextId();
        this.insert.run(seq, id, input.topic, ts, dataJson);
        out.push({ seq, id, topic: input.topic, ts, data: input.data ?? null, dataJson });
      }
      return out;
    });
    const findKey = this.db.prepare<[string, number], { fingerprint: string; first_seq: number; ids: string }>(
      'SELECT fingerprint, first_seq, ids FROM idempotency WHERE key = ? AND expires_at > ?',
    );
    const pruneKeys = this.db.prepare('DELETE FROM idempotency WHERE expires_at <= ?');
    const saveKey = this.db.prepare('INSERT OR REPLACE INTO idempotency (key, fingerprint, first_seq, ids, expires_at) VALUES (?, ?, ?, ?, ?)');
    this.appendOnceTx = this.db.transaction((inputs: readonly AppendInput[], once: AppendOnce): OnceResult => {
      const now = Date.now();
      const seen = findKey.get(once.key, now);
      if (seen) {
        if (seen.fingerprint !== once.fingerprint) throw idempotencyConflict();
        return { replayed: true, events: seen.ids.split(',').map((id, i) => ({ seq: seen.first_seq + i, id })) };
      }
      pruneKeys.run(now);
      const events = this.appendTx(inputs);
      saveKey.run(once.key, once.fingerprint, events[0]!.seq, events.map((e) => e.id).join(','), now + once.windowMs);
      return { replayed: false, events };
    });
  }

  get epoch(): string {
    return this.epochValue;
  }

  head(): number {
    return this.headSeq;
  }

  /**
   * Cluster mirror (docs/architecture.md#cluster-mode): store events that already carry their seq, id and ts (from the shared Redis log), in
   * one transaction. Seqs must follow the head.
   */
  appendReplicated(events: readonly StoredEvent[]): void {
    if (events.length === 0) return;
    this.db.transaction(() => {
      for (const e of events) this.insert.run(e.seq, e.id, e.topic, e.ts, e.dataJson);
    })();
    this.headSeq = events[events.length - 1]!.seq;
  }

  /**
   * Cluster mirror: forget every local event and adopt `epoch`, with `projection` (or nothing) as the new starting
   * point. Used when the local file belongs to another log, or lags behind what the shared stream still holds.
   */
  reset(epoch: string, projection: SavedProjection | null): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM events').run();
      this.db.prepare('DELETE FROM projection').run();
      // Keys name seqs of the log being forgotten; in cluster mode Redis holds the keys anyway.
      this.db.prepare('DELETE FROM idempotency').run();
      this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run('epoch', epoch);
    })();
    this.epochValue = epoch;
    this.headSeq = 0;
    if (projection) {
      this.saveProjection(projection);
      this.headSeq = projection.seq;
    }
  }

  oldest(): number {
    const r = this.db.prepare<[], { m: number | null }>('SELECT MIN(seq) AS m FROM events').get()!;
    return r.m ?? this.headSeq + 1;
  }

  append(inputs: readonly AppendInput[]): StoredEvent[] {
    if (inputs.length === 0) return [];
    const out = this.appendTx(inputs);
    // Only advance after the commit: a failed transaction leaves the head where it was.
    this.headSeq = out[out.length - 1]!.seq;
    return out;
  }

  appendOnce(inputs: readonly AppendInput[], once: AppendOnce): OnceResult {
    const result = this.appendOnceTx(inputs, once);
    if (!result.replayed && result.events.length > 0) this.headSeq = result.events[result.events.length - 1]!.seq;
    return result;
  }

  readSince(since: number, limit: number, accept?: (topic: string) => boolean): StoredEvent[] {
    if (!accept) return this.selectSince.all(since, limit).map(toStored);
    const out: StoredEvent[] = [];
    let cursor = since;
    const page = Math.max(limit, 500);
    while (out.length < limit) {
      const rows = this.selectSince.all(cursor, page);
      if (rows.length === 0) break;
      for (const r of rows) {
        if (accept(r.topic)) {
          out.push(toStored(r));
          if (out.length >= limit) break;
        }
      }
      cursor = rows[rows.length - 1]!.seq;
      if (rows.length < page) break;
    }
    return out;
  }

  loadProjection(): SavedProjection | null {
    const r = this.db.prepare<[], { seq: number; state: string }>('SELECT seq, state FROM projection WHERE id = 1').get();
    return r ? { seq: r.seq, state: JSON.parse(r.state) } : null;
  }

  saveProjection(p: SavedProjection): void {
    this.db
      .prepare('INSERT INTO projection (id, seq, state) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, state = excluded.state')
      .run(p.seq, JSON.stringify(p.state));
  }

  compact(upTo: number): number {
    return this.db.prepare('DELETE FROM events WHERE seq <= ?').run(upTo).changes;
  }

  /** False once closed (or if the database connection was lost). */
  get isOpen(): boolean {
    return this.db.open;
  }

  close(): void {
    if (!this.db.open) return;
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }
}

/** The same idempotency key sent with a different request (docs/protocol.md "Idempotent publishing"). */
export function idempotencyConflict(): SwitchboardError {
  return new SwitchboardError('conflict', 'this Idempotency-Key was already used with a different request', {
    details: { field: 'Idempotency-Key' },
  });
}
