// Instances of a node that died (docs/architecture.md "Instances of a node that died"): every node looks at the
// heartbeat of each node supervising an instance; the first to see one expired claims the job and marks that node's
// instances orphaned, and a node finding its own instances marked (it came back, or its heartbeat could not reach
// Redis for a while) records their real status again.

import type { Supervisor } from '../supervisor/supervisor';
import type { ClusterNode } from './node-bus';

export interface OrphanWatchOptions {
  /** How often to look. */
  intervalMs: number;
  /** How long a claim to mark one node's instances lasts (another node tries again after it). */
  claimMs: number;
  log: (line: string) => void;
}

/** Start watching; returns the stop function. */
export function watchOrphans(cluster: ClusterNode, supervisor: Supervisor, o: OrphanWatchOptions): () => void {
  let running = false;
  let stopped = false;
  const tick = async (): Promise<void> => {
    const owners = new Set<string>();
    for (const inst of supervisor.list(true)) {
      const owner = supervisor.ownerOf(inst.name);
      if (owner !== undefined && owner !== cluster.nodeId && !inst.orphaned_at) owners.add(owner);
    }
    for (const owner of owners) {
      if (stopped) return;
      // undefined: this node cannot judge yet (it just (re)connected); never a reason to declare anyone dead.
      if ((await cluster.nodeAlive(owner)) !== false) continue;
      if (!(await cluster.claim(`orphans:${owner}`, o.claimMs))) continue;
      const names = await supervisor.markOrphaned(owner);
      if (names.length > 0) o.log(`cluster: node '${owner}' is gone; marked its instances orphaned: ${names.join(', ')}`);
    }
    if (!stopped) await supervisor.reclaimOrphans();
  };
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = true;
    tick()
      .catch((err: Error) => o.log(`cluster: checking for orphaned instances failed: ${err.message}`))
      .finally(() => (running = false));
  }, o.intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
