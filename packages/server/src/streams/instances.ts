// `/ws/instances` (docs/control-plane.md): a snapshot of the instances, then one delta per `instance.*` event, in log
// order. `instance_archived` reaches every client (so views can drop it); other deltas about an archived instance
// reach only clients that include archived ones. `set_include_archived` is answered with a fresh snapshot, and a
// client that lagged gets one (marked `reason: "lagged"`) instead of the deltas it missed.

import { SwitchboardError, type InstanceStatus, type InstancesServerFrame } from '@switchboard/protocol';
import { instancesOf, type InstanceView } from '@switchboard/projections';
import type { App } from '../app';
import type { StoredEvent } from '../store/event-store';
import { toInstanceInfo } from '../supervisor/instance-info';
import type { WsConnection } from '../ws/connection';
import { encodeTextFrame } from '../ws/frame-encoding';
import type { StreamHandler } from '../ws/stream';

interface Viewer {
  includeArchived: boolean;
}

export function registerInstancesStream(app: App): void {
  const viewers = new Map<WsConnection, Viewer>();
  // Archived names as of the last event seen, so a delta about an instance deleted while archived is still routed
  // by what it was when the event happened.
  const archived = new Set(Object.values(instancesOf(app.log.state)).filter((i) => i.archived_at).map((i) => i.name));

  app.log.onAppend((events) => {
    for (const e of events) {
      if (!e.topic.startsWith('instance.')) continue;
      const lookup = (name: string) => instanceOf(app, name);
      const delta = toDelta(e, archived, lookup);
      if (!delta || viewers.size === 0) continue;
      for (const frame of [delta.frame, restartFollowUp(e, lookup)]) {
        if (!frame) continue;
        const encoded = encodeTextFrame(JSON.stringify(frame));
        for (const [conn, v] of viewers) if (!delta.archivedOnly || v.includeArchived) conn.offer(encoded);
      }
    }
  });

  function snapshot(v: Viewer, reason?: 'lagged'): Record<string, unknown> {
    const all = Object.values(instancesOf(app.log.state));
    const instances = (v.includeArchived ? all : all.filter((i) => i.archived_at === null)).map(toInstanceInfo);
    return reason ? { type: 'snapshot', instances, include_archived: v.includeArchived, reason } : { type: 'snapshot', instances, include_archived: v.includeArchived };
  }

  const handler: StreamHandler = {
    idleRule: true,
    open(conn, { url }) {
      const q = url.searchParams.get('include_archived');
      const v: Viewer = { includeArchived: q === 'true' || q === '1' };
      viewers.set(conn, v);
      conn.onClose(() => viewers.delete(conn));
      conn.onResync = () => conn.send(snapshot(v, 'lagged'));
      conn.send(snapshot(v));
    },
    frame(conn, frame) {
      if (frame.type !== 'set_include_archived') return false;
      if (typeof frame.value !== 'boolean') {
        throw new SwitchboardError('bad_request', 'set_include_archived needs "value": true or false', { details: { field: 'value' } });
      }
      const v = viewers.get(conn)!;
      v.includeArchived = frame.value;
      // Offered like a delta: a client that is not reading gets one fresh snapshot after it drains, not a pile.
      conn.offer(encodeTextFrame(JSON.stringify(snapshot(v))));
      return true;
    },
  };
  app.streams.add('/ws/instances', handler);
}

function instanceOf(app: App, name: string): InstanceView | undefined {
  const all = instancesOf(app.log.state);
  return Object.hasOwn(all, name) ? all[name] : undefined;
}

/** The control-plane frame for an `instance.*` event, and whether only clients including archived ones get it. */
export function toDelta(
  e: Pick<StoredEvent, 'topic' | 'ts' | 'data'>,
  archived: Set<string>,
  lookup: (name: string) => InstanceView | undefined,
): { frame: InstancesServerFrame; archivedOnly: boolean } | null {
  const d = (e.data ?? {}) as Record<string, unknown>;
  const name = typeof d.name === 'string' ? d.name : null;
  if (!name) return null;
  const wasArchived = archived.has(name);
  const timestamp = e.ts;
  switch (e.topic) {
    case 'instance.created':
      archived.delete(name);
      return { frame: { type: 'instance_created', name, port: numOrNull(d.port), status: 'stopped', timestamp }, archivedOnly: false };
    case 'instance.status_changed': {
      const status = d.status as InstanceStatus;
      return { frame: { type: 'status_changed', name, status, pid: numOrNull(d.pid), timestamp }, archivedOnly: wasArchived };
    }
    case 'instance.archived':
      archived.add(name);
      return { frame: { type: 'instance_archived', name, timestamp }, archivedOnly: false };
    case 'instance.unarchived': {
      archived.delete(name);
      const inst = lookup(name);
      return {
        frame: { type: 'instance_unarchived', name, status: inst?.status ?? 'stopped', port: inst?.port ?? null, pid: inst?.pid ?? null, timestamp },
        archivedOnly: false,
      };
    }
    case 'instance.deleted':
      archived.delete(name);
      return { frame: { type: 'instance_deleted', name, timestamp }, archivedOnly: wasArchived };
    // Restart bookkeeping has no control-plane frame: the whole instance carries `next_restart_at`.
    case 'instance.restart_scheduled':
    case 'instance.restart_cancelled':
    case 'instance.adopted':
    case 'instance.updated': {
      const inst = lookup(name);
      if (!inst) return null;
      return { frame: { type: 'instance_updated', name, instance: toInstanceInfo(inst), timestamp }, archivedOnly: wasArchived };
    }
    default:
      return null;
  }
}

/** Status reasons of a cluster node lost or back: the follow-up carries `orphaned_at` and `node_id`. */
const ORPHAN_REASONS: ReadonlySet<string> = new Set(['owner_lost', 'owner_back', 'adopted']);

/**
 * After a `status_changed` of an instance with a restart policy (or automatic restarts behind it, or whose cluster
 * node was lost, came back or was replaced), the whole instance follows as `instance_updated`, so views get
 * `restart_count`, `status_reason`, `orphaned_at` and the cleared `next_restart_at` while the control-plane
 * `status_changed` frame keeps its exact fields.
 */
export function restartFollowUp(e: Pick<StoredEvent, 'topic' | 'ts' | 'data'>, lookup: (name: string) => InstanceView | undefined): InstancesServerFrame | null {
  if (e.topic !== 'instance.status_changed') return null;
  const name = (e.data as { name?: unknown } | null)?.name;
  const inst = typeof name === 'string' ? lookup(name) : undefined;
  const reason = (e.data as { reason?: unknown } | null)?.reason;
  const orphaning = typeof reason === 'string' && ORPHAN_REASONS.has(reason);
  if (!inst || ((inst.restart ?? 'no') === 'no' && !inst.restart_count && !orphaning)) return null;
  return { type: 'instance_updated', name: inst.name, instance: toInstanceInfo(inst), timestamp: e.ts };
}

function numOrNull(v: unknown): number | null {
  return typeof v === 'number' ? v : null;
}
