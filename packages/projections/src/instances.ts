// The `instances` slice (docs/control-plane.md): supervised processes folded from the server-written `instance.*` events. It is
// the source of truth behind `GET /api/instances` and the `/ws/instances` snapshot, so it survives restarts with
// the log. It holds env keys only: env values never reach an event or a projection.

import { RESTART_POLICIES, type InstanceStatus, type InstanceSupervision, type RestartPolicy } from '@switchboard/protocol';
import { dataOf, numberField, stringField, stringsField, type Data } from './event-data';
import { compact, getRecord, putRecord, removeRecord } from './records';
import type { FleetState, SliceReducer } from './state';

/** One instance as the projection holds it. A type alias (not an interface) so it fits the opaque slice type. */
export type InstanceView = InstanceSupervision & {
  name: string;
  nickname: string | null;
  command: string;
  /** null: `command` runs through `/bin/sh -c`. */
  args: string[] | null;
  cwd: string | null;
  /** Keys of the instance's environment; the values live in a 0600 file under the data dir. */
  env_keys: string[];
  port: number | null;
  status: InstanceStatus;
  /** null unless running. */
  pid: number | null;
  /** Exit code of the last run; null while running or after a signal. */
  exit_code: number | null;
  archived_at: string | null;
  created_at: string;
  updated_at: string;
  /** When the last run became `running`. */
  started_at: string | null;
  /** The status the instance had when its node was lost, so the node coming back knows what to start again. */
  orphaned_status?: InstanceStatus | null;
};

export type Instances = Record<string, InstanceView>;

/** `instance.created` data: the instance's configuration, and the one it was cloned from. */
export type InstanceCreatedData = Pick<InstanceView, 'name' | 'nickname' | 'command' | 'args' | 'cwd' | 'env_keys' | 'port'> &
  Partial<Pick<InstanceView, 'restart' | 'stop_grace_ms'>> & {
  /** Name of the instance this one was cloned from. */
  cloned_from?: string;
};
/** `instance.updated` data: the name and only the fields that changed. */
export type InstanceUpdatedData = { name: string } & Partial<Omit<InstanceCreatedData, 'name' | 'cloned_from'>>;
/**
 * `instance.status_changed` data. `reason` says who caused it (`user`, `restart`, `exit`, `boot`, `health`,
 * `spawn_failed`, `auto_restart` with its `attempt`, `crash_loop` when automatic restarts gave up).
 */
export type InstanceStatusChangedData = {
  name: string;
  status: InstanceStatus;
  pid: number | null;
  exit_code?: number | null;
  signal?: string | null;
  reason?: string;
  attempt?: number;
  /** With `reason: "owner_lost"`: the node that died supervising the instance. */
  node_id?: string;
};
/** `instance.adopted` data (cluster mode): `node_id` supervises the instance from now on, in place of the lost `from`. */
export type InstanceAdoptedData = { name: string; node_id: string; from: string | null };
/** `instance.restart_scheduled` data: an automatic restart is pending after the run ended for `reason`. */
export type InstanceRestartScheduledData = {
  name: string;
  /** Consecutive automatic restarts since the last healthy run, this one included (sets the delay). */
  attempt: number;
  delay_ms: number;
  next_restart_at: string;
  /** Why the run ended: `exit` (with `exit_code`/`signal`), `health`, `spawn_failed`. */
  reason: string;
  exit_code?: number | null;
  signal?: string | null;
};
/** `instance.restart_cancelled` data: a pending automatic restart will not run (`reason`: `policy`). */
export type InstanceRestartCancelledData = { name: string; reason: string };

const POLICIES: ReadonlySet<string> = new Set<string>(RESTART_POLICIES);
/** Reasons of a start a person asked for: they lift a crash-loop stop and reset the restart count. */
const PERSON_STARTS: ReadonlySet<string> = new Set(['user', 'restart']);

const STATUSES: ReadonlySet<string> = new Set<InstanceStatus>(['stopped', 'starting', 'running', 'crashed']);

/**
 * Fold one `instance.*` event. `created` adds a stopped instance; `updated` merges the fields present;
 * `status_changed` sets status, pid (kept only while running), exit code, reason and the restart count and clears a
 * pending restart; `restart_scheduled`/`restart_cancelled` set or clear it; `archived`/`unarchived` set or clear
 * `archived_at`; `deleted` removes it; `adopted` moves it to another node (cluster mode). `status_changed` with
 * `reason: "owner_lost"` marks it orphaned and any later status change un-marks it. Events about an unknown instance
 * (other than `created`) change nothing.
 */
export const reduceInstances: SliceReducer<Instances> = (slice, event) => {
  const d = dataOf(event);
  const name = d && stringField(d, 'name');
  if (!d || !name) return slice;
  if (event.topic === 'instance.created') {
    return putRecord<InstanceView>(slice, name, {
      name,
      nickname: nullableString(d, 'nickname') ?? null,
      command: stringField(d, 'command') ?? '',
      args: nullableStrings(d, 'args') ?? null,
      cwd: nullableString(d, 'cwd') ?? null,
      env_keys: stringsField(d, 'env_keys') ?? [],
      port: nullablePort(d) ?? null,
      status: 'stopped',
      pid: null,
      exit_code: null,
      archived_at: null,
      created_at: event.ts,
      updated_at: event.ts,
      started_at: null,
      restart: policyField(d) ?? 'no',
      stop_grace_ms: nullableGrace(d) ?? null,
      restart_count: 0,
      next_restart_at: null,
      status_reason: null,
      ...(stringField(d, 'node_id') ? { node_id: stringField(d, 'node_id')! } : {}),
    });
  }
  const prev = getRecord(slice, name);
  if (!prev) return slice;
  switch (event.topic) {
    case 'instance.updated':
      return putRecord<InstanceView>(slice, name, {
        ...prev,
        ...compact<Partial<InstanceView>>({
          nickname: nullableString(d, 'nickname'),
          command: stringField(d, 'command'),
          args: nullableStrings(d, 'args'),
          cwd: nullableString(d, 'cwd'),
          env_keys: stringsField(d, 'env_keys'),
          port: nullablePort(d),
          restart: policyField(d),
          stop_grace_ms: nullableGrace(d),
        }),
        updated_at: event.ts,
      });
    case 'instance.status_changed': {
      const status = stringField(d, 'status');
      if (!status || !STATUSES.has(status)) return slice;
      const running = status === 'running';
      const ended = status === 'stopped' || status === 'crashed';
      const reason = stringField(d, 'reason') ?? null;
      // `?? 0`: a record saved before restart policies existed has no count.
      let restartCount = prev.restart_count ?? 0;
      if (status === 'starting' && reason === 'auto_restart') restartCount += 1;
      else if (status === 'starting' && reason !== null && PERSON_STARTS.has(reason)) restartCount = 0;
      return putRecord<InstanceView>(slice, name, {
        ...prev,
        status: status as InstanceStatus,
        pid: running ? numberField(d, 'pid') ?? null : null,
        exit_code: ended ? numberField(d, 'exit_code') ?? null : null,
        started_at: running ? event.ts : prev.started_at,
        updated_at: event.ts,
        restart_count: restartCount,
        // Any status change settles a pending restart: it ran (starting), or a person stopped the instance.
        next_restart_at: null,
        status_reason: reason,
        ...orphanFields(prev, reason, event.ts),
      });
    }
    case 'instance.adopted': {
      const node = stringField(d, 'node_id');
      if (!node) return slice;
      return putRecord<InstanceView>(slice, name, { ...prev, node_id: node, orphaned_at: null, orphaned_status: null, updated_at: event.ts });
    }
    case 'instance.restart_scheduled': {
      const at = stringField(d, 'next_restart_at');
      if (!at) return slice;
      return putRecord<InstanceView>(slice, name, { ...prev, next_restart_at: at, updated_at: event.ts });
    }
    case 'instance.restart_cancelled':
      return putRecord<InstanceView>(slice, name, { ...prev, next_restart_at: null, updated_at: event.ts });
    case 'instance.archived':
      return putRecord<InstanceView>(slice, name, { ...prev, archived_at: event.ts, updated_at: event.ts, next_restart_at: null });
    case 'instance.unarchived':
      return putRecord<InstanceView>(slice, name, { ...prev, archived_at: null, updated_at: event.ts });
    case 'instance.deleted':
      return removeRecord(slice, name);
    default:
      return slice;
  }
};

/** `reduceInstances` over the opaque slice type FleetState declares for server-owned families (for REDUCERS). */
export const instancesSliceReducer: SliceReducer<FleetState['instances']> = (slice, event) => reduceInstances(slice as Instances, event);

/** The instances slice with its view type (FleetState keeps server-owned slices opaque). */
export function instancesOf(state: Pick<FleetState, 'instances'>): Instances {
  return state.instances as Instances;
}

/**
 * `owner_lost` marks the instance orphaned, remembering the status it had (an instance already orphaned keeps the
 * first one); any other status change comes from a node supervising it, so it is no longer orphaned. Records that
 * never were orphaned (every single-node record) keep their shape.
 */
function orphanFields(prev: InstanceView, reason: string | null, ts: string): Partial<InstanceView> {
  if (reason === 'owner_lost') return { orphaned_at: prev.orphaned_at ?? ts, orphaned_status: prev.orphaned_at ? (prev.orphaned_status ?? null) : prev.status };
  return prev.orphaned_at ? { orphaned_at: null, orphaned_status: null } : {};
}

/** `data[key]` when it is a string, `null` when it is null, `undefined` otherwise (absent or wrong type). */
function nullableString(d: Data, key: string): string | null | undefined {
  return d[key] === null ? null : stringField(d, key);
}

function nullableStrings(d: Data, key: string): string[] | null | undefined {
  return d[key] === null ? null : stringsField(d, key);
}

function policyField(d: Data): RestartPolicy | undefined {
  const v = stringField(d, 'restart');
  return v !== undefined && POLICIES.has(v) ? (v as RestartPolicy) : undefined;
}

function nullableGrace(d: Data): number | null | undefined {
  if (d.stop_grace_ms === null) return null;
  const v = numberField(d, 'stop_grace_ms');
  return v !== undefined && Number.isInteger(v) && v >= 0 ? v : undefined;
}

function nullablePort(d: Data): number | null | undefined {
  if (d.port === null) return null;
  const p = numberField(d, 'port');
  return p !== undefined && Number.isInteger(p) && p > 0 && p < 65536 ? p : undefined;
}
