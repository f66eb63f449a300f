// Feature: workspaces and their sessions (docs/workspaces-and-plans.md): REST, the git refresh loop and `/ws/dashboard`.
// Sessions run as supervised instances, so this feature needs the control plane registered before it.

import type { Feature } from '../app';
import { registerWorkspacesApi } from '../routes/workspaces';
import { registerDashboardStream } from '../streams/dashboard';
import { SupervisorSessionRunner } from '../workspaces/supervisor-session-runner';
import { WorkspaceService } from '../workspaces/workspace-service';
import { controlPlaneOf } from './control-plane';

export const workspacesFeature: Feature = (app) => {
  const plane = controlPlaneOf(app);
  if (!plane) throw new Error('workspaces run sessions on the instance supervisor: list controlPlane before workspacesFeature in FEATURES (features.ts)');
  const runner = new SupervisorSessionRunner(plane.supervisor, app.log, app.logLine);
  const service = new WorkspaceService({
    log: app.log,
    runner,
    gitIntervalMs: Math.max(50, app.config.gitIntervalSeconds * 1000),
    logLine: app.logLine,
  });
  registerWorkspacesApi(app, service);
  registerDashboardStream(app);
  // The control plane already ran restart-on-boot, so this reconciles sessions with the instances as they now are.
  service.start();
  // Close hooks run in reverse order: this one before the supervisor's shutdown, so stopping the processes is not
  // mistaken for sessions ending.
  app.onClose(() => service.close());
};
