// Feature: plans (docs/workspaces-and-plans.md): REST, the step runner and the `/ws/{session_id}` plan stream.

import type { Feature } from '../app';
import { PlanRunner } from '../plans/plan-runner';
import { registerPlansApi } from '../routes/plans';
import { registerPlansStream } from '../streams/plans';

export const plansFeature: Feature = (app) => {
  const runner = new PlanRunner({ log: app.log, killGraceMs: app.config.stopGraceMs, ...(app.cluster ? { nodeId: app.cluster.nodeId } : {}) });
  runner.recover();
  const subs = registerPlansStream(app);
  registerPlansApi(app, runner, subs);
  app.onClose(() => runner.close());
};
