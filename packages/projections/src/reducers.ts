// The family reducers, by state key. A family without a reducer keeps its initial slice.

import { reduceAgents } from './agents';
import { reduceApprovals } from './approvals';
import { reduceDocuments } from './documents';
import { reduceMetrics } from './metrics';
import { reducePlans } from './plans';
import { reduceSearches } from './searches';
import { reduceSessions } from './sessions';
import { instancesSliceReducer } from './instances';
import { messagesSliceReducer } from './messages';
import type { FleetState, SliceReducer, StateKey } from './state';
import { reduceSwarms } from './swarms';
import { reduceTasks } from './tasks';
import { reduceWorkspaces } from './workspaces';

/** Reducer of each state key; `applyEvent` routes an event to the one of its family (FAMILY_STATE_KEY). */
export const REDUCERS: { [K in StateKey]?: SliceReducer<FleetState[K]> } = {
  sessions: reduceSessions,
  agents: reduceAgents,
  swarms: reduceSwarms,
  metrics: reduceMetrics,
  tasks: reduceTasks,
  documents: reduceDocuments,
  searches: reduceSearches,
  workspaces: reduceWorkspaces,
  plans: reducePlans,
  instances: instancesSliceReducer,
  messages: messagesSliceReducer,
  approvals: reduceApprovals,
};
