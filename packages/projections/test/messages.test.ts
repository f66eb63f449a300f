import { describe, expect, it } from 'vitest';
import { MAX_FINISHED_MESSAGES, reduceMessages, type Messages } from '../src/messages';
import { applyEvents, initialState } from '../src/fleet';
import { at, deepFreeze, ev, fold } from './fixtures';

const meta = { message_id: 'm1', from: 'a', to: 'b', message_type: 'task.handoff', correlation_id: 'c1', detail: null };

describe('reduceMessages', () => {
  it('sent adds the message; later events move its status and keep its metadata', () => {
    const s = fold(reduceMessages, deepFreeze({}) as Messages, [
      ev('message.sent', { ...meta, event: 'sent' }, 0),
      ev('message.delivered', { ...meta, event: 'delivered' }, 1),
      ev('message.failed', { ...meta, event: 'failed', detail: 'timeout' }, 2),
    ].map(deepFreeze));
    expect(s).toEqual({
      m1: { message_id: 'm1', from: 'a', to: 'b', message_type: 'task.handoff', correlation_id: 'c1', status: 'failed', detail: 'timeout', sent_at: at(0), updated_at: at(2) },
    });
  });

  it('a transition of an unknown message creates it from the event metadata', () => {
    const s = fold(reduceMessages, {}, [ev('message.acknowledged', { ...meta, correlation_id: undefined }, 3)]);
    expect(s.m1).toMatchObject({ status: 'acknowledged', correlation_id: null, sent_at: at(3) });
  });

  it('never holds a payload, even if an event carried one', () => {
    const s = fold(reduceMessages, {}, [ev('message.sent', { ...meta, payload: { secret: 'x' } }, 0)]);
    expect(JSON.stringify(s)).not.toContain('secret');
  });

  it('ignores events without a message_id and unknown message topics', () => {
    const s: Messages = {};
    expect(reduceMessages(s, ev('message.sent', { from: 'a' }))).toBe(s);
    expect(reduceMessages(s, ev('message.bounced', meta))).toBe(s);
  });

  it('keeps at most MAX_FINISHED_MESSAGES finished messages, dropping the least recently finished', () => {
    const events = Array.from({ length: MAX_FINISHED_MESSAGES + 5 }, (_, i) => ev('message.acknowledged', { ...meta, message_id: `m${i}` }, i));
    const s = fold(reduceMessages, {}, events);
    expect(Object.keys(s)).toHaveLength(MAX_FINISHED_MESSAGES);
    expect(s.m0).toBeUndefined();
    expect(s[`m${MAX_FINISHED_MESSAGES + 4}`]).toBeDefined();
  });

  it('is registered under messages in the root reducer', () => {
    expect(applyEvents(initialState(), [ev('message.sent', meta, 0)]).messages).toHaveProperty('m1');
  });
});
