// Readiness (docs/operations.md): whether this node should receive traffic now. `/api/healthz` answers liveness
// (the process serves HTTP); `/api/readyz` asks every check below, and says no from the moment a graceful
// shutdown begins, so a load balancer stops sending clients before the sockets close.

import { SwitchboardError } from '@switchboard/protocol';
import type { ClusterHealth } from '../app';
import type { Router } from '../http/router';

/** A check returns why the node is not ready, or null. */
export type ReadinessCheck = () => string | null | Promise<string | null>;

export class Readiness {
  private shutdownBegun = false;

  constructor(private readonly checks: readonly ReadinessCheck[]) {}

  beginShutdown(): void {
    this.shutdownBegun = true;
  }

  get shuttingDown(): boolean {
    return this.shutdownBegun;
  }

  /** The first reason this node is not ready, or null when it is. */
  async notReadyReason(): Promise<string | null> {
    if (this.shutdownBegun) return 'the server is shutting down';
    for (const check of this.checks) {
      try {
        const reason = await check();
        if (reason !== null) return reason;
      } catch (err) {
        return `readiness check failed: ${(err as Error).message}`;
      }
      // A shutdown that began while a check awaited Redis wins over its answer.
      if (this.shutdownBegun) return 'the server is shutting down';
    }
    return null;
  }
}

/**
 * `GET /api/readyz`: 200 `{"status":"ready"}`, or 503 `unavailable` whose message is the reason. In cluster mode both
 * also name the node and where it stands (`node_id`, `cluster`: epoch, caught-up seq, lag), as `/api/healthz` does.
 */
export function registerReadyz(router: Router, readiness: Readiness, clusterHealth?: () => Promise<ClusterHealth>): void {
  router.get('/api/readyz', async () => {
    const reason = await readiness.notReadyReason();
    const cluster = clusterHealth ? await clusterHealth().catch(() => undefined) : undefined;
    const where = cluster ? { node_id: cluster.node_id, cluster } : {};
    if (reason !== null) throw new SwitchboardError('unavailable', `not ready: ${reason}`, { details: { reason, ...where } });
    return { body: { status: 'ready', ...where } };
  });
}
