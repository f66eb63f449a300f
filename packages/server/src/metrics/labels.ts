// Label values with a fixed, small set of possible values. Every label value a peer could choose (a topic, a
// close code, a method, a path) goes through one of these, so a flood of distinct inputs cannot grow the metrics
// registry without bound, and no secret or event data ever becomes a label (docs/operations.md).

import { CATALOGUE_FAMILIES, ERRORS, closeCodeForStatus, familyOf } from '@switchboard/protocol';

/** The `family` label: a catalogue family by name; every other family (chosen by producers) is `custom`. */
export function familyLabel(topic: string): string {
  const family = familyOf(topic);
  return CATALOGUE_FAMILIES.has(family) ? family : 'custom';
}

/** The `stream` label of each WebSocket endpoint pattern (see StreamRegistry); an unknown pattern is `other`. */
const STREAMS: Readonly<Record<string, string>> = {
  '/ws/events': 'events',
  '/ws/agents': 'agents',
  '/ws/instances': 'instances',
  '/ws/instances/:name/logs': 'instance_logs',
  '/ws/messages': 'messages',
  '/ws/dashboard': 'dashboard',
  '/ws/sessions': 'sessions',
  '/ws/:session_id': 'plan',
};

export const STREAM_LABELS: readonly string[] = Object.values(STREAMS);

export function streamLabel(pattern: string): string {
  return Object.hasOwn(STREAMS, pattern) ? STREAMS[pattern]! : 'other';
}

/** Close codes the protocol gives a meaning: 1000–1015 and 4000 + the status of a registry error. */
const CLOSE_CODES = new Set<number>([
  ...Array.from({ length: 16 }, (_, i) => 1000 + i),
  ...Object.values(ERRORS).map((e) => closeCodeForStatus(e.status)),
]);

/** The `code` label of a WebSocket close; codes a client made up (3000–4999 are free to use) are `other`. */
export function closeCodeLabel(code: number): string {
  return CLOSE_CODES.has(code) ? String(code) : 'other';
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The `method` label; anything but the usual methods is `other`. */
export function methodLabel(method: string | undefined): string {
  return method && METHODS.has(method) ? method : 'other';
}

/** The `status` label: a three-digit HTTP status, else `other`. */
export function statusLabel(status: number): string {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : 'other';
}

/** Terminal plan statuses, the `status` label of `switchboard_plan_runs_total`. */
export const PLAN_RUN_STATUSES: readonly string[] = ['completed', 'failed', 'cancelled'];
