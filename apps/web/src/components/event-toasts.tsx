// Turns live events into toasts: task completions and failures, agent failures and permission requests,
// documents indexed and searches completed (the 3D-client contract), plan outcomes.

import type { SwitchboardEvent } from '@switchboard/client';
import { useEvent } from '@switchboard/react';
import { useToast } from './toasts';

type Data = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));

export function EventToasts() {
  const toast = useToast();
  useEvent('task.*', (e: SwitchboardEvent<Data>) => {
    const kind = str(e.data.kind) || 'task';
    if (e.topic === 'task.completed') toast({ kind: 'success', title: `Task ${str(e.data.id)} completed`, body: str(e.data.message) || kind });
    if (e.topic === 'task.failed') toast({ kind: 'error', title: `Task ${str(e.data.id)} failed`, body: str(e.data.error) || kind });
  });
  useEvent('agent.*', (e: SwitchboardEvent<Data>) => {
    const who = str(e.data.name) || str(e.data.id);
    // One with an approval gets its toast from the inbox's notifications (approval.requested).
    if (e.topic === 'agent.permission_requested' && e.data.approval_id === undefined) toast({ kind: 'info', title: `${who} asks for permission`, body: str(e.data.detail) });
    if (e.topic === 'agent.failed') toast({ kind: 'error', title: `Agent ${who} failed`, body: str(e.data.detail) });
  });
  useEvent('document.indexed', (e: SwitchboardEvent<Data>) => toast({ kind: 'success', title: 'Document indexed', body: str(e.data.name) }));
  useEvent('search.completed', (e: SwitchboardEvent<Data>) =>
    toast({ kind: 'info', title: 'Search completed', body: `“${str(e.data.query)}”: ${str(e.data.results)} results` }),
  );
  useEvent('plan.*', (e: SwitchboardEvent<Data>) => {
    if (e.topic === 'plan.completed') toast({ kind: 'success', title: 'Plan completed', body: str(e.data.plan_id) });
    if (e.topic === 'plan.failed') toast({ kind: 'error', title: 'Plan failed', body: str(e.data.error) || str(e.data.plan_id) });
  });
  return null;
}
