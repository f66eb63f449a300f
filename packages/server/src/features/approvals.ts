// Approvals as a feature (docs/protocol.md, "Approvals"): the service, its REST, and the opening of an approval for
// every `agent.permission_requested` that has none.

import type { App, Feature } from '../app';
import { ApprovalService } from '../approvals/approval-service';
import type { EventLog } from '../log/event-log';
import { registerApprovalsApi } from '../routes/approvals';

const services = new WeakMap<EventLog, ApprovalService>();

/** The approval service of the server that owns `log` (tests read its waiter count). */
export function approvalServiceOf(log: EventLog): ApprovalService | undefined {
  return services.get(log);
}

export const approvalsFeature: Feature = (app: App) => {
  const approvals = new ApprovalService(app.log, { logLine: app.logLine });
  services.set(app.log, approvals);
  registerApprovalsApi(app, approvals);
  approvals.start();
  app.onClose(() => approvals.close());
};
