// Defensive readers of event data. Projections also fold events that never met the catalogue check (custom
// producers of older logs, a client fed by a newer server), so a field of the wrong type counts as absent.

import type { ProjectedEvent } from './state';

/** Event data viewed as a plain object. */
export type Data = Readonly<Record<string, unknown>>;

/** The event's `data` when it is a plain object, else `undefined`. */
export function dataOf(event: ProjectedEvent): Data | undefined {
  const d = event.data;
  return typeof d === 'object' && d !== null && !Array.isArray(d) ? (d as Data) : undefined;
}

/** `data.id` when it is a non-empty string: every catalogue record is keyed by it. */
export function idOf(d: Data): string | undefined {
  const id = d.id;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

/** `data[key]` when it is a string. */
export function stringField(d: Data, key: string): string | undefined {
  const v = d[key];
  return typeof v === 'string' ? v : undefined;
}

/** `data[key]` when it is a finite number (NaN and Infinity would poison sums for good). */
export function numberField(d: Data, key: string): number | undefined {
  const v = d[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** `data[key]` as the strings of an array, or `undefined` when it is not an array. */
export function stringsField(d: Data, key: string): string[] | undefined {
  const v = d[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}
