// @switchboard/client: the isomorphic SDK (docs/architecture.md). Browsers and Node 20 share this API.
export { createClient, SwitchboardClient } from './client';
export type { ClientOptions } from './options';
export type { GetToken } from './token-source';
export type { ClientEvents, ClientError, ClientErrorSource, RetryEvent, SnapshotEvent, SubscribedEvent } from './client-events';
export {
  CONNECTION_STATUSES,
  TRANSITIONS,
  ConnectionState,
  canTransition,
  statusLabel,
  type ConnectionStatus,
  type StateChange,
  type StateReason,
  type StateReasonCode,
} from './connection-state';
export { EventRouter, type EventHandler, type SwitchboardEvent } from './event-router';
export { ClientStore, isDuplicate, replaceFamilies, type AcceptResult } from './store';
export { RetryPolicy, type BackoffFn, type RetryDecision, type RetryPolicyOptions } from './retry-policy';
export { RestClient, errorFromResponse, type FetchFn } from './rest';
export { waitForApproval, type ApprovalOutcome, type ApprovalRequest } from './approvals';
export { resolveEndpoints, withToken, type Endpoints } from './url';
export type { SendResult } from './send-queue';
export type { FreshnessStats } from './freshness';
export type { Timers } from './scheduler';
export { Batcher, notifyScheduler, type NotifyMode, type NotifyScheduler } from './notify';
export { BehindMeter, BEHIND_QUIET_MS } from './behind-meter';
export type { PageTarget } from './page-lifecycle';
export type { WebSocketConstructor, WebSocketLike } from './websocket';
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_QUEUED_FRAMES,
  DEFAULT_POLL_INTERVAL_MS,
  EVENTS_SOCKET_PATH,
  FATAL_CLOSE_CODES,
} from './constants';
export { SwitchboardError } from '@switchboard/protocol';
