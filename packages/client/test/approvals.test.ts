// client.requestApproval and client.decide against the real server (docs/protocol.md, "Approvals"): the decision
// arrives on the socket, or through the long-poll when the socket cannot bring it; a second decision is refused;
// an expiry answers `expired`; an abort stops the wait.

import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startTestServer, type TestServer } from '@switchboard/testkit';
import { SwitchboardError } from '@switchboard/protocol';
import { createClient, type ClientOptions, type FetchFn, type SwitchboardClient, type WebSocketConstructor } from '../src/index';
import { fastBackoff } from './helpers/harness';
import { waitFor } from './helpers/wait';

let srv: TestServer | undefined;
const clients: SwitchboardClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await srv?.close();
  srv = undefined;
});

function client(options: Partial<ClientOptions> = {}): SwitchboardClient {
  const c = createClient({ url: srv!.url, WebSocket: WebSocket as unknown as WebSocketConstructor, backoff: fastBackoff, pageTarget: null, ...options });
  clients.push(c);
  return c;
}

async function pendingIds(): Promise<string[]> {
  const res = await fetch(`${srv!.url}/api/approvals?status=pending`);
  return ((await res.json()) as { approvals: Array<{ id: string }> }).approvals.map((a) => a.id);
}

/** A fetch whose long-polls never answer (until aborted): only the socket can bring the decision. */
const noLongPoll: FetchFn = (input, init) => {
  if (!String(input).includes('/wait')) return fetch(input, init);
  return new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason), { once: true }));
};

describe('approvals in the SDK', () => {
  it('requestApproval resolves from the approval.decided event on the socket', { timeout: 15_000 }, async () => {
    srv = await startTestServer();
    const agent = client({ topics: ['approval.*'], fetch: noLongPoll });
    await waitFor(() => agent.status === 'open', { message: 'the agent socket to open' });
    const person = client({ topics: ['agent.*'] });
    const answer = agent.requestApproval({ tool: 'Bash', summary: 'rm -rf build', agent_id: 'a1' });
    const [id] = await waitFor(async () => ((await pendingIds()).length ? pendingIds() : undefined), { message: 'the approval to be pending' });
    const view = await person.decide(id!, 'allow', 'looks fine');
    expect(view).toMatchObject({ id, status: 'decided', decision: 'allow' });
    expect(await answer).toStrictEqual({ id, decision: 'allow', reason: 'looks fine', decided_by: 'local' });
  });

  it('falls back to the long-poll when the socket does not carry approval events', { timeout: 15_000 }, async () => {
    srv = await startTestServer();
    const agent = client({ topics: ['task.*'] });
    const answer = agent.requestApproval({ tool: 'Write', input: { file_path: 'a.ts' } });
    const ids = await waitFor(async () => ((await pendingIds()).length ? pendingIds() : undefined), { message: 'a pending approval' });
    await client({ topics: ['task.*'] }).decide(ids[0]!, 'deny');
    expect(await answer).toStrictEqual({ id: ids[0], decision: 'deny', decided_by: 'local' });
  });

  it('decide rejects with conflict once decided', { timeout: 15_000 }, async () => {
    srv = await startTestServer();
    const c = client({ topics: ['task.*'] });
    const answer = c.requestApproval({ tool: 'Bash', summary: 'ls' });
    const ids = await waitFor(async () => ((await pendingIds()).length ? pendingIds() : undefined));
    await c.decide(ids[0]!, 'deny');
    const second = await c.decide(ids[0]!, 'allow').catch((e: unknown) => e);
    expect(second).toBeInstanceOf(SwitchboardError);
    expect((second as SwitchboardError).code).toBe('conflict');
    expect((await answer).decision).toBe('deny');
  });

  it('answers expired when nobody decides in time', { timeout: 15_000 }, async () => {
    srv = await startTestServer();
    const c = client({ topics: ['approval.*'] });
    expect(await c.requestApproval({ tool: 'Bash', summary: 'sleep', timeout_s: 1 })).toMatchObject({ decision: 'expired', decided_by: 'server' });
  });

  it('stops waiting when the signal aborts, leaving the approval pending', { timeout: 15_000 }, async () => {
    srv = await startTestServer();
    const c = client({ topics: ['approval.*'] });
    const controller = new AbortController();
    const answer = c.requestApproval({ tool: 'Bash', summary: 'x' }, { signal: controller.signal }).catch((e: unknown) => e);
    await waitFor(async () => (await pendingIds()).length === 1, { message: 'a pending approval' });
    controller.abort(new Error('gave up'));
    expect(((await answer) as Error).message).toBe('gave up');
    expect(await pendingIds()).toHaveLength(1);
  });

  it('rejects a bad request with the server code', { timeout: 15_000 }, async () => {
    srv = await startTestServer();
    const err = await client({ topics: ['task.*'] }).requestApproval({ tool: '' }).catch((e: unknown) => e);
    expect((err as SwitchboardError).code).toBe('validation_failed');
  });
});
