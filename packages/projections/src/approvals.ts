// The `approvals` slice (docs/protocol.md, "Approvals"): every pending approval and the most recently decided ones,
// folded from `approval.requested` and `approval.decided`.
//
// Order: a record is inserted when it is requested and never moved, so the slice's key order is the log order of
// the requests, which is `requested_at` order (the server stamps both). Listing the pending ones longest-waiting
// first is one pass, with no sort to maintain. Ids are never integer-like (`apr_…`), which JS would order first.

import type { ApprovalDecision, ApprovalView } from '@switchboard/protocol';
import { evictOldest } from './evict';
import { dataOf, idOf, stringField } from './event-data';
import { compact, getRecord, putRecord } from './records';
import type { SliceReducer } from './state';

/** Decided approvals kept; beyond this the least recently decided goes. @default 500 */
export const MAX_DECIDED_APPROVALS = 500;

export type { ApprovalView };
export type Approvals = Record<string, ApprovalView>;

const DECISIONS = new Set<string>(['allow', 'deny', 'expired']);

/**
 * Fold one `approval.*` event. `requested` adds a pending approval (a second request with a known id changes
 * nothing); `decided` decides a pending one. The first decision stands: a later `decided` for a decided approval
 * (two nodes expiring it at once, a decision racing an expiry) and one for an unknown id change nothing.
 */
export const reduceApprovals: SliceReducer<Approvals> = (slice, event) => {
  const d = dataOf(event);
  const id = d && idOf(d);
  if (!d || !id) return slice;
  const prev = getRecord(slice, id);
  if (event.topic === 'approval.requested') {
    if (prev) return slice;
    return putRecord(slice, id, compact<ApprovalView>({
      id,
      status: 'pending',
      tool: stringField(d, 'tool') ?? '',
      summary: stringField(d, 'summary') ?? '',
      agent_id: stringField(d, 'agent_id'),
      session_id: stringField(d, 'session_id'),
      requested_at: stringField(d, 'requested_at') ?? event.ts,
      expires_at: stringField(d, 'expires_at') ?? event.ts,
    }));
  }
  if (event.topic === 'approval.decided') {
    const decision = stringField(d, 'decision');
    if (!prev || prev.status !== 'pending' || decision === undefined || !DECISIONS.has(decision)) return slice;
    const next = putRecord(slice, id, compact<ApprovalView>({
      ...prev,
      status: 'decided',
      decision: decision as ApprovalDecision,
      reason: stringField(d, 'reason'),
      decided_by: stringField(d, 'decided_by') ?? '',
      decided_at: stringField(d, 'decided_at') ?? event.ts,
    }));
    return evictOldest(next, MAX_DECIDED_APPROVALS, isDecided, decidedAt);
  }
  return slice;
};

/** Pending approvals, longest-waiting first. */
export function pendingApprovals(slice: Readonly<Approvals>): ApprovalView[] {
  const out: ApprovalView[] = [];
  for (const key of Object.keys(slice)) if (slice[key]!.status === 'pending') out.push(slice[key]!);
  return out;
}

/** Decided approvals, most recently decided first. */
export function decidedApprovals(slice: Readonly<Approvals>): ApprovalView[] {
  const out: ApprovalView[] = [];
  for (const key of Object.keys(slice)) if (slice[key]!.status === 'decided') out.push(slice[key]!);
  // Array.prototype.sort is stable, so equal times stay in request order.
  return out.sort((a, b) => (decidedAt(a) > decidedAt(b) ? -1 : decidedAt(a) < decidedAt(b) ? 1 : 0));
}

function isDecided(a: ApprovalView): boolean {
  return a.status === 'decided';
}

function decidedAt(a: ApprovalView): string {
  return a.decided_at ?? a.requested_at;
}
