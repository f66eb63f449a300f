// The messages view's events, folded from `/ws/messages` frames (docs/control-plane.md). Pure.

import type { MessageEventInfo } from '@switchboard/protocol';
import type { StreamFrame } from '@switchboard/react';

export interface MessagesState {
  events: MessageEventInfo[];
  loaded: boolean;
}

/** Events kept, newest last. */
export const MAX_MESSAGE_EVENTS = 500;
export const INITIAL_MESSAGES: MessagesState = { events: [], loaded: false };

const strip = ({ type: _type, ...rest }: StreamFrame) => rest as unknown as MessageEventInfo;

export function reduceMessages(state: MessagesState, f: StreamFrame): MessagesState {
  if (f.type === 'snapshot' && Array.isArray(f.recent_events)) return { events: (f.recent_events as MessageEventInfo[]).slice(-MAX_MESSAGE_EVENTS), loaded: true };
  if (f.type === 'message_event') return { events: [...state.events, strip(f)].slice(-MAX_MESSAGE_EVENTS), loaded: true };
  return state;
}
