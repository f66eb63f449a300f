// REST of inter-agent messages (SPEC §5.3). `GET /api/messages/:id` is the only answer that carries a payload;
// the list (the polling fallback of `/ws/messages`) is metadata only.

import { SwitchboardError } from '@switchboard/protocol';
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

  router.get('/api/messages/:id', (req) => {
    const id = req.params.id!;
    const msg = messages.store.get(id);
    if (!msg) throw new SwitchboardError('message_not_found', `No message with id '${id.slice(0, 64)}'`);
    return { body: { ...msg, events: messages.store.events(id) } };
  });

  router.post('/api/messages/:id/deliver', (req) => ({ body: messages.transition(req.params.id!, 'delivered') }));
  router.post('/api/messages/:id/ack', (req) => ({ body: messages.transition(req.params.id!, 'acknowledged') }));
  router.post('/api/messages/:id/fail', async (req) => {
    const error = MessageService.parseFailBody(await req.body());
    return { body: messages.transition(req.params.id!, 'failed', error) };
  });
}
