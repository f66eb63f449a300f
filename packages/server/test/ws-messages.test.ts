// The control-plane contract's `/ws/messages` tests (docs/control-plane.md): snapshot of recent events, deltas on send/ack/fail, the instance and
// correlation filters, metadata-only frames; and the messages REST around them.

import { afterEach, describe, expect, it } from 'vitest';
import { frame, startHarness, type Harness } from './control-plane-helpers';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function send(from: string, to: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await h.post('/api/messages', { from, to, message_type: 'task.handoff', payload: { text: 'hello' }, ...extra });
  expect(res.status).toBe(201);
  expect(Object.keys(res.body)).toEqual(['message_id']);
  return res.body.message_id;
}

const EVENT_KEYS = ['message_id', 'event', 'from', 'to', 'message_type', 'correlation_id', 'detail', 'timestamp'];

describe('/ws/messages', () => {
  it('ws_messages_snapshot: recent message events arrive on connect, oldest first, metadata only', async () => {
    h = await startHarness();
    const m1 = await send('agent-1', 'agent-2');
    const m2 = await send('agent-2', 'agent-3', { correlation_id: 'c-1' });
    await h.post(`/api/messages/${m1}/deliver`);
    const c = await h.open('/ws/messages');
    const snap = await c.next();
    expect(snap.type).toBe('snapshot');
    const events = snap.recent_events as any[];
    expect(events.map((e) => [e.message_id, e.event])).toEqual([[m1, 'sent'], [m2, 'sent'], [m1, 'delivered']]);
    expect(events[0]).toEqual({
      message_id: m1, event: 'sent', from: 'agent-1', to: 'agent-2', message_type: 'task.handoff',
      correlation_id: null, detail: null, timestamp: expect.any(String),
    });
    expect(events[1].correlation_id).toBe('c-1');
    for (const e of events) expect(Object.keys(e)).toEqual(EVENT_KEYS);
  }, 15_000);

  it('ws_messages_delta: send, deliver, ack and fail each produce a message_event within 1 s', async () => {
    h = await startHarness();
    const c = await h.open('/ws/messages');
    expect(await c.next()).toEqual({ type: 'snapshot', recent_events: [] });
    const t0 = Date.now();
    const id = await send('agent-1', 'agent-2', { correlation_id: 'chain-9' });
    const sent = await c.next(frame('message_event'), 1000);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(sent).toEqual({
      type: 'message_event', message_id: id, event: 'sent', from: 'agent-1', to: 'agent-2', message_type: 'task.handoff',
      correlation_id: 'chain-9', detail: null, timestamp: expect.any(String),
    });
    await h.post(`/api/messages/${id}/deliver`);
    expect(await c.next(frame('message_event'), 1000)).toMatchObject({ message_id: id, event: 'delivered' });
    await h.post(`/api/messages/${id}/ack`);
    expect(await c.next(frame('message_event'), 1000)).toMatchObject({ message_id: id, event: 'acknowledged', detail: null });

    const other = await send('agent-2', 'agent-1');
    await c.next(frame('message_event'));
    const failed = await h.post(`/api/messages/${other}/fail`, { error: 'agent-1 is offline' });
    expect(failed.status).toBe(200);
    expect(await c.next(frame('message_event'), 1000)).toMatchObject({ message_id: other, event: 'failed', detail: 'agent-1 is offline' });
  }, 15_000);

  it('ws_messages_filter_instance: ?instance= keeps only messages from or to that name', async () => {
    h = await startHarness();
    const before = await send('alice', 'bob');
    await send('carol', 'dave');
    const c = await h.open('/ws/messages?instance=alice');
    expect(((await c.next()).recent_events as any[]).map((e) => e.message_id)).toEqual([before]);
    const toAlice = await send('bob', 'alice');
    await send('carol', 'bob');
    const fromAlice = await send('alice', 'erin');
    await h.post(`/api/messages/${before}/ack`);
    const got = await c.collect(frame('message_event'), 3);
    expect(got.map((f) => [f.message_id, f.event])).toEqual([[toAlice, 'sent'], [fromAlice, 'sent'], [before, 'acknowledged']]);
    c.send({ type: 'ping' });
    await c.next(frame('pong'));
    expect(c.frames.filter((f) => f.type === 'message_event')).toHaveLength(3);
  }, 15_000);

  it('ws_messages_filter_correlation: ?correlation_id= keeps only that chain', async () => {
    h = await startHarness();
    const first = await send('a', 'b', { correlation_id: 'chain-1' });
    await send('a', 'b', { correlation_id: 'chain-2' });
    await send('a', 'b');
    const c = await h.open('/ws/messages?correlation_id=chain-1');
    expect(((await c.next()).recent_events as any[]).map((e) => e.message_id)).toEqual([first]);
    const reply = await send('b', 'a', { correlation_id: 'chain-1' });
    await send('b', 'a', { correlation_id: 'chain-2' });
    await h.post(`/api/messages/${first}/deliver`);
    const got = await c.collect(frame('message_event'), 2);
    expect(got.map((f) => [f.message_id, f.event])).toEqual([[reply, 'sent'], [first, 'delivered']]);
    // Both filters together narrow further.
    const both = await h.open('/ws/messages?correlation_id=chain-1&instance=nobody');
    expect(await both.next()).toEqual({ type: 'snapshot', recent_events: [] });
  }, 15_000);

  it('ws_no_secrets_in_message_stream: frames and events carry metadata only; the payload is only in GET /api/messages/:id', async () => {
    h = await startHarness();
    const secret = 'sk-live-PLANTED-SECRET-4242';
    const msgs = await h.open('/ws/messages');
    const events = await h.open('/ws/events?topics=message.*');
    await msgs.next(frame('snapshot'));
    await events.next(frame('snapshot'));
    const id = await send('agent-1', 'agent-2', { payload: { api_key: secret, nested: [secret] } });
    await h.post(`/api/messages/${id}/deliver`);
    await h.post(`/api/messages/${id}/ack`);
    await msgs.collect(frame('message_event'), 3);
    await events.collect((f) => f.type.startsWith('message.'), 3);
    const late = await h.open('/ws/messages');
    await late.next(frame('snapshot'));

    expect(events.frames.filter((f) => f.type.startsWith('message.')).map((f) => f.type)).toEqual(['message.sent', 'message.delivered', 'message.acknowledged']);
    expect(Object.keys((events.frames.find((f) => f.type === 'message.sent') as any).data)).toEqual(EVENT_KEYS);
    for (const c of [msgs, events, late]) expect(JSON.stringify(c.frames)).not.toContain(secret);
    for (const path of ['/api/events', '/api/snapshot', '/api/messages', `/api/messages?instance=agent-1`]) {
      expect((await h.get(path)).text).not.toContain(secret);
    }
    const full = await h.get(`/api/messages/${id}`);
    expect(full.body).toMatchObject({ message_id: id, payload: { api_key: secret, nested: [secret] }, status: 'acknowledged' });
    expect(full.body.events.map((e: any) => e.event)).toEqual(['sent', 'delivered', 'acknowledged']);
    expect(h.logLines.join('\n')).not.toContain(secret);
  }, 15_000);

  it('message.* events also reach /ws/events', async () => {
    h = await startHarness();
    const c = await h.open('/ws/events?topics=message.*');
    await c.next(frame('snapshot'));
    const id = await send('x', 'y');
    expect(await c.next(frame('message.sent'))).toMatchObject({ seq: expect.any(Number), data: { message_id: id, event: 'sent', from: 'x', to: 'y' } });
  }, 15_000);
});

describe('messages REST', () => {
  it('validates bodies, naming the field, and answers 404 and 409 for unknown ids and impossible moves', async () => {
    h = await startHarness();
    const bad = [
      [{ to: 'b', message_type: 't', payload: 1 }, 'from'],
      [{ from: 'a', message_type: 't', payload: 1 }, 'to'],
      [{ from: 'a', to: 'b', payload: 1 }, 'message_type'],
      [{ from: 'a', to: 'b', message_type: 't' }, 'payload'],
      [{ from: 'a', to: 'b', message_type: 't', payload: 1, correlation_id: 7 }, 'correlation_id'],
      [[1], 'body'],
    ] as const;
    for (const [body, field] of bad) {
      const res = await h.post('/api/messages', body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'validation_failed', field });
    }
    // Any JSON is a payload, null included.
    expect((await h.post('/api/messages', { from: 'a', to: 'b', message_type: 't', payload: null })).status).toBe(201);

    expect((await h.get('/api/messages/nope')).body.error.code).toBe('message_not_found');
    expect((await h.post('/api/messages/nope/ack')).status).toBe(404);
    const id = await send('a', 'b');
    expect((await h.post(`/api/messages/${id}/fail`, {})).body.error).toMatchObject({ code: 'validation_failed', field: 'error' });
    expect((await h.post(`/api/messages/${id}/fail`, { error: 'boom' })).body).toMatchObject({ event: 'failed', detail: 'boom' });
    const again = await h.post(`/api/messages/${id}/ack`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('invalid_state');
    expect((await h.get(`/api/messages/${id}`)).body).toMatchObject({ status: 'failed', error: 'boom' });
    const list = await h.get('/api/messages?instance=a&limit=10');
    expect(list.body.messages.map((m: any) => m.message_id)).toContain(id);
    expect(list.body.messages.every((m: any) => !('payload' in m))).toBe(true);
  }, 15_000);
});
