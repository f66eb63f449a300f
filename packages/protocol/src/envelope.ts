// The event envelope stored in the log and the frame it travels in on `/ws/events`.

/** One event of the log (docs/protocol.md#events). */
export interface EventEnvelope<D = unknown> {
  seq: number;
  id: string;
  topic: string;
  /** ISO 8601 UTC timestamp assigned by the server. */
  ts: string;
  data: D;
}

/** What a producer sends: `POST /api/events` body or SDK `publish()`. */
export interface EventInput<D = unknown> {
  topic: string;
  data: D;
}

/** `/ws/events` frame of an event: its `type` is the topic (docs/protocol.md#wsevents-and-wsagents). */
export interface EventFrame<D = unknown> {
  type: string;
  seq: number;
  ts: string;
  data: D;
}

export function toEventFrame<D>(e: EventEnvelope<D>): EventFrame<D> {
  return { type: e.topic, seq: e.seq, ts: e.ts, data: e.data };
}
