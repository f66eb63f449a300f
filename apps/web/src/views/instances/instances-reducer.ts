// The instances table's state, folded from `/ws/instances` frames (docs/control-plane.md). Pure.

import { getOwn, type InstanceInfo, type InstanceStatus } from '@switchboard/protocol';
import type { StreamFrame } from '@switchboard/react';

/** A row: the full instance once known; `instance_created` alone gives name, port and status. */
export type InstanceRow = Pick<InstanceInfo, 'name' | 'status' | 'pid' | 'port' | 'archived_at'> & Partial<InstanceInfo>;

export interface InstancesState {
  instances: Record<string, InstanceRow>;
  include_archived: boolean;
  /** Whether a snapshot arrived (else the table says "loading"). */
  loaded: boolean;
}

export const INITIAL_INSTANCES: InstancesState = { instances: {}, include_archived: false, loaded: false };
function put(state: InstancesState, name: string, patch: Partial<InstanceRow>): InstancesState {
  // Own keys only: `constructor` is a valid instance name.
  const prev = getOwn(state.instances, name) ?? { name, status: 'stopped' as InstanceStatus, pid: null, port: null, archived_at: null };
  return { ...state, instances: { ...state.instances, [name]: { ...prev, ...patch } } };
}

function drop(state: InstancesState, name: string): InstancesState {
  if (!Object.hasOwn(state.instances, name)) return state;
  const { [name]: _gone, ...rest } = state.instances;
  return { ...state, instances: rest };
}

/** Fold one `/ws/instances` frame. */
export function reduceInstances(state: InstancesState, f: StreamFrame): InstancesState {
  const name = typeof f.name === 'string' ? f.name : '';
  switch (f.type) {
    case 'snapshot': {
      const list = (f.instances as InstanceInfo[]) ?? [];
      return { instances: Object.fromEntries(list.map((i) => [i.name, i])), include_archived: f.include_archived === true, loaded: true };
    }
    // A status change settles a pending automatic restart (as on the server); the new count, for instances with a
    // restart policy, follows as `instance_updated`.
    case 'status_changed':
      return put(state, name, { status: f.status as InstanceStatus, pid: (f.pid as number | null) ?? null, next_restart_at: null });
    case 'instance_created':
      return put(state, name, { status: f.status as InstanceStatus, port: (f.port as number | null) ?? null, created_at: f.timestamp as string });
    case 'instance_updated':
      return put(state, name, f.instance as InstanceInfo);
    case 'instance_archived':
      return state.include_archived ? put(state, name, { archived_at: f.timestamp as string }) : drop(state, name);
    case 'instance_unarchived':
      return put(state, name, { archived_at: null, status: f.status as InstanceStatus, port: (f.port as number | null) ?? null, pid: (f.pid as number | null) ?? null });
    case 'instance_deleted':
      return drop(state, name);
    default:
      return state;
  }
}
