// A clock for countdowns: the current time, refreshed every `tickMs` while `active`.

import { useEffect, useState } from 'react';
import { COUNTDOWN_TICK_MS } from './constants';

/** `Date.now()`, re-read every `tickMs` while `active` (and once more when it becomes active). */
export function useNow(active: boolean, tickMs: number = COUNTDOWN_TICK_MS): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), tickMs);
    return () => clearInterval(timer);
  }, [active, tickMs]);
  return now;
}
