// REST of supervised instances (docs/control-plane.md): list, create, read, PATCH, delete, the lifecycle actions and the log
// tail. Every answer shows env keys with masked values.

import { DEFAULT_LOG_TAIL, MAX_LOG_TAIL, SwitchboardError } from '@switchboard/protocol';
import type { App } from '../app';
import { requireInstance } from '../auth/scope';
import { readTailOfLog } from '../logs/tail-reader';
import { toInstanceInfo } from '../supervisor/instance-info';
import { parseAdoptBody, parseCreateBody } from '../supervisor/instance-spec';
import type { Supervisor } from '../supervisor/supervisor';

/** Most bytes `?tail=N` reads back. @default 16 MiB */
const MAX_TAIL_BYTES = 16 * 1024 * 1024;

export function registerInstancesApi(app: App, supervisor: Supervisor): void {
  const { router } = app;

  router.get('/api/instances', (req) => {
    const includeArchived = flag(req.query.get('include_archived'), 'include_archived');
    return { body: { instances: supervisor.list(includeArchived).map(toInstanceInfo), include_archived: includeArchived } };
  });

  router.post('/api/instances', async (req) => {
    const spec = parseCreateBody(await req.body());
    requireInstance(req.principal, spec.name);
    return { status: 201, body: toInstanceInfo(await supervisor.create(spec)) };
  });

  router.get('/api/instances/:name', (req) => ({ body: toInstanceInfo(supervisor.require(req.params.name!)) }));

  /** The lifecycle actions, run here on the node that supervises the instance. */
  const runLocal = async (action: InstanceAction, name: string, body: unknown): Promise<Answer> => {
    switch (action) {
      case 'update':
        return { body: toInstanceInfo(await supervisor.update(name, body)) };
      case 'delete':
        await supervisor.delete(name);
        return { body: { deleted: name } };
      case 'clone':
        return { status: 201, body: toInstanceInfo(await supervisor.clone(name, body)) };
      default:
        return { body: toInstanceInfo(await supervisor[action](name)) };
    }
  };

  // Cluster mode (docs/architecture.md#cluster-mode): an action on an instance another node supervises is sent to that node through Redis,
  // which answers as if it had been asked directly.
  const { cluster } = app;
  cluster?.handle('instance', (payload) => {
    const { action, name, body } = payload as { action: InstanceAction; name: string; body: unknown };
    return runLocal(action, name, body);
  });
  // Long enough for the owner to stop the instance with its own grace (a restart or delete may wait for it).
  const forwardTimeoutMs = (name: string) => Math.max(app.config.stopGraceMs, supervisor.get(name)?.stop_grace_ms ?? 0) * 2 + 10_000;

  /**
   * Take over an orphaned instance here, once more sure its node is dead: a node whose heartbeat is back reclaims it
   * (docs/architecture.md "Instances of a node that died").
   */
  const adopt = async (name: string, env: Record<string, string>, start: boolean): Promise<Answer> => {
    if (!cluster) throw new SwitchboardError('invalid_state', 'Adopting an instance needs cluster mode (docs/architecture.md#cluster-mode): on a single node this node supervises every instance');
    const inst = supervisor.require(name);
    const owner = supervisor.ownerOf(name);
    if (inst.orphaned_at && owner !== undefined && owner !== cluster.nodeId) {
      const alive = await cluster.nodeAlive(owner);
      if (alive === undefined) throw new SwitchboardError('unavailable', `this node cannot tell yet whether node '${owner}' is alive; retry`, { details: { retry_after_s: 1 } });
      if (alive) throw new SwitchboardError('invalid_state', `Instance '${name}' is supervised by node '${owner}', which is alive again`);
    }
    return { body: toInstanceInfo(await supervisor.adopt(name, env, start)) };
  };

  const act = async (action: InstanceAction, name: string, body?: unknown): Promise<Answer> => {
    const orphan = cluster ? supervisor.get(name) : undefined;
    if (orphan?.orphaned_at && !supervisor.isOwned(name)) {
      // A control-plane client knows only start: on an orphan it adopts (when no env value is needed).
      if (action === 'start' || action === 'restart') return adopt(name, {}, true);
      throw new SwitchboardError(
        'invalid_state',
        `Instance '${name}' lost its node '${supervisor.ownerOf(name) ?? 'unknown'}'; adopt it first (POST /api/instances/${name}/adopt)`,
      );
    }
    if (cluster && supervisor.get(name) && !supervisor.isOwned(name)) {
      const owner = supervisor.ownerOf(name);
      // An owner this node never saw named (its instance.created was compacted away) gets the 409 of requireOwned.
      if (owner !== undefined && owner !== cluster.nodeId) {
        return (await cluster.request(owner, 'instance', { action, name, body }, forwardTimeoutMs(name))) as Answer;
      }
    }
    return runLocal(action, name, body);
  };

  router.patch('/api/instances/:name', async (req) => {
    supervisor.require(req.params.name!);
    return act('update', req.params.name!, await req.body());
  });

  router.delete('/api/instances/:name', (req) => act('delete', req.params.name!));

  for (const action of ['start', 'stop', 'restart', 'archive', 'unarchive'] as const) {
    router.post(`/api/instances/:name/${action}`, (req) => act(action, req.params.name!));
  }

  router.post('/api/instances/:name/adopt', async (req) => {
    const hasBody = (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0') || req.headers['transfer-encoding'] !== undefined;
    const spec = parseAdoptBody(hasBody ? await req.body() : undefined);
    return adopt(req.params.name!, spec.env, spec.start);
  });

  router.post('/api/instances/:name/clone', async (req) => {
    supervisor.require(req.params.name!);
    // The source name was checked with the route (auth/route-roles.ts); the new one is in the body.
    const body = await req.body();
    const target = (body as { name?: unknown } | null)?.name;
    if (typeof target === 'string') requireInstance(req.principal, target);
    return act('clone', req.params.name!, body);
  });

  const readLogs = async (name: string, tail: number) => {
    const lines = await readTailOfLog(supervisor.paths(name).log, tail, MAX_TAIL_BYTES);
    return { name, lines, count: lines.length };
  };
  // The output log is a file in the owner's data dir: another node asks the owner for the tail rather than answer
  // an empty one.
  cluster?.handle('instance-logs', (payload) => {
    const { name, tail } = payload as { name: string; tail: number };
    supervisor.require(name);
    if (!supervisor.isOwned(name)) throw new SwitchboardError('invalid_state', `Instance '${name}' is not supervised by node '${cluster.nodeId}'`);
    return readLogs(name, tail);
  });

  router.get('/api/instances/:name/logs', async (req) => {
    const name = req.params.name!;
    supervisor.require(name);
    const tail = intParam(req.query.get('tail'), 'tail', DEFAULT_LOG_TAIL, MAX_LOG_TAIL);
    if (cluster && !supervisor.isOwned(name)) {
      const owner = supervisor.ownerOf(name);
      if (owner === undefined || owner === cluster.nodeId) {
        throw new SwitchboardError('invalid_state', `Instance '${name}' is supervised by another node, whose logs this node cannot reach`);
      }
      return { body: await cluster.request(owner, 'instance-logs', { name, tail }, forwardTimeoutMs(name)) };
    }
    return { body: await readLogs(name, tail) };
  });
}

type InstanceAction = 'update' | 'delete' | 'clone' | 'start' | 'stop' | 'restart' | 'archive' | 'unarchive';

interface Answer {
  status?: number;
  body: unknown;
}

function flag(value: string | null, field: string): boolean {
  if (value === null || value === '' || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new SwitchboardError('validation_failed', `${field} must be true or false`, { details: { field } });
}

function intParam(value: string | null, field: string, fallback: number, max: number): number {
  if (value === null || value === '') return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n > max) {
    throw new SwitchboardError('validation_failed', `${field} must be an integer from 0 to ${max}`, { details: { field } });
  }
  return n;
}
