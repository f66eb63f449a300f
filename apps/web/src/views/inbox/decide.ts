// Answering approvals from the dashboard: one request per approval (the server decides each on its own, the first
// decision standing), gathered so a bulk action reports what happened to each.

import { api, ApiError, seg } from '../../lib/api';

export type Decision = 'allow' | 'deny';

export interface DecideResult {
  decided: string[];
  /** Already decided by someone else (or expired) before this answer arrived. */
  conflicts: string[];
  failed: Array<{ id: string; message: string }>;
}

export async function decideMany(ids: readonly string[], decision: Decision, reason?: string): Promise<DecideResult> {
  const body = reason ? { decision, reason } : { decision };
  const out: DecideResult = { decided: [], conflicts: [], failed: [] };
  await Promise.all(
    ids.map(async (id) => {
      try {
        await api('POST', `/api/approvals/${seg(id)}/decision`, body);
        out.decided.push(id);
      } catch (error) {
        if (error instanceof ApiError && error.status === 409) out.conflicts.push(id);
        else out.failed.push({ id, message: (error as Error).message });
      }
    }),
  );
  return out;
}
