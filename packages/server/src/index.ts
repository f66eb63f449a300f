// @switchboard/server: the Switchboard server.
export { startServer, type RunningServer } from './server';
export { defaultConfig, isLoopbackHost, type ServerConfig } from './config';
export type { App, Feature } from './app';
export type { StoredEvent, EventStore } from './store/event-store';
export { createToken, verifyToken, parseTtl, type Role, type TokenClaims } from './auth/tokens';
