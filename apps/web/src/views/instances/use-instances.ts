// Instances, live from `/ws/instances` (docs/control-plane.md): a snapshot, then deltas; REST polling of
// `GET /api/instances` every 5 s after 3 failed connects (the control-plane contract's original interval).

import type { InstanceInfo } from '@switchboard/protocol';
import { useLiveStream } from '@switchboard/react';
import { api } from '../../lib/api';
import { wsUrl } from '../../lib/stream-url';
import { INITIAL_INSTANCES as INITIAL, reduceInstances, type InstancesState } from './instances-reducer';

export type { InstanceRow } from './instances-reducer';

/** What the user asked for; resent on every new socket, whose server side starts at false. */
let wantArchived = false;

export function useInstances() {
  const url = wsUrl('/ws/instances');
  const live = useLiveStream<InstancesState>(url, () => ({
    url,
    initial: INITIAL,
    reduce: reduceInstances,
    pollIntervalMs: 5000,
    onOpen: (send) => {
      if (wantArchived) send({ type: 'set_include_archived', value: true });
    },
    poll: async (_state, signal) => {
      const body = await api<{ instances: InstanceInfo[]; include_archived: boolean }>(
        'GET',
        `/api/instances${wantArchived ? '?include_archived=true' : ''}`,
        undefined,
        signal,
      );
      return reduceInstances(INITIAL, { type: 'snapshot', ...body });
    },
  }));
  const setIncludeArchived = (value: boolean) => {
    wantArchived = value;
    live.send({ type: 'set_include_archived', value });
  };
  return { ...live, setIncludeArchived };
}
