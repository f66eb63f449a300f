// @switchboard/projections: pure (state, event) → state reducers shared by the server and the SDK.
export * from './state';
export * from './fleet';
export * from './workspaces';
export * from './plans';
export { REDUCERS } from './reducers';
