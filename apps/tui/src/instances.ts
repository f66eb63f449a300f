// The instances view's data (docs/control-plane.md "Restart policies"): `/ws/instances` frames folded into one
// record per instance, the rows the view lists, and the countdown to a pending automatic restart. Pure.

import { getOwn, type InstanceInfo, type InstanceStatus } from '@switchboard/protocol';

/** An instance as far as known: `instance_created` alone gives name, port and status; a snapshot gives everything. */
export type InstanceRecord = Pick<InstanceInfo, 'name' | 'status' | 'pid' | 'port'> & Partial<InstanceInfo>;

export interface InstancesState {
  instances: Readonly<Record<string, InstanceRecord>>;
  /** A snapshot arrived (until then the view says "loading"). */
  loaded: boolean;
}

export const INITIAL_INSTANCES: InstancesState = { instances: {}, loaded: false };

/** A `/ws/instances` frame, as the stream delivers it. */
export type InstancesFrame = { type: string } & Record<string, unknown>;

function put(state: InstancesState, name: string, patch: Partial<InstanceRecord>): InstancesState {
  // Own keys only: `constructor` is a valid instance name.
  const prev = getOwn(state.instances, name) ?? { name, status: 'stopped' as InstanceStatus, pid: null, port: null };
  return { ...state, instances: { ...state.instances, [name]: { ...prev, ...patch } } };
}

function drop(state: InstancesState, name: string): InstancesState {
  if (!Object.hasOwn(state.instances, name)) return state;
  const { [name]: _gone, ...rest } = state.instances;
  return { ...state, instances: rest };
}

/** Fold one `/ws/instances` frame (docs/protocol.md); unknown frames leave the state as it is. Archived instances are not asked for, so archiving one removes it. */
export function reduceInstances(state: InstancesState, f: InstancesFrame): InstancesState {
  const name = typeof f.name === 'string' ? f.name : '';
  switch (f.type) {
    case 'snapshot': {
      const list = Array.isArray(f.instances) ? (f.instances as InstanceInfo[]) : [];
      return { instances: Object.fromEntries(list.map((i) => [i.name, i])), loaded: true };
    }
    // A status change settles a pending automatic restart, as on the server; a new count or a new pending restart
    // follows as `instance_updated`.
    case 'status_changed':
      return put(state, name, { status: f.status as InstanceStatus, pid: (f.pid as number | null) ?? null, next_restart_at: null });
    case 'instance_created':
      return put(state, name, { status: f.status as InstanceStatus, port: (f.port as number | null) ?? null });
    case 'instance_updated':
    case 'instance_unarchived':
      return f.instance && typeof f.instance === 'object'
        ? put(state, name, f.instance as InstanceInfo)
        : put(state, name, { status: f.status as InstanceStatus, port: (f.port as number | null) ?? null, pid: (f.pid as number | null) ?? null });
    case 'instance_archived':
    case 'instance_deleted':
      return drop(state, name);
    default:
      return state;
  }
}

/**
 * Fill in what `instance_created` leaves out (policy, command…) from a REST read, without overwriting anything a
 * frame already set: frames that arrived while the read was under way are newer than it.
 */
export function fillInstance(state: InstancesState, info: InstanceInfo): InstancesState {
  const prev = getOwn(state.instances, info.name);
  if (!prev) return state;
  const missing = Object.fromEntries(Object.entries(info).filter(([k]) => (prev as Record<string, unknown>)[k] === undefined));
  return Object.keys(missing).length === 0 ? state : { ...state, instances: { ...state.instances, [info.name]: { ...prev, ...missing } } };
}

export interface InstanceRow {
  name: string;
  status: InstanceStatus;
  /** Why the status last changed when it matters to a person: `crash_loop`, `owner_lost`, `spawn_failed`…; else ''. */
  reason: string;
  /** `no`, `on-failure`, `always`; '' while not known yet. */
  restart: string;
  restartCount: number;
  /** Epoch ms of the pending automatic restart, or null. */
  nextRestartAt: number | null;
  pid: number | null;
  port: number | null;
  exitCode: number | null;
  command: string;
}

/** Reasons that only say what a person or the supervisor just did; the status alone tells the story. */
const ROUTINE_REASONS = new Set(['user', 'restart', 'exit', 'boot', 'auto_restart', 'owner_back', 'adopted']);

/** Rows in name order. */
export function instanceRows(state: InstancesState): InstanceRow[] {
  return Object.values(state.instances)
    .map((i) => {
      const at = i.next_restart_at ? Date.parse(i.next_restart_at) : NaN;
      return {
        name: i.name,
        status: i.status,
        reason: i.status_reason && !ROUTINE_REASONS.has(i.status_reason) ? i.status_reason : '',
        restart: i.restart ?? '',
        restartCount: i.restart_count ?? 0,
        nextRestartAt: Number.isNaN(at) ? null : at,
        pid: i.pid ?? null,
        port: i.port ?? null,
        exitCode: i.exit_code ?? null,
        command: i.command ?? '',
      };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `in 12s`, `in 3m`, or `now` once due: when the pending automatic restart runs, counted from `now`. */
export function restartCountdown(at: number, now: number): string {
  const s = Math.ceil((at - now) / 1000);
  if (!(s > 0)) return 'now';
  return s < 60 ? `in ${s}s` : `in ${Math.ceil(s / 60)}m`;
}
