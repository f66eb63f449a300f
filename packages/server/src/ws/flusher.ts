// One flush per event-loop turn for every connection with queued frames: frames published in the same turn
// leave as one write per socket instead of one write each.

export interface Flushable {
  /** Set while the connection sits in the dirty list; a flag is cheaper than a Set lookup per frame. */
  flushScheduled: boolean;
  flush(): void;
}

let dirty: Flushable[] = [];
let scheduled = false;

function flushAll(): void {
  scheduled = false;
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
