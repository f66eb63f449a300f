// The message transition table and the /ws/messages filter, as tables.

import { describe, expect, it } from 'vitest';
import type { MessageEventInfo, MessageEventName } from '@switchboard/protocol';
import { canTransition } from '../src/messages/message-transitions';
import { matches } from '../src/streams/messages';

describe('message transitions', () => {
  const rows: Array<[MessageEventName, MessageEventName, boolean]> = [
    ['sent', 'delivered', true],
    ['sent', 'acknowledged', true],
    ['sent', 'failed', true],
    ['delivered', 'acknowledged', true],
    ['delivered', 'failed', true],
    ['delivered', 'delivered', false],
    ['acknowledged', 'failed', false],
    ['acknowledged', 'delivered', false],
    ['failed', 'acknowledged', false],
    ['failed', 'delivered', false],
  ];
  for (const [from, to, ok] of rows) {
    it(`${from} → ${to} is ${ok ? 'allowed' : 'refused'}`, () => expect(canTransition(from, to)).toBe(ok));
  }
});

describe('/ws/messages filter', () => {
  const e = (from: string, to: string, correlation_id: string | null): MessageEventInfo => ({
    message_id: 'm', event: 'sent', from, to, message_type: 't', correlation_id, detail: null, timestamp: 't',
  });
  it.each([
    [{}, e('a', 'b', null), true],
    [{ instance: 'a' }, e('a', 'b', null), true],
    [{ instance: 'b' }, e('a', 'b', null), true],
    [{ instance: 'c' }, e('a', 'b', null), false],
    [{ correlation_id: 'x' }, e('a', 'b', 'x'), true],
    [{ correlation_id: 'x' }, e('a', 'b', null), false],
    [{ instance: 'a', correlation_id: 'x' }, e('a', 'b', 'y'), false],
    [{ instance: 'a', correlation_id: 'x' }, e('c', 'a', 'x'), true],
  ])('%o on %o → %s', (filter, ev, want) => expect(matches(filter, ev)).toBe(want));
});
