// Asking for an approval and waiting for a person's answer (docs/protocol.md, "Approvals"). The answer arrives as an
// `approval.decided` event on the client's socket when its topics reach `approval.*`; a long-poll of
// `GET /api/approvals/:id/wait` runs alongside, so the answer also comes without a socket, on another topic set, or
// after a decision made before the wait began. Whichever answers first wins; the other is cancelled.

import {
  MAX_APPROVAL_WAIT_S,
  SwitchboardError,
  type ApprovalCreated,
  type ApprovalDecision,
  type ApprovalView,
  type HumanDecision,
} from '@switchboard/protocol';
import type { EventHandler } from './event-router';
import type { RestClient } from './rest';

/** What `requestApproval` asks: the tool, and either a summary or the input to summarize (never stored). */
export interface ApprovalRequest {
  tool: string;
  summary?: string;
  /** Summarized by the server with secrets masked; the input itself is never stored. */
  input?: unknown;
  agent_id?: string;
  session_id?: string;
  /** Seconds until the approval expires; the server's default is 600. */
  timeout_s?: number;
}

/** The answer: `allow`, `deny`, or `expired` when nobody decided in time. */
export interface ApprovalOutcome {
  id: string;
  decision: ApprovalDecision;
  reason?: string;
  decided_by: string;
}

/** Wait after a retryable failure of the long-poll before asking again. */
const RETRY_DELAY_MS = 1000;

export interface ApprovalDeps {
  rest: RestClient;
  /** Register a handler for events matching a pattern; returns its removal (SwitchboardClient.subscribe). */
  subscribe: (pattern: string, handler: EventHandler) => () => void;
}

export async function requestApproval(deps: ApprovalDeps, request: ApprovalRequest, signal?: AbortSignal): Promise<ApprovalOutcome> {
  const created = await deps.rest.request<ApprovalCreated>('POST', '/api/approvals', { body: request, signal });
  return waitForApproval(deps, created.id, signal);
}

export function decideApproval(rest: RestClient, id: string, decision: HumanDecision, reason?: string): Promise<ApprovalView> {
  return rest.request<ApprovalView>('POST', `/api/approvals/${encodeURIComponent(id)}/decision`, {
    body: reason === undefined ? { decision } : { decision, reason },
  });
}

export function waitForApproval(deps: ApprovalDeps, id: string, signal?: AbortSignal): Promise<ApprovalOutcome> {
  return new Promise<ApprovalOutcome>((resolve, reject) => {
    const stop = new AbortController();
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      stop.abort();
      removeHandler();
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = (): void => finish(() => reject(signal!.reason));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });

    const removeHandler = deps.subscribe('approval.decided', (event) => {
      const view = event.data as Partial<ApprovalView> | null;
      if (view?.id === id && typeof view.decision === 'string') finish(() => resolve(outcomeOf(view as ApprovalView)));
    });

    void (async () => {
      while (!stop.signal.aborted) {
        try {
          const view = await deps.rest.request<ApprovalView>('GET', `/api/approvals/${encodeURIComponent(id)}/wait?timeout=${MAX_APPROVAL_WAIT_S}`, { signal: stop.signal });
          if (view.status === 'decided') return finish(() => resolve(outcomeOf(view)));
        } catch (error) {
          if (stop.signal.aborted) return;
          if (!(error instanceof SwitchboardError) || !error.retryable) return finish(() => reject(error));
          await delay(RETRY_DELAY_MS, stop.signal);
        }
      }
    })();
  });
}

function outcomeOf(view: Pick<ApprovalView, 'id' | 'decision' | 'reason' | 'decided_by'>): ApprovalOutcome {
  const out: ApprovalOutcome = { id: view.id, decision: view.decision!, decided_by: view.decided_by ?? '' };
  if (view.reason !== undefined) out.reason = view.reason;
  return out;
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
