// REST of approvals (docs/protocol.md, "Approvals"): an agent runtime asks and waits, a person (or a dashboard)
// answers. Roles come from auth/route-roles.ts: reads need `read`, asking and answering need `publish`, and a token
// with a `topics` claim needs `approval.*` for all of them.

import { DEFAULT_APPROVAL_WAIT_S, MAX_APPROVAL_WAIT_S, SwitchboardError } from '@switchboard/protocol';
import type { App } from '../app';
import type { ApprovalService } from '../approvals/approval-service';

/** Default and largest `limit` of `GET /api/approvals`. */
const MAX_LIST_LIMIT = 1000;

export function registerApprovalsApi(app: App, approvals: ApprovalService): void {
  const { router } = app;

  router.post('/api/approvals', async (req) => ({ status: 201, body: await approvals.request(await req.body()) }));

  router.get('/api/approvals', (req) => {
    const status = req.query.get('status');
    if (status !== null && status !== '' && status !== 'pending' && status !== 'decided') {
      throw new SwitchboardError('validation_failed', 'status must be pending or decided', { details: { field: 'status' } });
    }
    const limit = intParam(req.query.get('limit'), 'limit', MAX_LIST_LIMIT, 1, MAX_LIST_LIMIT);
    return { body: { approvals: approvals.list(status || undefined, limit) } };
  });

  router.get('/api/approvals/:id', (req) => ({ body: approvals.get(req.params.id!) }));

  router.post('/api/approvals/:id/decision', async (req) => {
    const body = await req.body();
    return { body: await approvals.decide(req.params.id!, body, req.principal) };
  });

  router.get('/api/approvals/:id/wait', async (req) => {
    const timeout = intParam(req.query.get('timeout'), 'timeout', DEFAULT_APPROVAL_WAIT_S, 0, MAX_APPROVAL_WAIT_S);
    return { body: await approvals.wait(req.params.id!, timeout, req.raw.socket) };
  });
}

function intParam(value: string | null, field: string, fallback: number, min: number, max: number): number {
  if (value === null || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new SwitchboardError('validation_failed', `${field} must be an integer from ${min} to ${max}`, { details: { field } });
  }
  return n;
}
