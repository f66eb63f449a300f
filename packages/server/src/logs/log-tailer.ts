// One shared reader per log file, however many viewers watch it (docs/control-plane.md): fs.watch on the file's directory with
// a polling fallback, reads only the bytes appended since the last read, splits them into lines, keeps the last
// lines in memory for backlogs, and sends each 100 ms batch as one `lines` frame encoded once for every viewer.
// Rotation by rename (the path now names another file) or truncation (the file shrank) sends `rotated`, then the
// new file from its start. After a rename the reader goes on with the next file of the rotation chain by generation
// (log-identity.ts), not with whatever the path names now, so a burst of rotations between two reads skips nothing;
// only files deleted before it read them are lost, and then it says so (`missed`).
//
// Every `lines` and `backlog` frame carries the position after its last line: the file's identity and a byte offset
// (docs/control-plane.md "Exact log resume"). A viewer that comes back with it reads from there with its own cursor,
// paced by its socket, until it reaches the shared reader, then joins the live batches: no line twice, none missed.
//
// Every read, join and resync runs in one serialized queue, so a viewer's backlog ends exactly where its first
// `lines` frame begins: no gap, no duplicate.

import { constants, watch, type FSWatcher } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { LOG_BATCH_WINDOW_MS, MAX_LOG_BACKLOG } from '@switchboard/protocol';
import type { WsConnection } from '../ws/connection';
import { encodeTextFrame } from '../ws/frame-encoding';
import { LineSplitter, MAX_LINE_BYTES } from './line-splitter';
import { LogCursor } from './log-cursor';
import { currentNonce, identify, logChain, parseIdentity, type ChainFile } from './log-identity';
import { readTail } from './tail-reader';

/** Where a viewer stopped: the identity of a log file and the byte offset after the last line it got. */
export interface LogPosition {
  file: string;
  offset: number;
}

export interface LogTailerOptions {
  /** Lines gathered before one `lines` frame goes out. @default 100 */
  batchWindowMs?: number;
  /** Poll period while fs.watch works (a safety net for missed notifications). @default 1000 */
  safetyPollMs?: number;
  /** Poll period when fs.watch is unavailable. @default 250 */
  fallbackPollMs?: number;
  /** Lines kept for backlogs. @default 1000 (the largest `backlog`) */
  keepLines?: number;
  /** Bytes of kept lines; the oldest go first beyond it. @default 8 MiB */
  keepBytes?: number;
  /** A batch this large goes out before its window ends, so one frame stays bounded. @default 512 KiB */
  maxBatchBytes?: number;
  /** Bytes read per wake-up before yielding to other work. @default 16 MiB */
  maxReadPerPump?: number;
  log?: (line: string) => void;
}

interface Viewer {
  conn: WsConnection;
  backlog: number;
  /** Between a lag and its fresh backlog: live batches skip it. */
  resyncing: boolean;
  /** A rotation happened while its deltas were being dropped; `rotated` goes out before its fresh backlog. */
  missedRotation: boolean;
  /** Catching up from a resume position; joins the live batches once it reaches them. */
  cursor?: LogCursor;
}

const READ_CHUNK_BYTES = 256 * 1024;
/** Bytes a catching-up viewer reads per step; it waits for its socket to drain below half its queue bound between steps. */
const CATCH_UP_CHUNK_BYTES = 256 * 1024;
/** Rotations followed in one wake-up before yielding. */
const MAX_HOPS_PER_PUMP = 16;

export class LogTailer {
  private readonly viewers = new Set<Viewer>();
  /** Viewers reading from a resume position, not yet among `viewers`. */
  private readonly catchingUp = new Set<Viewer>();
  private refs = 0;
  private readonly splitter = new LineSplitter(MAX_LINE_BYTES);
  private fh: FileHandle | null = null;
  private ino = -1;
  /** Identity of the open file (log-identity.ts), null while none is open. */
  private fileId: string | null = null;
  private offset = 0;
  private started = false;
  /** While waiting for a first file: the chain's files that existed when the tailer started (not to be replayed). */
  private before: Set<string> | undefined;
  /** Last lines read, oldest first, from `keptStart` on (an index instead of shift(), which is O(n)). */
  private kept: string[] = [];
  private keptStart = 0;
  private keptBytes = 0;
  private batch: string[] = [];
  private batchBytes = 0;
  /** Position after the batch's last line. */
  private batchEnd = 0;
  private batchTimer: NodeJS.Timeout | null = null;
  private queue: Promise<void> = Promise.resolve();
  private pumpQueued = false;
  private watcher: FSWatcher | null = null;
  private poller: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly o: Required<Omit<LogTailerOptions, 'log'>>;

  constructor(
    readonly path: string,
    private readonly dir: string,
    options: LogTailerOptions,
    private readonly onIdle: () => void,
    private readonly logLine: (line: string) => void = () => {},
  ) {
    this.o = {
      batchWindowMs: options.batchWindowMs ?? LOG_BATCH_WINDOW_MS,
      safetyPollMs: options.safetyPollMs ?? 1000,
      fallbackPollMs: options.fallbackPollMs ?? 250,
      keepLines: options.keepLines ?? MAX_LOG_BACKLOG,
      keepBytes: options.keepBytes ?? 8 * 1024 * 1024,
      maxBatchBytes: options.maxBatchBytes ?? 512 * 1024,
      maxReadPerPump: options.maxReadPerPump ?? 16 * 1024 * 1024,
    };
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  /**
   * Add a viewer: it gets `backlog` lines, then every new line. With `resume`, it gets `resumed` and the lines after
   * that position instead (or `missed` and the backlog when the position no longer exists). Its close removes it.
   */
  addViewer(conn: WsConnection, backlog: number, resume?: LogPosition): void {
    const viewer: Viewer = { conn, backlog, resyncing: false, missedRotation: false };
    this.refs++;
    conn.onClose(() => this.removeViewer(viewer));
    conn.onResync = () => {
      viewer.resyncing = true;
      this.enqueue(() => this.resync(viewer));
    };
    this.startWatching();
    this.enqueue(async () => {
      await this.pump();
      if (!conn.isOpen) return;
      // Lines already read go to the current viewers first; the newcomer's backlog includes them.
      this.flushBatch();
      if (resume) {
        const found = await this.locate(resume);
        if (!conn.isOpen) {
          if ('cursor' in found) await found.cursor.close();
          return;
        }
        if ('cursor' in found) {
          viewer.cursor = found.cursor;
          conn.send({ type: 'resumed', file: resume.file, offset: resume.offset });
          await this.catchUp(viewer);
          return;
        }
        conn.send({ type: 'missed', reason: found.missed, message: MISSED_MESSAGES[found.missed] });
      }
      conn.send({ type: 'backlog', ...this.lastLines(backlog), ...this.position() });
      this.viewers.add(viewer);
    });
  }

  /** Fail every viewer (the instance was deleted). */
  failAll(fail: (conn: WsConnection) => void): void {
    for (const v of this.viewers) fail(v.conn);
  }

  /** Stop watching and release the file; pending work is dropped. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopWatching();
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = null;
    await this.queue;
    await Promise.all([...this.catchingUp].map((v) => v.cursor?.close()));
    this.catchingUp.clear();
    await this.fh?.close().catch(() => {});
    this.fh = null;
  }

  private removeViewer(v: Viewer): void {
    this.viewers.delete(v);
    if (this.catchingUp.delete(v)) void v.cursor?.close();
    if (--this.refs === 0) this.onIdle();
  }

  private enqueue(op: () => Promise<void> | void): void {
    this.queue = this.queue
      .then(() => (this.closed ? undefined : op()))
      .catch((err) => this.logLine(`log tailer ${basename(this.dir)}: ${(err as Error).message}`));
  }

  /** Coalesce wake-ups: at most one read waits in the queue. */
  private poke = (): void => {
    if (this.pumpQueued || this.closed) return;
    this.pumpQueued = true;
    this.enqueue(async () => {
      this.pumpQueued = false;
      await this.pump();
    });
  };

  private startWatching(): void {
    if (this.watcher || this.poller || this.closed) return;
    const file = basename(this.path);
    try {
      // The directory, not the file: a watch on the file follows its inode away after a rename.
      this.watcher = watch(this.dir, { persistent: false }, (_event, name) => {
        if (!name || name.toString() === file) this.poke();
      });
      this.watcher.on('error', () => {
        this.stopWatching();
        this.poller = setInterval(this.poke, this.o.fallbackPollMs);
        this.poller.unref();
      });
    } catch {
      this.watcher = null;
    }
    this.poller = setInterval(this.poke, this.watcher ? this.o.safetyPollMs : this.o.fallbackPollMs);
    this.poller.unref();
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = null;
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
  }

  /** Read what is new; notice rotation and truncation. Runs only inside the queue. */
  private async pump(): Promise<void> {
    if (!this.started) {
      this.started = true;
      await this.openFile(true);
      // No file yet: remember the rotated files already there, so what appears later is read from its first file.
      if (!this.fh) this.before = new Set(logChain(this.path).map((f) => f.id));
    } else if (!this.fh) {
      // The file did not exist yet (instance never started) or vanished: whatever appears now is read from its start.
      // A busy writer may have filled and rotated the first new file before this wake-up: begin at the oldest file
      // that appeared since, and follow the chain from there, so no line is skipped.
      const before = this.before;
      const first = before ? logChain(this.path).find((f) => !before.has(f.id)) : undefined;
      if (!(first && first.path !== this.path && (await this.openChainFile(first)))) await this.openFile(false);
      if (this.fh) this.before = undefined;
    }
    if (!this.fh) return;
    for (let hop = 0; hop < MAX_HOPS_PER_PUMP; hop++) {
      if (!(await this.readNew())) return;
      const st = await lstat(this.path).catch(() => null);
      if (st && st.ino === this.ino) {
        if (st.size < this.offset) await this.truncated();
        return;
      }
      // The path names another file or none: ours was rotated away. Its successor is the next generation of the
      // chain; none yet (renamed away, not recreated): keep the old handle, the writer may still append to it.
      const oldId = this.fileId!;
      let next = this.successor(oldId);
      if (!next) return;
      if (!(await this.readNew())) return;
      this.addLines(...this.ended());
      this.flushBatch();
      await this.fh?.close().catch(() => {});
      this.fh = null;
      this.fileId = null;
      // The successor may be renamed once more between the lookup and the open: look again.
      for (let attempt = 0; next && !(await this.openChainFile(next)) && attempt < 3; attempt++) next = this.successor(oldId);
      if (!this.fh || !next) {
        // Lost track of the chain: the path's file from its start, and the viewers are told lines may be missing.
        this.missedLive();
        if (await this.openFile(false)) this.rotated();
        return;
      }
      if (next.generation > parseIdentity(oldId)!.generation + 1) this.missedLive();
      this.rotated();
    }
    // Still rotating faster than one wake-up follows: continue after letting other work run.
    setImmediate(this.poke);
  }

  /** The file after `id` in the rotation chain, if it exists. */
  private successor(id: string): ChainFile | undefined {
    const mine = parseIdentity(id);
    if (!mine) return undefined;
    return logChain(this.path).find((f) => parseIdentity(f.id)?.nonce === mine.nonce && f.generation > mine.generation);
  }

  private async openChainFile(file: ChainFile): Promise<boolean> {
    let fh: FileHandle;
    try {
      fh = await open(file.path, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch {
      return false;
    }
    const st = await fh.stat();
    if (st.ino !== file.ino) {
      await fh.close().catch(() => {});
      return false;
    }
    this.fh = fh;
    this.ino = st.ino;
    this.fileId = file.id;
    this.offset = 0;
    this.splitter.reset(0);
    return true;
  }

  /** The open file shrank under us (copy-truncate): it gets a new identity, so positions into its old content no longer match. */
  private async truncated(): Promise<void> {
    this.flushBatch();
    this.splitter.reset(0);
    this.offset = 0;
    this.fileId = identify(this.path, this.ino, true);
    this.rotated();
    await this.readNew();
  }

  /** The unfinished last line of a file that ended, with its end position. */
  private ended(): [string[], number[]] {
    const ends: number[] = [];
    return [this.splitter.end(ends), ends];
  }

  /** Open the path; on the first open start from the end (keeping its last lines), otherwise from byte 0. */
  private async openFile(fromEnd: boolean): Promise<boolean> {
    let fh: FileHandle;
    try {
      // O_NOFOLLOW: a symlink planted in the data dir must not make the stream read another file.
      fh = await open(this.path, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (err) {
      // Absent (not written yet, or renamed away) or a symlink: nothing to read until a real file appears.
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ELOOP') return false;
      throw err;
    }
    const st = await fh.stat();
    this.fh = fh;
    this.ino = st.ino;
    this.fileId = identify(this.path, st.ino);
    this.offset = 0;
    this.splitter.reset(0);
    if (fromEnd && st.size > 0) {
      const tail = await readTail(fh, st.size, this.o.keepLines, this.o.keepBytes);
      for (const line of tail.lines) this.keep(line);
      this.splitter.prime(tail.partial, st.size);
      this.offset = st.size;
    }
    return true;
  }

  /** Read to the end of the open file, up to one wake-up's budget; false when the budget ran out first. */
  private async readNew(): Promise<boolean> {
    const fh = this.fh!;
    let budget = this.o.maxReadPerPump;
    while (budget > 0) {
      const buf = Buffer.allocUnsafe(READ_CHUNK_BYTES);
      const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset);
      if (bytesRead === 0) return true;
      this.offset += bytesRead;
      budget -= bytesRead;
      const ends: number[] = [];
      this.addLines(this.splitter.push(buf.subarray(0, bytesRead), ends), ends);
    }
    // A writer faster than one wake-up's budget: continue after letting other work run.
    setImmediate(this.poke);
    return false;
  }

  private addLines(lines: string[], ends: number[]): void {
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      this.keep(line);
      this.batch.push(line);
      this.batchBytes += line.length + 3;
      this.batchEnd = ends[i]!;
      if (this.batchBytes >= this.o.maxBatchBytes) this.flushBatch();
    }
    if (this.batch.length > 0 && !this.batchTimer) {
      this.batchTimer = setTimeout(() => this.flushBatch(), this.o.batchWindowMs);
    }
  }

  /** Send the pending batch as one frame, encoded once, to every live viewer. */
  private flushBatch(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = null;
    if (this.batch.length === 0) return;
    // A batch never spans files: a rotation flushes it before the file changes.
    const frame = encodeTextFrame(
      JSON.stringify({ type: 'lines', lines: this.batch, count: this.batch.length, file: this.fileId, offset: this.batchEnd }),
    );
    this.batch = [];
    this.batchBytes = 0;
    for (const v of this.viewers) if (!v.resyncing) v.conn.offer(frame);
  }

  /** Where the lines sent so far end: the open file and the offset after its last complete line. */
  private position(): Partial<LogPosition> {
    return this.fileId === null ? {} : { file: this.fileId, offset: this.splitter.position };
  }

  /** `rotated`, naming the file that follows when one is open. */
  private rotatedFrame(): Buffer {
    return encodeTextFrame(JSON.stringify({ type: 'rotated', ...this.position() }));
  }

  /** Sent once the open file changed (rename, truncation or a first file); the caller flushed the old file's batch. */
  private rotated(): void {
    this.flushBatch();
    this.kept = [];
    this.keptStart = 0;
    this.keptBytes = 0;
    const frame = this.rotatedFrame();
    for (const v of this.viewers) {
      if (v.resyncing || v.conn.queueState === 'lagged') v.missedRotation = true;
      else v.conn.push(frame);
    }
  }

  /** Files rotated away before the reader got to them: live viewers are told lines are missing. */
  private missedLive(): void {
    const frame = encodeTextFrame(JSON.stringify({ type: 'missed', reason: 'rotated_away', message: MISSED_MESSAGES.rotated_away }));
    for (const v of this.viewers) if (!v.resyncing && v.conn.queueState !== 'lagged') v.conn.push(frame);
  }

  /** A lagged viewer drained: (rotated, then) a fresh backlog marked lagged, then live lines again. */
  private resync(v: Viewer): void {
    if (!v.conn.isOpen) return;
    this.flushBatch();
    if (v.missedRotation) v.conn.push(this.rotatedFrame());
    v.missedRotation = false;
    v.conn.send({ type: 'backlog', ...this.lastLines(v.backlog), ...this.position(), reason: 'lagged' });
    v.resyncing = false;
  }

  /** The file and offset of a resume position, opened; or why it cannot be resumed. Runs inside the queue. */
  private async locate(pos: LogPosition): Promise<{ cursor: LogCursor } | { missed: MissedReason }> {
    const wanted = parseIdentity(pos.file);
    if (!wanted) return { missed: 'unknown_position' };
    // The live file: a position past what was sent (or in bytes read but not yet split) was never given out.
    if (pos.file === this.fileId && pos.offset > this.splitter.position) return { missed: 'unknown_position' };
    const chain = logChain(this.path);
    const file = chain.find((f) => f.id === pos.file);
    if (!file) {
      const rotatedAway = wanted.nonce === currentNonce(this.path) && chain.length > 0 && wanted.generation < chain[0]!.generation;
      return { missed: rotatedAway ? 'rotated_away' : 'unknown_position' };
    }
    const cursor = await LogCursor.open(file, pos.offset);
    return cursor ? { cursor } : { missed: 'unknown_position' };
  }

  /**
   * Send a resumed viewer the lines after its position, one chunk per turn of the queue, until it reaches the shared
   * reader's position; then it joins the live batches. Between chunks it waits for its socket to drain, outside the
   * queue, so a slow viewer never holds up the others.
   */
  private async catchUp(v: Viewer): Promise<void> {
    this.catchingUp.add(v);
    const c = v.cursor!;
    if (!v.conn.isOpen) return;
    this.flushBatch();
    const live = c.id === this.fileId;
    const limit = live ? this.splitter.position : Number.POSITIVE_INFINITY;
    const { lines, eof } = await c.read(CATCH_UP_CHUNK_BYTES, limit);
    if (lines.length > 0) v.conn.send({ type: 'lines', lines, count: lines.length, file: c.id, offset: c.position });
    if (live && c.position >= limit) {
      this.join(v);
      return;
    }
    if (eof) {
      // Its file ended (rotated away): on to the next generation, as the shared reader did.
      const next = logChain(this.path).find((f) => parseIdentity(f.id)?.nonce === parseIdentity(c.id)?.nonce && f.generation > c.generation);
      const cursor = next ? await LogCursor.open(next, 0) : undefined;
      await c.close();
      if (!cursor) {
        // Neither it nor the live file can be followed from here: say so and join with a backlog.
        v.cursor = undefined;
        v.conn.send({ type: 'missed', reason: 'unknown_position', message: MISSED_MESSAGES.unknown_position });
        v.conn.send({ type: 'backlog', ...this.lastLines(v.backlog), ...this.position() });
        this.catchingUp.delete(v);
        this.viewers.add(v);
        return;
      }
      if (next!.generation > c.generation + 1) v.conn.send({ type: 'missed', reason: 'rotated_away', message: MISSED_MESSAGES.rotated_away });
      v.cursor = cursor;
      v.conn.send({ type: 'rotated', file: cursor.id, offset: 0 });
    }
    void waitForRoom(v.conn).then(() => {
      if (this.catchingUp.has(v)) this.enqueue(() => this.catchUp(v));
    });
  }

  private join(v: Viewer): void {
    void v.cursor?.close();
    v.cursor = undefined;
    this.catchingUp.delete(v);
    this.viewers.add(v);
  }

  private keep(line: string): void {
    this.kept.push(line);
    this.keptBytes += line.length;
    while (this.kept.length - this.keptStart > this.o.keepLines || (this.keptBytes > this.o.keepBytes && this.kept.length - this.keptStart > 1)) {
      this.keptBytes -= this.kept[this.keptStart]!.length;
      this.keptStart++;
    }
    if (this.keptStart > 4096 && this.keptStart * 2 > this.kept.length) {
      this.kept = this.kept.slice(this.keptStart);
      this.keptStart = 0;
    }
  }

  private lastLines(n: number): { lines: string[]; count: number } {
    const from = Math.max(this.keptStart, this.kept.length - n);
    const lines = n === 0 ? [] : this.kept.slice(from);
    return { lines, count: lines.length };
  }
}

type MissedReason = 'rotated_away' | 'unknown_position';

const MISSED_MESSAGES: Record<MissedReason, string> = {
  rotated_away: 'lines were missed: the log file they were in was rotated away beyond the kept files',
  unknown_position: 'lines may have been missed: the resume position does not name a kept log file (replaced, truncated or never given out)',
};

/** Resolves once `conn` has room for more catch-up lines (below half its queue bound), or closed. */
function waitForRoom(conn: WsConnection): Promise<void> {
  const limit = conn.options.maxQueueBytes / 2;
  return new Promise((resolve) => {
    const check = () => {
      if (!conn.isOpen || conn.bufferedBytes <= limit) resolve();
      else setTimeout(check, 10);
    };
    check();
  });
}

/** The tailers by instance name: created by the first viewer, closed with the last. */
export class LogTailers {
  private readonly tailers = new Map<string, LogTailer>();

  constructor(
    private readonly locate: (name: string) => { dir: string; file: string },
    private readonly options: LogTailerOptions = {},
  ) {}

  /** Number of open readers (one per watched file). */
  get size(): number {
    return this.tailers.size;
  }

  attach(name: string, conn: WsConnection, backlog: number, resume?: LogPosition): void {
    let t = this.tailers.get(name);
    if (!t) {
      const { dir, file } = this.locate(name);
      const created: LogTailer = new LogTailer(
        file,
        dir,
        this.options,
        () => {
          if (this.tailers.get(name) === created) this.tailers.delete(name);
          void created.close();
        },
        this.options.log,
      );
      t = created;
      this.tailers.set(name, t);
    }
    t.addViewer(conn, backlog, resume);
  }

  /** End every viewer of `name`'s log with `fail` (e.g. the instance was deleted). */
  failAll(name: string, fail: (conn: WsConnection) => void): void {
    this.tailers.get(name)?.failAll(fail);
  }

  async closeAll(): Promise<void> {
    const all = [...this.tailers.values()];
    this.tailers.clear();
    await Promise.all(all.map((t) => t.close()));
  }
}
