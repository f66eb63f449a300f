// One server-side WebSocket connection, shared by every stream: an ordered outbound queue of pre-encoded frames
// flushed once per tick (one write per socket), bounded bytes in flight, the lag rule (docs/protocol.md#shared-websocket-rules), error frames
// with their close codes, and the bookkeeping the heartbeat needs.
//
// Bytes in flight (docs/protocol.md, "Slow consumers"): everything handed to the socket sits in Node's buffer, the
// kernel's and the peer's until the peer reads it, and a loopback socket absorbs megabytes before Node's own buffer
// grows. So the connection counts bytes written and learns how far the peer has read from protocol pings whose
// payload is the byte offset they follow (every peer answers a ping with a pong carrying the same payload, once it
// has read everything before it). Past `maxInFlightBytes` unread, frames wait in the application queue, where the
// lag rule sees them and can drop them; a slow reader is never more than that far behind what it was sent.

import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { SwitchboardError } from '@switchboard/protocol';
import type { Principal } from '../auth/principal';
import { encodeTextFrame, encodePingFrame } from './frame-encoding';
import { coarseNow, scheduleFlush } from './flusher';
import type { FrameCounters } from '../metrics/counters';

/** Unread bytes a connection may have outstanding before frames wait in its queue. @default 128 KiB */
export const DEFAULT_MAX_IN_FLIGHT_BYTES = 128 * 1024;
/** A progress probe (offset ping) after this many bytes written since the last one. @default 32 KiB */
export const PROBE_EVERY_BYTES = 32 * 1024;
/** Frames waiting this long for an unread peer make the connection lagged, whatever their size. @default 1500 */
export const DEFAULT_MAX_BLOCKED_MS = 1500;

let nextId = 1;

export type QueueState = 'live' | 'lagged';

export interface ConnectionOptions {
  /** Queued plus unread bytes over this make the connection lagged. */
  maxQueueBytes: number;
  /** @default DEFAULT_MAX_IN_FLIGHT_BYTES */
  maxInFlightBytes?: number;
  /** @default DEFAULT_MAX_BLOCKED_MS */
  maxBlockedMs?: number;
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
  /** When the presented token expires; the heartbeat closes the connection with 4401 then (docs/security.md). */
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
  /** Frames in each `pending` entry (a shared batch buffer holds several), and their sum, for the metrics. */
  private pendingCounts: number[] = [];
  private pendingFrames = 0;
  /** Bytes handed to the socket, and the offset of the last probe the peer answered (what it has read). */
  private written = 0;
  private acked = 0;
  /** The offset the last probe followed. */
  private probedAt = 0;
  /** The last frame let through over the bound, and the offset the peer must read past for it to stop counting. */
  private oversize = 0;
  private oversizeUntil = 0;
  /** Since when (coarse ms) frames wait because the peer has not read enough; 0 while the way is open. */
  private blockedSince = 0;
  private readonly maxInFlight: number;
  private readonly probeEvery: number;
  private readonly maxBlockedMs: number;
  private readonly closeHandlers: Array<() => void> = [];
  closed = false;

  constructor(
    readonly ws: WebSocket,
    readonly socket: Socket,
    readonly options: ConnectionOptions,
  ) {
    // A small queue bound (tests, tiny devices) gets a proportionally small window, so the bound still decides.
    this.maxInFlight = options.maxInFlightBytes ?? Math.min(DEFAULT_MAX_IN_FLIGHT_BYTES, Math.max(16 * 1024, Math.floor(options.maxQueueBytes / 2)));
    this.probeEvery = Math.min(PROBE_EVERY_BYTES, Math.floor(this.maxInFlight / 4));
    this.maxBlockedMs = options.maxBlockedMs ?? DEFAULT_MAX_BLOCKED_MS;
    ws.once('close', () => {
      this.closed = true;
      this.clearQueue();
      for (const fn of this.closeHandlers) fn();
    });
  }

  get isOpen(): boolean {
    return !this.closed && this.ws.readyState === WebSocket.OPEN;
  }

  get idleRule(): boolean {
    return this.options.idleRule;
  }

  /** Bytes written and not yet read by the peer (as far as its last answered probe tells). */
  get inFlightBytes(): number {
    return Math.max(this.written - this.acked, this.socket.writableLength);
  }

  /** Bytes waiting: queued here plus handed to the socket and not yet read by the peer. */
  get bufferedBytes(): number {
    return this.pendingBytes + this.inFlightBytes;
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
    this.enqueue(encoded, 1);
  }

  private enqueue(encoded: Buffer, frames: number): void {
    this.pending.push(encoded);
    this.pendingBytes += encoded.length;
    this.pendingCounts.push(frames);
    this.pendingFrames += frames;
    scheduleFlush(this);
  }

  private clearQueue(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingCounts = [];
    this.pendingFrames = 0;
  }

  /**
   * Queue a delta that may be dropped: when queued plus unread bytes pass `maxQueueBytes` (or frames waited too long
   * for the peer, see `flush`) the connection goes `lagged`, its queued deltas are dropped, and once the peer has read
   * nearly everything it was sent `onResync` sends a fresh snapshot. Returns false when dropped. `frames` is how many
   * frames `encoded` holds (a batch), for the metrics.
   */
  offer(encoded: Buffer, frames = 1): boolean {
    if (!this.isOpen || this.queueState === 'lagged') return this.refused(frames);
    const queued = this.pendingBytes;
    const inFlight = this.inFlightBytes;
    const slack = this.acked < this.oversizeUntil ? this.oversize : 0;
    if (queued + inFlight + encoded.length > this.options.maxQueueBytes + slack) {
      if (queued > 0 || inFlight > this.lowWater) {
        this.lag();
        return this.refused(frames);
      }
      // A single frame larger than the bound still goes out to a connection with nothing queued and little unread,
      // or it could never be delivered (a 1 MiB log line against the 1 MiB default); until the peer has read it,
      // it does not count against the bound for the frames after it.
      this.oversize = encoded.length;
      this.oversizeUntil = this.written + encoded.length;
    }
    this.enqueue(encoded, frames);
    return true;
  }

  private refused(frames: number): false {
    if (this.options.counters && this.isOpen) this.options.counters.dropped += frames;
    return false;
  }

  private lag(): void {
    this.queueState = 'lagged';
    if (this.options.counters) this.options.counters.dropped += this.pendingFrames;
    this.clearQueue();
    this.blockedSince = 0;
    // The fresh snapshot goes out once the peer has read all but a little of what it was sent (a low-water mark,
    // not the whole buffer), so it is recent when it arrives. Ask where the peer is now.
    if (this.inFlightBytes <= this.lowWater) setImmediate(() => this.resume());
    else this.probe();
  }

  private get lowWater(): number {
    return this.maxInFlight / 4;
  }

  private resume(): void {
    if (!this.isOpen || this.queueState !== 'lagged') return;
    this.queueState = 'live';
    if (this.options.counters && this.onResync) this.options.counters.laggedSnapshots++;
    this.onResync?.();
  }

  /**
   * A pong: its payload is the offset of the probe it answers (the heartbeat's pings are probes too), so the peer
   * has read everything before it. Pongs of other pings, or with junk payloads, only prove the peer is alive.
   */
  onPong(payload: Buffer): void {
    this.isAlive = true;
    if (payload.length === 0 || payload.length > 16) return;
    const offset = Number(payload.toString('latin1'));
    if (!Number.isSafeInteger(offset) || offset <= this.acked || offset > this.written) return;
    this.acked = offset;
    if (this.queueState === 'lagged') {
      if (this.inFlightBytes <= this.lowWater) this.resume();
      else if (this.probedAt <= offset) this.probe();
      return;
    }
    if (this.pending.length > 0 && this.inFlightBytes < this.maxInFlight) scheduleFlush(this);
  }

  /**
   * Write a probe now, ahead of anything queued: a protocol ping whose payload is the offset it follows. The
   * heartbeat pings through here, so a ping never waits behind queued frames, only behind the bounded bytes in
   * flight.
   */
  probe(): void {
    if (!this.isOpen) return;
    const frame = encodePingFrame(String(this.written));
    this.probedAt = this.written;
    this.written += frame.length;
    this.socket.write(frame);
  }

  /**
   * Write queued frames to the socket (called by the flusher, once per tick), as far as the in-flight bound allows
   * (`all`: everything, before a close).
   * Several frames are joined into one buffer first: one `write` (one syscall, no writev bookkeeping per frame)
   * costs less than copying a few hundred bytes, and a lone frame, often a buffer shared by every subscriber, is
   * written as is.
   */
  flush(all = false): void {
    if (this.pending.length === 0) return;
    if (!this.isOpen) {
      this.clearQueue();
      return;
    }
    const room = all ? Infinity : this.maxInFlight - this.inFlightBytes;
    if (room <= 0) {
      this.blocked();
      return;
    }
    this.blockedSince = 0;
    let frames = this.pending;
    let bytes = this.pendingBytes;
    let count = this.pendingFrames;
    if (bytes <= room) {
      this.clearQueue();
    } else {
      // Only what fits (at least one frame); the rest waits for the peer to read.
      let n = 0;
      let taken = 0;
      count = 0;
      while (n < frames.length && (n === 0 || taken + frames[n]!.length <= room)) {
        taken += frames[n]!.length;
        count += this.pendingCounts[n]!;
        n++;
      }
      this.pending = frames.slice(n);
      this.pendingCounts = this.pendingCounts.slice(n);
      this.pendingBytes = bytes - taken;
      this.pendingFrames -= count;
      frames = frames.slice(0, n);
      bytes = taken;
    }
    if (this.options.counters) this.options.counters.sent += count;
    // A probe every `probeEvery` bytes, or whenever frames are left waiting with none outstanding (its pong is what
    // reopens the way); it rides in the same write.
    const end = this.written + bytes;
    if (end - this.probedAt >= this.probeEvery || (this.pending.length > 0 && this.probedAt <= this.acked)) {
      const ping = encodePingFrame(String(end));
      frames.push(ping);
      bytes += ping.length;
      this.probedAt = end;
    }
    this.socket.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames, bytes));
    this.written += bytes;
  }

  /** Frames wait for the peer: lagged when that has lasted too long, else make sure a probe will reopen the way. */
  private blocked(): void {
    const now = coarseNow();
    if (this.blockedSince === 0) this.blockedSince = now;
    else if (now - this.blockedSince > this.maxBlockedMs && this.queueState === 'live') return this.lag();
    if (this.probedAt <= this.acked) this.probe();
  }

  /** Send an error frame; the connection stays open. */
  sendError(err: SwitchboardError): void {
    this.send(err.toFrame());
  }

  /** Send an error frame and close with 4000 + its status (docs/protocol.md#shared-websocket-rules). */
  fail(err: SwitchboardError): void {
    this.sendError(err);
    this.close(err.closeCode, err.code);
  }

  /** Flush everything queued (the error frame before a close must not wait for the window), then close with `code`. */
  close(code: number, reason = ''): void {
    if (this.closed) return;
    this.flush(true);
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close(code, reason.slice(0, 120));
    }
  }

  terminate(): void {
    this.ws.terminate();
  }
}
