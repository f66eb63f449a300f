// The API view of an instance (REST answers and the `/ws/instances` snapshot): the projection's record with its
// env keys shown as masked values. Env values are not even available here; they never leave env.json.

import { ENV_VALUE_MASK, setOwn, type InstanceInfo } from '@switchboard/protocol';
import type { InstanceView } from '@switchboard/projections';

export function toInstanceInfo(v: InstanceView): InstanceInfo {
  const env: Record<string, string> = {};
  for (const k of v.env_keys) setOwn(env, k, ENV_VALUE_MASK);
  return {
    name: v.name,
    nickname: v.nickname,
    status: v.status,
    pid: v.pid,
    port: v.port,
    archived_at: v.archived_at,
    command: v.command,
    args: v.args,
    cwd: v.cwd,
    env,
    exit_code: v.exit_code,
    created_at: v.created_at,
    updated_at: v.updated_at,
    started_at: v.started_at,
    // Defaults for a record saved before restart policies existed.
    restart: v.restart ?? 'no',
    stop_grace_ms: v.stop_grace_ms ?? null,
    restart_count: v.restart_count ?? 0,
    next_restart_at: v.next_restart_at ?? null,
    status_reason: v.status_reason ?? null,
    // Cluster mode only, so single-node answers keep their control-plane shape.
    ...(v.node_id !== undefined ? { node_id: v.node_id, orphaned_at: v.orphaned_at ?? null } : {}),
  };
}
