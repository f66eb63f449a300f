// A view's own stream state, next to its title: quiet when live, explicit when reconnecting or polling.

import type { LiveStreamSnapshot } from '@switchboard/react';

export function StreamNote({ live, name }: { live: Pick<LiveStreamSnapshot<unknown>, 'status' | 'polling' | 'error'>; name: string }) {
  let text: string;
  if (live.polling) text = 'Live updates unavailable — polling';
  else if (live.status === 'open') text = 'live';
  else if (live.status === 'closed' && live.error) text = live.error.message || live.error.code;
  else if (live.status === 'reconnecting') text = 'reconnecting…';
  else text = 'connecting…';
  return (
    <span className={`stream-note stream-${live.polling ? 'polling' : live.status}`} data-testid={`stream-${name}`} data-status={live.polling ? 'polling' : live.status}>
      {text}
    </span>
  );
}
