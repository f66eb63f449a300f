// The family reducers, by state key. A family without a reducer keeps its initial slice.

import type { FleetState, SliceReducer, StateKey } from './state';

export const REDUCERS: { [K in StateKey]?: SliceReducer<FleetState[K]> } = {};
