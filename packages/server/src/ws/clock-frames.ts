// The two frames behind end-to-end freshness (docs/protocol.md, docs/operations.md): a ping that carries the
// client's clock `t` is answered with a pong that echoes it and adds the server's `server_ts`, so the SDK can
// estimate its clock offset from the round trip; a plain ping still gets the plain `{"type":"pong"}`. And the
// SDK's `freshness` report: a bounded list of its latest publish→receive figures in milliseconds.

import { encodeTextFrame } from './frame-encoding';
import type { ClientFrame } from './stream';

/** Samples taken from one report; the rest are ignored, so a report costs the server a bounded amount. */
export const MAX_FRESHNESS_SAMPLES = 256;
/** Figures above an hour are clock trouble, not freshness. */
const MAX_FRESHNESS_MS = 3_600_000;

const PLAIN_PONG = encodeTextFrame('{"type":"pong"}');

export function pongFor(ping: ClientFrame): Buffer {
  const t = ping.t;
  if (typeof t !== 'number' || !Number.isFinite(t)) return PLAIN_PONG;
  return encodeTextFrame(`{"type":"pong","t":${t},"server_ts":${Date.now()}}`);
}

/** Seconds of a `freshness` report's valid samples; null when the frame is not a report at all. */
export function freshnessSeconds(frame: ClientFrame): number[] | null {
  const samples = frame.samples_ms;
  if (!Array.isArray(samples)) return null;
  const out: number[] = [];
  for (let i = 0; i < samples.length && i < MAX_FRESHNESS_SAMPLES; i++) {
    const ms = samples[i];
    if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 && ms <= MAX_FRESHNESS_MS) out.push(ms / 1000);
  }
  return out;
}
