// Approvals (docs/protocol.md, "Approvals"): an agent runtime asks "may I run this tool?", a person answers.
// `approval.*` is a server-written family: `approval.requested` when someone asks (or when a producer publishes
// `agent.permission_requested` without an approval), `approval.decided` when someone answers or the time runs out.

import { z } from 'zod';

export type ApprovalDecision = 'allow' | 'deny' | 'expired';
/** What a person may answer; `expired` is only ever written by the server. */
export type HumanDecision = Exclude<ApprovalDecision, 'expired'>;
export const HUMAN_DECISIONS: readonly HumanDecision[] = ['allow', 'deny'];

export type ApprovalStatus = 'pending' | 'decided';

/** An approval as the API, the snapshot (`approvals`) and the dashboards show it. */
export interface ApprovalView {
  id: string;
  status: ApprovalStatus;
  tool: string;
  /** A short, bounded summary of the tool input with secrets masked; never the input itself. */
  summary: string;
  agent_id?: string;
  session_id?: string;
  requested_at: string;
  expires_at: string;
  /** Present once decided. */
  decision?: ApprovalDecision;
  reason?: string;
  /** The deciding token's `sub`, `local` without auth, `server` for an expiry. */
  decided_by?: string;
  decided_at?: string;
}

/** Longest `tool`, `agent_id` and `session_id`. @default 256 */
export const MAX_APPROVAL_NAME_LENGTH = 256;
/** Longest stored summary; longer summaries and inputs are cut with `…`. @default 300 */
export const MAX_APPROVAL_SUMMARY_LENGTH = 300;
/** Longest decision `reason`. @default 1000 */
export const MAX_APPROVAL_REASON_LENGTH = 1000;
/** `timeout_s` when a request gives none, and for approvals opened from `agent.permission_requested`. @default 600 */
export const DEFAULT_APPROVAL_TIMEOUT_S = 600;
/** Largest `timeout_s` (a day). */
export const MAX_APPROVAL_TIMEOUT_S = 86_400;
/** `timeout` of the long-poll when none is given, and its largest value: below a proxy's usual 60–120 s read timeout. */
export const DEFAULT_APPROVAL_WAIT_S = 30;
export const MAX_APPROVAL_WAIT_S = 60;
/** Who decides an approval whose time ran out. */
export const EXPIRY_DECIDER = 'server';
/** Who decides on a server without auth (no token, so no `sub`). */
export const LOCAL_DECIDER = 'local';

const name = z.string().min(1).max(MAX_APPROVAL_NAME_LENGTH);

/** Schemas of the server-written approval topics (checked by the server's own tests, never on producer input). */
export const APPROVAL_SCHEMAS = {
  'approval.requested': z.looseObject({
    id: name,
    tool: name,
    summary: z.string().max(MAX_APPROVAL_SUMMARY_LENGTH),
    agent_id: name.optional(),
    session_id: name.optional(),
    requested_at: z.string(),
    expires_at: z.string(),
  }),
  'approval.decided': z.looseObject({
    id: name,
    decision: z.enum(['allow', 'deny', 'expired']),
    reason: z.string().max(MAX_APPROVAL_REASON_LENGTH).optional(),
    decided_by: z.string(),
    decided_at: z.string(),
    agent_id: name.optional(),
    session_id: name.optional(),
  }),
} as const;

/** `POST /api/approvals` → 201. */
export interface ApprovalCreated {
  id: string;
  expires_at: string;
}
