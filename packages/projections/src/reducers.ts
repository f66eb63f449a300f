// The family reducers, by state key. A family without a reducer keeps its initial slice.

import { reducePlans } from './plans';
import type { FleetState, SliceReducer, StateKey } from './state';
import { reduceWorkspaces } from './workspaces';

export const REDUCERS: { [K in StateKey]?: SliceReducer<FleetState[K]> } = {
  workspaces: reduceWorkspaces,
  plans: reducePlans,
};
