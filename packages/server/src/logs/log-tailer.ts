// One shared reader per log file, however many viewers watch it (SPEC §5.2): fs.watch on the file's directory with
// a polling fallback, reads only the bytes appended since the last read, splits them into lines, keeps the last
// lines in memory for backlogs, and sends each 100 ms batch as one `lines` frame encoded once for every viewer.
// Rotation by rename (the path now names another file) or truncation (the file shrank) sends `rotated`, then the
// new file from its start.
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
import { readTail } from './tail-reader';

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
}

const READ_CHUNK_BYTES = 256 * 1024;
const ROTATED_FRAME = encodeTextFrame(JSON.stringify({ type: 'rotated' }));

export class LogTailer {
  private readonly viewers = new Set<Viewer>();
  private refs = 0;
  private readonly splitter = new LineSplitter(MAX_LINE_BYTES);
  private fh: FileHandle | null = null;
  private ino = -1;
  private offset = 0;
  private started = false;
  /** Last lines read, oldest first, from `keptStart` on (an index instead of shift(), which is O(n)). */
  private kept: string[] = [];
  private keptStart = 0;
  private keptBytes = 0;
  private batch: string[] = [];
  private batchBytes = 0;
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

  /** Add a viewer: it gets `backlog` lines, then every new line. Its close removes it. */
  addViewer(conn: WsConnection, backlog: number): void {
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
      conn.send({ type: 'backlog', ...this.lastLines(backlog) });
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
    await this.fh?.close().catch(() => {});
    this.fh = null;
  }

  private removeViewer(v: Viewer): void {
    this.viewers.delete(v);
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
    } else if (!this.fh) {
      // The file did not exist yet (instance never started) or vanished: whatever appears now is read from its start.
      await this.openFile(false);
    }
    if (!this.fh) return;
    await this.readNew();
    const st = await lstat(this.path).catch(() => null);
    // Renamed away and not recreated yet: keep the old handle, the writer may still append to it.
    if (!st) return;
    if (st.ino !== this.ino) {
      await this.readNew();
      this.addLines(this.splitter.end());
      this.rotated();
      await this.fh.close().catch(() => {});
      this.fh = null;
      await this.openFile(false);
      if (this.fh) await this.readNew();
    } else if (st.size < this.offset) {
      this.splitter.reset();
      this.rotated();
      this.offset = 0;
      await this.readNew();
    }
  }

  /** Open the path; on the first open start from the end (keeping its last lines), otherwise from byte 0. */
  private async openFile(fromEnd: boolean): Promise<void> {
    let fh: FileHandle;
    try {
      // O_NOFOLLOW: a symlink planted in the data dir must not make the stream read another file.
      fh = await open(this.path, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (err) {
      // Absent (not written yet, or renamed away) or a symlink: nothing to read until a real file appears.
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ELOOP') return;
      throw err;
    }
    const st = await fh.stat();
    this.fh = fh;
    this.ino = st.ino;
    this.offset = 0;
    this.splitter.reset();
    if (fromEnd && st.size > 0) {
      const tail = await readTail(fh, st.size, this.o.keepLines, this.o.keepBytes);
      for (const line of tail.lines) this.keep(line);
      this.splitter.prime(tail.partial);
      this.offset = st.size;
    }
  }

  private async readNew(): Promise<void> {
    const fh = this.fh!;
    let budget = this.o.maxReadPerPump;
    while (budget > 0) {
      const buf = Buffer.allocUnsafe(READ_CHUNK_BYTES);
      const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset);
      if (bytesRead === 0) return;
      this.offset += bytesRead;
      budget -= bytesRead;
      this.addLines(this.splitter.push(buf.subarray(0, bytesRead)));
    }
    // A writer faster than one wake-up's budget: continue after letting other work run.
    setImmediate(this.poke);
  }

  private addLines(lines: string[]): void {
    for (const line of lines) {
      this.keep(line);
      this.batch.push(line);
      this.batchBytes += line.length + 3;
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
    const frame = encodeTextFrame(JSON.stringify({ type: 'lines', lines: this.batch, count: this.batch.length }));
    this.batch = [];
    this.batchBytes = 0;
    for (const v of this.viewers) if (!v.resyncing) v.conn.offer(frame);
  }

  private rotated(): void {
    this.flushBatch();
    this.kept = [];
    this.keptStart = 0;
    this.keptBytes = 0;
    for (const v of this.viewers) {
      if (v.resyncing || v.conn.queueState === 'lagged') v.missedRotation = true;
      else v.conn.push(ROTATED_FRAME);
    }
  }

  /** A lagged viewer drained: (rotated, then) a fresh backlog marked lagged, then live lines again. */
  private resync(v: Viewer): void {
    if (!v.conn.isOpen) return;
    this.flushBatch();
    if (v.missedRotation) v.conn.push(ROTATED_FRAME);
    v.missedRotation = false;
    v.conn.send({ type: 'backlog', ...this.lastLines(v.backlog), reason: 'lagged' });
    v.resyncing = false;
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

  attach(name: string, conn: WsConnection, backlog: number): void {
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
    t.addViewer(conn, backlog);
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
