// New approval requests, wherever the page is: a toast, and the unread count on the Inbox tab unless the inbox is on
// screen. Mounted once by the app shell.

import type { SwitchboardEvent } from '@switchboard/client';
import { useClient, useEvent } from '@switchboard/react';
import { useToast } from '../../components/toasts';
import { segments } from '../../lib/router';
import { markUnread } from './inbox-unread';

type Data = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function ApprovalNotifications() {
  const toast = useToast();
  const client = useClient();
  useEvent('approval.requested', (e: SwitchboardEvent<Data>) => {
    const onInbox = segments(window.location.pathname)[0] === 'inbox';
    if (!onInbox) markUnread();
    const agentId = str(e.data.agent_id);
    const agents = client.state.agents;
    const asker = (agentId && Object.hasOwn(agents, agentId) ? agents[agentId]!.name : '') || agentId || 'An agent';
    toast({ kind: 'info', title: `${asker} asks to run ${str(e.data.tool) || 'a tool'}`, body: str(e.data.summary) });
  });
  return null;
}
