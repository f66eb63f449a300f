// One flush per event-loop turn for every connection with queued frames: frames published in the same turn
// leave as one write per socket instead of one write each.

export interface Flushable {
  /** Set while the connection sits in the dirty list; a flag is cheaper than a Set lookup per frame. */
  flushScheduled: boolean;
  flush(): void;
}

let dirty: Flushable[] = [];
let scheduled = false;
/** The time of the current flush pass: one clock read per pass, not one per connection or frame. */
let passStartedAt = Date.now();

/** A clock good to one event-loop turn, for rules measured in seconds (how long a connection waited). */
export function coarseNow(): number {
  return passStartedAt;
}

function flushAll(): void {
  scheduled = false;
  passStartedAt = Date.now();
  const list = dirty;
  dirty = [];
  for (const c of list) {
    c.flushScheduled = false;
    c.flush();
  }
}

export function scheduleFlush(c: Flushable): void {
  if (c.flushScheduled) return;
  c.flushScheduled = true;
  dirty.push(c);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flushAll);
  }
}
