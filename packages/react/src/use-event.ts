// `useEvent(pattern, handler)`: call the latest handler for every matching event, without resubscribing when
// the handler changes (inline callbacks are fine).

import { useEffect, useLayoutEffect, useRef } from 'react';
import type { SwitchboardClient, SwitchboardEvent } from '@switchboard/client';
import { useOptionalClient } from './context';
import { eventHub, type HandlerRef } from './event-hub';

/**
 * Run `handler` for every event whose topic matches `pattern` (`*`, `family.*` or exact), after the event was
 * applied to `client.state`. The handler is kept in a ref, so re-renders never resubscribe; components sharing a
 * pattern share one ref-counted client subscription. Unsubscribes on unmount.
 *
 * @example
 * useEvent('task.failed', (e) => toast.error(`${e.data.id} failed`));
 */
export function useEvent<D = unknown>(pattern: string, handler: (event: SwitchboardEvent<D>) => void, client?: SwitchboardClient): void {
  const fromContext = useOptionalClient();
  const target = client ?? fromContext;
  if (!target) throw new Error('switchboard react: useEvent needs a <SwitchboardProvider> or a client argument');
  const ref = useRef<HandlerRef>({ current: handler as HandlerRef['current'] });
  useLayoutEffect(() => {
    ref.current.current = handler as HandlerRef['current'];
  });
  useEffect(() => eventHub(target).add(pattern, ref.current), [target, pattern]);
}
