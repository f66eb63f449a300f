// The resume cursor of `switchboard tail` on `/ws/events` (docs/protocol.md#wsevents-and-wsagents): which frames to print, and the `since` to
// resubscribe with after a reconnect, so the printed stream has no gap and no duplicate.

import type { Cursor, SubscribeFrame } from '@switchboard/protocol';

/** Frame types the server sends on `/ws/events` besides events (whose `type` is their topic). */
const CONTROL_TYPES = new Set(['subscribed', 'unsubscribed', 'snapshot', 'error', 'pong']);

export interface ResumeTracker {
  /** The subscribe frame for a (re)connect: `since` is the last printed position once one is known. */
  subscribeFrame(topics: string[]): SubscribeFrame;
  /**
   * `url` with the subscription in its query string (`topics`, and `since_epoch`/`since_seq` once a position is
   * known; a seq alone means "in the server's current epoch"). Topics already in the URL win unless `topics` is given.
   */
  subscribeUrl(url: string, topics: string[] | undefined): string;
  /** Whether to print `frame`; advances the cursor past printed events and snapshots. */
  accept(frame: unknown): boolean;
  /** Current cursor, if any. */
  cursor(): Partial<Cursor>;
}

/**
 * Track what has been printed. `start` is the cursor from `--epoch`/`--since`, when given.
 * Pongs are not printed: they answer the tail's own keepalive pings.
 */
export function createResumeTracker(start: Partial<Cursor> = {}): ResumeTracker {
  let epoch = start.epoch;
  let seq = start.seq;
  return {
    subscribeFrame(topics) {
      const frame: SubscribeFrame = { type: 'subscribe', topics };
      if (epoch !== undefined && seq !== undefined) frame.since = { epoch, seq };
      return frame;
    },
    subscribeUrl(url, topics) {
      const u = new URL(url);
      if (topics) u.searchParams.set('topics', topics.join(','));
      else if (!u.searchParams.has('topics')) u.searchParams.set('topics', '*');
      u.searchParams.delete('since');
      u.searchParams.delete('since_epoch');
      u.searchParams.delete('since_seq');
      if (seq !== undefined) {
        if (epoch !== undefined) u.searchParams.set('since_epoch', epoch);
        u.searchParams.set('since_seq', String(seq));
      }
      return u.toString();
    },
    accept(frame) {
      if (typeof frame !== 'object' || frame === null) return true;
      const f = frame as { type?: unknown; seq?: unknown; epoch?: unknown };
      if (f.type === 'pong') return false;
      if (f.type === 'subscribed') {
        if (typeof f.epoch === 'string' && f.epoch !== epoch) {
          // Another log (reset or replaced): old seqs mean nothing; the snapshot that follows sets the cursor.
          epoch = f.epoch;
          seq = undefined;
        }
        return true;
      }
      if (f.type === 'snapshot') {
        if (typeof f.epoch === 'string') epoch = f.epoch;
        if (typeof f.seq === 'number') seq = f.seq;
        return true;
      }
      if (typeof f.type === 'string' && !CONTROL_TYPES.has(f.type) && typeof f.seq === 'number') {
        if (seq !== undefined && f.seq <= seq) return false; // replayed after a resume: already printed
        seq = f.seq;
      }
      return true;
    },
    cursor: () => ({ epoch, seq }),
  };
}
