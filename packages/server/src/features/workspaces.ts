// Feature: workspaces and their sessions (SPEC §7, seed 003): REST, the git refresh loop and `/ws/dashboard`.

import type { Feature } from '../app';
import { registerWorkspacesApi } from '../routes/workspaces';
import { registerDashboardStream } from '../streams/dashboard';
import { ProcessSessionRunner } from '../workspaces/session-runner';
import { WorkspaceService } from '../workspaces/workspace-service';

export const workspacesFeature: Feature = (app) => {
  // TODO(issue 3): run sessions as supervised instances once the supervisor lands (see session-runner.ts).
  const runner = new ProcessSessionRunner({ dataDir: app.config.dataDir, killGraceMs: app.config.stopGraceMs });
  const service = new WorkspaceService({
    log: app.log,
    runner,
    gitIntervalMs: Math.max(50, app.config.gitIntervalSeconds * 1000),
    logLine: app.logLine,
  });
  registerWorkspacesApi(app, service);
  registerDashboardStream(app);
  service.start();
  app.onClose(() => service.close());
};
