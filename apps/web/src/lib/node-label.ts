// The header's cluster node label, from a `/api/healthz` answer (docs/architecture.md "Cluster health").

/** "node a", with its lag when behind; null when the answer names no node (a single node). */
export function nodeLabel(health: unknown): string | null {
  const h = health as { node_id?: unknown; cluster?: { lag?: unknown } } | null;
  if (typeof h?.node_id !== 'string') return null;
  const lag = typeof h.cluster?.lag === 'number' && h.cluster.lag > 0 ? ` (${h.cluster.lag} behind)` : '';
  return `node ${h.node_id}${lag}`;
}
