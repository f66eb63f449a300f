// The moves a message may make (docs/control-plane.md), as data: sent → delivered → acknowledged, and failed from either open
// state. Acknowledging an undelivered message is allowed (a peer may ack without a separate delivery receipt).

import type { MessageEventName } from '@switchboard/protocol';

export const MESSAGE_TRANSITIONS: Readonly<Record<MessageEventName, readonly MessageEventName[]>> = {
  sent: ['delivered', 'acknowledged', 'failed'],
  delivered: ['acknowledged', 'failed'],
  acknowledged: [],
  failed: [],
};

export function canTransition(from: MessageEventName, to: MessageEventName): boolean {
  return MESSAGE_TRANSITIONS[from].includes(to);
}
