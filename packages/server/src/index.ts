// @switchboard/server: the Switchboard server.
export { startServer, type RunningServer } from './server';
export { defaultConfig, isLoopbackHost, type ServerConfig } from './config';
export type { App, Feature } from './app';
export type { StoredEvent, EventStore } from './store/event-store';
export { createLegacyToken, verifyLegacyToken, parseTtl, type LegacyRole } from './auth/tokens';
export { mintToken, type MintOptions } from './auth/jwt';
export { ROLES, isRole, type Role, type Principal } from './auth/principal';
export { isInstanceGlob } from './auth/scope';
