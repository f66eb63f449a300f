// Cluster mode: which node this dashboard is talking to (docs/architecture.md "Cluster health"). Asked again at each
// (re)connection, since behind a load balancer a reconnect may land on another node. Nothing on a single node.

import { useEffect, useState } from 'react';
import { useConnectionInfo } from '@switchboard/react';
import { api } from '../lib/api';
import { nodeLabel } from '../lib/node-label';

export function NodeBadge() {
  const { status } = useConnectionInfo();
  const [label, setLabel] = useState<string | null>(null);
  useEffect(() => {
    if (status !== 'open') return;
    const abort = new AbortController();
    api('GET', '/api/healthz', undefined, abort.signal).then(
      (h) => setLabel(nodeLabel(h)),
      () => undefined,
    );
    return () => abort.abort();
  }, [status]);
  if (label === null) return null;
  return (
    <span className="node-badge" data-testid="node-badge" title="The cluster node this dashboard is connected to">
      {label}
    </span>
  );
}
