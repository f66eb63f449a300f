// One server-side WebSocket connection, shared by every stream: an ordered outbound queue of pre-encoded frames
// flushed once per tick (one write per socket), the bounded-queue lag rule (SPEC §3), error frames
// with their close codes, and the bookkeeping the heartbeat needs.

import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { SwitchboardError } from '@switchboard/protocol';
import type { Principal } from '../auth/principal';
import { encodeTextFrame } from './frame-encoding';
import { scheduleFlush } from './flusher';
import type { FrameCounters } from '../metrics/counters';

let nextId = 1;

export type QueueState = 'live' | 'lagged';

export interface ConnectionOptions {
  maxQueueBytes: number;
  /** Whether the idle rule (no client frame for --idle-timeout → 1001) applies to this stream. */
  idleRule: boolean;
  /** The server's frame tallies for metrics, shared by every connection. */
  counters?: FrameCounters;
}

export class WsConnection {
  readonly id = nextId++;
  /** Last application frame from the client (protocol pongs don't count). */
  lastClientFrameAt = Date.now();
  /** Start of the current one-second window of the client frame-rate limit, and the frames seen in it. */
  frameWindowStart = Date.now();
  framesInWindow = 0;
  /** Cleared by each protocol ping, set by the pong; a peer still false at the next ping is dead. */
  isAlive = true;
  /** When the presented token expires; the heartbeat closes the connection with 4401 then (SPEC §6). */
  expiresAtMs?: number;
  /** Who the connection acts as (its role and scopes); null without auth. An `auth` frame replaces it. */
  principal: Principal | null = null;
  /** The endpoint path, for checking a refreshed token against it. */
  path = '';
  /** `auth` frames seen; an answer to an older one is ignored. */
  authAttempts = 0;
  queueState: QueueState = 'live';
  flushScheduled = false;
  /** Called once the socket drained after a lag; the stream sends its fresh snapshot here. */
  onResync?: () => void;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Frames in `pending` (a shared batch buffer holds several). */
  private pendingFrames = 0;
  private readonly closeHandlers: Array<() => void> = [];
  closed = false;

  constructor(
    readonly ws: WebSocket,
    readonly socket: Socket,
    readonly options: ConnectionOptions,
  ) {
    ws.once('close', () => {
      this.closed = true;
      this.pending = [];
      this.pendingBytes = 0;
      this.pendingFrames = 0;
      for (const fn of this.closeHandlers) fn();
    });
  }

  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === WebSocket.OPEN;
  }

  get idleRule(): boolean {
    return this.options.idleRule;
  }

  /** Bytes waiting: queued here plus buffered in the socket. */
  get bufferedBytes(): number {
    return this.pendingBytes + this.socket.writableLength;
  }

  onClose(fn: () => void): void {
    this.closeHandlers.push(fn);
  }

  /** Queue a control frame (subscribed, snapshot, pong, error): never dropped, kept in order with events. */
  send(frame: object): void {
    this.push(encodeTextFrame(JSON.stringify(frame)));
  }

  /** Queue an already-encoded frame unconditionally. */
  push(encoded: Buffer): void {
    if (!this.isOpen) return;
    this.pending.push(encoded);
    this.pendingBytes += encoded.length;
    this.pendingFrames++;
    scheduleFlush(this);
  }

  /**
   * Queue a delta that may be dropped: over `maxQueueBytes` the connection goes `lagged`, its queued deltas are
   * dropped, and once the socket drains `onResync` sends a fresh snapshot. Returns false when dropped.
   * `frames` is how many frames `encoded` holds (a batch), for the metrics.
   */
  offer(encoded: Buffer, frames = 1): boolean {
    if (!this.isOpen || this.queueState === 'lagged') return this.refused(frames);
    // A single frame larger than the bound still goes out on an empty queue; otherwise it could never be delivered
    // and the connection would lag forever (a 1 MiB log line against the 1 MiB default).
    const buffered = this.bufferedBytes;
    if (buffered > 0 && buffered + encoded.length > this.options.maxQueueBytes) {
      this.lag();
      return this.refused(frames);
    }
    this.pending.push(encoded);
    this.pendingBytes += encoded.length;
    this.pendingFrames += frames;
    scheduleFlush(this);
    return true;
  }

  private refused(frames: number): false {
    if (this.options.counters && this.isOpen) this.options.counters.dropped += frames;
    return false;
  }

  private lag(): void {
    this.queueState = 'lagged';
    if (this.options.counters) this.options.counters.dropped += this.pendingFrames;
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingFrames = 0;
    const resume = () => {
      if (!this.isOpen) return;
      this.queueState = 'live';
      if (this.options.counters && this.onResync) this.options.counters.laggedSnapshots++;
      this.onResync?.();
    };
    if (this.socket.writableLength === 0) setImmediate(resume);
    else this.socket.once('drain', resume);
  }

  /**
   * Write queued frames to the socket (called by the flusher, once per tick). Several frames are joined into one
   * buffer first: one `write` (one syscall, no writev bookkeeping per frame) costs less than copying a few hundred
   * bytes, and a lone frame, often a buffer shared by every subscriber, is written as is.
   */
  flush(): void {
    if (this.pending.length === 0) return;
    const frames = this.pending;
    const bytes = this.pendingBytes;
    const count = this.pendingFrames;
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingFrames = 0;
    if (!this.isOpen) return;
    if (this.options.counters) this.options.counters.sent += count;
    this.socket.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames, bytes));
  }

  /** Send an error frame; the connection stays open. */
  sendError(err: SwitchboardError): void {
    this.send(err.toFrame());
  }

  /** Send an error frame and close with 4000 + its status (SPEC §3). */
  fail(err: SwitchboardError): void {
    this.sendError(err);
    this.close(err.closeCode, err.code);
  }

  /** Flush what is queued, then close with `code`. */
  close(code: number, reason = ''): void {
    if (this.closed) return;
    this.flush();
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close(code, reason.slice(0, 120));
    }
  }

  terminate(): void {
    this.ws.terminate();
  }
}
