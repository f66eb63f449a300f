// @switchboard/testkit (private): real servers, raw frame clients and wait helpers for tests.
export * from './wait-for';
export * from './raw-client';
export * from './test-server';
export * from './process-alive';
