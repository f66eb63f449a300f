// Inter-agent messages (docs/control-plane.md) in their own SQLite file under `<dataDir>/messages/` (a 0700 directory): the
// payloads, which must never reach the event log, and the history of message events the `/ws/messages` snapshot
// reads, filtered in SQL so a narrow filter still gets its recent events.

import Database from 'better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { MessageEventInfo, MessageEventName } from '@switchboard/protocol';

/** Message events kept for snapshots; older ones are pruned (the messages themselves stay). @default 100000 */
export const MESSAGE_EVENTS_KEPT = 100_000;

/**
 * Which payloads are kept (`--message-retention`, docs/control-plane.md "Bounds"): a payload older than
 * `maxAgeSeconds`, or not among the newest `maxCount`, is pruned; its message's metadata and events stay.
 */
export interface MessageRetention {
  maxAgeSeconds?: number;
  maxCount?: number;
}

/** A message whose payload was pruned: its metadata and when it was pruned. */
export interface PrunedMessage {
  pruned_at: string;
}

export interface MessageRecord {
  message_id: string;
  from: string;
  to: string;
  message_type: string;
  correlation_id: string | null;
  status: MessageEventName;
  /** The error of a failure. */
  error: string | null;
  created_at: string;
  updated_at: string;
}

export interface MessageFilter {
  /** Messages from or to this name. */
  instance?: string;
  correlation_id?: string;
}

interface MessageRow {
  id: string;
  from_name: string;
  to_name: string;
  message_type: string;
  correlation_id: string | null;
  payload: string;
  status: MessageEventName;
  error: string | null;
  created_at: string;
  updated_at: string;
  pruned_at: string | null;
}

interface EventRow {
  message_id: string;
  event: MessageEventName;
  from_name: string;
  to_name: string;
  message_type: string;
  correlation_id: string | null;
  detail: string | null;
  timestamp: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS messages (
  id             TEXT PRIMARY KEY,
  from_name      TEXT NOT NULL,
  to_name        TEXT NOT NULL,
  message_type   TEXT NOT NULL,
  correlation_id TEXT,
  payload        TEXT NOT NULL,
  status         TEXT NOT NULL,
  error          TEXT,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS message_events (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id     TEXT NOT NULL,
  event          TEXT NOT NULL,
  from_name      TEXT NOT NULL,
  to_name        TEXT NOT NULL,
  message_type   TEXT NOT NULL,
  correlation_id TEXT,
  detail         TEXT,
  timestamp      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS message_events_from ON message_events (from_name, seq);
CREATE INDEX IF NOT EXISTS message_events_to ON message_events (to_name, seq);
CREATE INDEX IF NOT EXISTS message_events_corr ON message_events (correlation_id, seq);
CREATE INDEX IF NOT EXISTS message_events_msg ON message_events (message_id, seq);
CREATE INDEX IF NOT EXISTS messages_updated ON messages (updated_at);
`;

/** Older message databases lack the column that marks a pruned payload. */
const MIGRATIONS = ['ALTER TABLE messages ADD COLUMN pruned_at TEXT'];

const EVENT_COLUMNS = 'message_id, event, from_name, to_name, message_type, correlation_id, detail, timestamp';

export class MessageStore {
  private readonly db: Database.Database;
  private readonly insertMessage: Database.Statement;
  private readonly insertEvent: Database.Statement;
  private readonly updateStatus: Database.Statement;
  private readonly selectMessage: Database.Statement<[string], MessageRow>;
  private readonly selectEvents: Database.Statement<[string], EventRow>;
  private sincePrune = 0;
  /** Filtered queries, prepared once per filter shape (at most four per query). */
  private readonly prepared = new Map<string, Database.Statement<unknown[], unknown>>();

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    this.db = new Database(join(dir, 'messages.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    const columns = new Set(this.db.prepare<[], { name: string }>('PRAGMA table_info(messages)').all().map((c) => c.name));
    if (!columns.has('pruned_at')) for (const sql of MIGRATIONS) this.db.exec(sql);
    // Pruning reads only the payloads still kept.
    this.db.exec('CREATE INDEX IF NOT EXISTS messages_kept ON messages (created_at) WHERE pruned_at IS NULL');
    this.insertMessage = this.db.prepare(
      'INSERT INTO messages (id, from_name, to_name, message_type, correlation_id, payload, status, error, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)',
    );
    this.insertEvent = this.db.prepare(`INSERT INTO message_events (${EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.updateStatus = this.db.prepare('UPDATE messages SET status = ?, error = COALESCE(?, error), updated_at = ? WHERE id = ?');
    this.selectMessage = this.db.prepare('SELECT * FROM messages WHERE id = ?');
    this.selectEvents = this.db.prepare(`SELECT ${EVENT_COLUMNS} FROM message_events WHERE message_id = ? ORDER BY seq`);
  }

  /** Store a new message with its payload (JSON text) and its `sent` event, atomically. */
  insert(ev: MessageEventInfo, payloadJson: string): void {
    this.db.transaction(() => {
      this.insertMessage.run(ev.message_id, ev.from, ev.to, ev.message_type, ev.correlation_id, payloadJson, ev.event, ev.timestamp, ev.timestamp);
      this.addEvent(ev);
    })();
  }

  /** Record a transition (deliver, ack, fail) and its event, atomically. */
  transition(ev: MessageEventInfo): void {
    this.db.transaction(() => {
      this.updateStatus.run(ev.event, ev.event === 'failed' ? ev.detail : null, ev.timestamp, ev.message_id);
      this.addEvent(ev);
    })();
  }

  /** The message with its payload, or with `pruned_at` instead when retention removed the payload. */
  get(id: string): (MessageRecord & ({ payload: unknown } | PrunedMessage)) | undefined {
    const row = this.selectMessage.get(id);
    if (!row) return undefined;
    if (row.pruned_at !== null) return { ...toRecord(row), pruned_at: row.pruned_at };
    return { ...toRecord(row), payload: JSON.parse(row.payload) };
  }

  /**
   * Drop the payloads `retention` no longer keeps, as of `now`; the rows (metadata) and their events stay. Returns
   * how many payloads were pruned. The space is reused by SQLite for later payloads.
   */
  prunePayloads(retention: MessageRetention, now = Date.now()): number {
    const at = new Date(now).toISOString();
    let pruned = 0;
    this.db.transaction(() => {
      if (retention.maxAgeSeconds !== undefined) {
        const cutoff = new Date(now - retention.maxAgeSeconds * 1000).toISOString();
        pruned += this.db.prepare("UPDATE messages SET payload = '', pruned_at = ? WHERE pruned_at IS NULL AND created_at < ?").run(at, cutoff).changes;
      }
      if (retention.maxCount !== undefined) {
        // rowid order is insertion order: keep the newest maxCount payloads.
        pruned += this.db
          .prepare(
            "UPDATE messages SET payload = '', pruned_at = ? WHERE pruned_at IS NULL AND rowid <= (SELECT rowid FROM messages ORDER BY rowid DESC LIMIT 1 OFFSET ?)",
          )
          .run(at, retention.maxCount).changes;
      }
    })();
    return pruned;
  }

  /** Metadata of `id` without its payload. */
  getMeta(id: string): MessageRecord | undefined {
    const row = this.selectMessage.get(id);
    return row ? toRecord(row) : undefined;
  }

  events(id: string): MessageEventInfo[] {
    return this.selectEvents.all(id).map(toEventInfo);
  }

  /** The newest `limit` message events matching `filter`, oldest first. */
  recentEvents(filter: MessageFilter, limit: number): MessageEventInfo[] {
    const { where, params } = whereOf(filter);
    const rows = this.statement<EventRow>(`SELECT ${EVENT_COLUMNS} FROM message_events ${where} ORDER BY seq DESC LIMIT ?`).all(...params, limit);
    return rows.reverse().map(toEventInfo);
  }

  /** The most recently updated messages matching `filter`, newest first, metadata only. */
  list(filter: MessageFilter, limit: number): MessageRecord[] {
    const { where, params } = whereOf(filter);
    return this.statement<MessageRow>(`SELECT * FROM messages ${where} ORDER BY updated_at DESC, rowid DESC LIMIT ?`)
      .all(...params, limit)
      .map(toRecord);
  }

  close(): void {
    this.db.close();
  }

  private statement<R>(sql: string): Database.Statement<unknown[], R> {
    let st = this.prepared.get(sql);
    if (!st) {
      st = this.db.prepare<unknown[], unknown>(sql);
      this.prepared.set(sql, st);
    }
    return st as Database.Statement<unknown[], R>;
  }

  private addEvent(ev: MessageEventInfo): void {
    this.insertEvent.run(ev.message_id, ev.event, ev.from, ev.to, ev.message_type, ev.correlation_id, ev.detail, ev.timestamp);
    if (++this.sincePrune >= 1000) {
      this.sincePrune = 0;
      this.db.prepare('DELETE FROM message_events WHERE seq <= (SELECT MAX(seq) FROM message_events) - ?').run(MESSAGE_EVENTS_KEPT);
    }
  }
}

function whereOf(filter: MessageFilter): { where: string; params: string[] } {
  const clauses: string[] = [];
  const params: string[] = [];
  if (filter.instance !== undefined) {
    clauses.push('(from_name = ? OR to_name = ?)');
    params.push(filter.instance, filter.instance);
  }
  if (filter.correlation_id !== undefined) {
    clauses.push('correlation_id = ?');
    params.push(filter.correlation_id);
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

function toRecord(r: MessageRow): MessageRecord {
  return {
    message_id: r.id,
    from: r.from_name,
    to: r.to_name,
    message_type: r.message_type,
    correlation_id: r.correlation_id,
    status: r.status,
    error: r.error,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

function toEventInfo(r: EventRow): MessageEventInfo {
  return {
    message_id: r.message_id,
    event: r.event,
    from: r.from_name,
    to: r.to_name,
    message_type: r.message_type,
    correlation_id: r.correlation_id,
    detail: r.detail,
    timestamp: r.timestamp,
  };
}
