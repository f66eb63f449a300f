// REST of workspaces and their sessions (docs/workspaces-and-plans.md): register/remove checkouts, spawn/dispose/patch sessions,
// and `GET /api/sessions`, the workspace-dashboard workspaces array.

import { listWorkspaces, toSeedWorkspace } from '@switchboard/projections';
import { SwitchboardError } from '@switchboard/protocol';
import type { App } from '../app';
import { fieldError, objectBody, optionalString, requiredString } from '../http/body-fields';
import type { SessionPatch, WorkspaceService } from '../workspaces/workspace-service';

export function registerWorkspacesApi(app: App, service: WorkspaceService): void {
  const { router } = app;
  const list = () => ({ body: listWorkspaces(app.log.state.workspaces) });

  router.get('/api/sessions', list);
  router.get('/api/workspaces', list);

  router.post('/api/workspaces', async (req) => {
    const body = objectBody(await req.body());
    const path = requiredString(body, 'path', { max: 4096 });
    const { workspace, created } = await service.register(path);
    return { status: created ? 201 : 200, body: toSeedWorkspace(workspace) };
  });

  router.get('/api/workspaces/:id', (req) => {
    const ws = service.get(req.params.id!);
    if (!ws) throw new SwitchboardError('workspace_not_found', `no workspace ${req.params.id}`);
    return { body: toSeedWorkspace(ws) };
  });

  router.delete('/api/workspaces/:id', async (req) => {
    await service.remove(req.params.id!);
    return { status: 204 };
  });

  router.post('/api/workspaces/:id/refresh', async (req) => {
    if (!service.get(req.params.id!)) throw new SwitchboardError('workspace_not_found', `no workspace ${req.params.id}`);
    await service.refresh(req.params.id!);
    return { body: toSeedWorkspace(service.get(req.params.id!)!) };
  });

  router.post('/api/spawn', async (req) => {
    const body = objectBody(await req.body());
    const workspace_id = requiredString(body, 'workspace_id', { max: 200 });
    const target = requiredString(body, 'target', { max: 200 });
    const command = requiredString(body, 'command', { max: 64 * 1024 });
    const nickname = optionalString(body, 'nickname', { max: 200, allowEmpty: true });
    const session = await service.spawn({ workspace_id, target, command, nickname });
    return { status: 201, body: session };
  });

  router.post('/api/sessions/:id/dispose', async (req) => {
    await service.dispose(req.params.id!);
    return { body: { id: req.params.id, status: 'disposed' } };
  });

  router.patch('/api/sessions/:id', async (req) => {
    const body = objectBody(await req.body());
    const patch: SessionPatch = {};
    for (const key of ['nickname', 'nudge_state', 'nudge_summary'] as const) {
      const v = optionalString(body, key, { max: key === 'nudge_summary' ? 4096 : 200, allowEmpty: true });
      if (v !== undefined) patch[key] = v;
    }
    if (Object.keys(patch).length === 0) throw fieldError('body', 'must set at least one of nickname, nudge_state, nudge_summary');
    return { body: service.updateSession(req.params.id!, patch) };
  });
}
