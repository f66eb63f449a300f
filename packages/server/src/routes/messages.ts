// REST of inter-agent messages (docs/control-plane.md). `GET /api/messages/:id` is the only answer that carries a payload;
// the list (the polling fallback of `/ws/messages`) is metadata only.

import { SwitchboardError } from '@switchboard/protocol';
import { messagesOf } from '@switchboard/projections';
import type { App } from '../app';
import { MessageService } from '../messages/message-service';

/** Default and largest `limit` of `GET /api/messages`. */
const DEFAULT_LIST_LIMIT = 100;
const MAX_LIST_LIMIT = 1000;

export function registerMessagesApi(app: App, messages: MessageService): void {
  const { router } = app;

  router.post('/api/messages', async (req) => ({ status: 201, body: { message_id: messages.send(await req.body()) } }));

  router.get('/api/messages', (req) => {
    const q = req.query;
    const limitText = q.get('limit');
    const limit = limitText === null || limitText === '' ? DEFAULT_LIST_LIMIT : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new SwitchboardError('validation_failed', `limit must be an integer from 1 to ${MAX_LIST_LIMIT}`, { details: { field: 'limit' } });
    }
    const filter = { instance: q.get('instance') || undefined, correlation_id: q.get('correlation_id') || undefined };
    return { body: { messages: messages.store.list(filter, limit) } };
  });

  type Action = { action: 'get' } | { action: 'delivered' | 'acknowledged' } | { action: 'failed'; error: string };
  const runLocal = (id: string, a: Action): unknown => {
    if (a.action === 'get') {
      const msg = messages.store.get(id);
      if (!msg) throw new SwitchboardError('message_not_found', `No message with id '${id.slice(0, 64)}'`);
      if ('pruned_at' in msg) {
        throw new SwitchboardError('gone', `The payload of message '${id}' was pruned at ${msg.pruned_at} (--message-retention); its metadata is still listed`, {
          details: { message_id: id, pruned_at: msg.pruned_at },
        });
      }
      return { ...msg, events: messages.store.events(id) };
    }
    return messages.transition(id, a.action, a.action === 'failed' ? a.error : null);
  };

  // Cluster mode (docs/architecture.md "Cluster mode"): a message's payload and state live on the node that took it
  // (`node_id` of its `message.sent`); reads and transitions sent elsewhere are forwarded there over Redis.
  const { cluster } = app;
  cluster?.handle('message', async (payload) => {
    const { id, ...a } = payload as { id: string } & Action;
    return runLocal(id, a as Action);
  });
  const act = async (id: string, a: Action): Promise<{ body: unknown }> => {
    if (cluster && !messages.store.getMeta(id)) {
      const view = Object.hasOwn(messagesOf(app.log.state), id) ? messagesOf(app.log.state)[id] : undefined;
      const owner = view?.node_id;
      if (owner !== undefined && owner !== cluster.nodeId) return { body: await cluster.request(owner, 'message', { id, ...a }, 10_000) };
    }
    return { body: runLocal(id, a) };
  };

  router.get('/api/messages/:id', (req) => act(req.params.id!, { action: 'get' }));
  router.post('/api/messages/:id/deliver', (req) => act(req.params.id!, { action: 'delivered' }));
  router.post('/api/messages/:id/ack', (req) => act(req.params.id!, { action: 'acknowledged' }));
  router.post('/api/messages/:id/fail', async (req) => act(req.params.id!, { action: 'failed', error: MessageService.parseFailBody(await req.body()) }));
}
