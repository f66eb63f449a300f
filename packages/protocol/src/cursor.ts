// A resume cursor: the (epoch, seq) of the last event a client applied (docs/protocol.md#events).

export interface Cursor {
  /** Opaque log identity; changes only when the log is lost, reset or replaced. */
  epoch: string;
  /** Last applied sequence number within `epoch`. */
  seq: number;
}

export function isCursor(value: unknown): value is Cursor {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.epoch === 'string' && Number.isSafeInteger(v.seq) && (v.seq as number) >= 0;
}
