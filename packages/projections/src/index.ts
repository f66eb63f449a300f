// @switchboard/projections: pure (state, event) → state reducers shared by the server and the SDK.
export * from './state';
export * from './fleet';
export * from './constants';
export { reduceSessions } from './sessions';
export { reduceAgents } from './agents';
export { reduceSwarms } from './swarms';
export { reduceMetrics } from './metrics';
export { reduceTasks } from './tasks';
export { reduceDocuments } from './documents';
export { reduceSearches } from './searches';
export * from './workspaces';
export * from './plans';
export * from './instances';
export * from './messages';
export * from './approvals';
export { REDUCERS } from './reducers';
