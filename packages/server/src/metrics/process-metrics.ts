// prom-client's standard process and Node.js metrics (CPU, memory, heap, event-loop lag, GC, handles). They
// describe the process, not a server, and their collectors (an event-loop delay monitor, a GC observer) cannot be
// stopped; so they live in one registry per process, made on the first scrape and shared by every server in it.

import { Registry, collectDefaultMetrics } from 'prom-client';

let registry: Registry | undefined;

export function processMetrics(): Registry {
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}
