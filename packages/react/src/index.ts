// @switchboard/react: a provider and hooks over the SDK client (docs/architecture.md), plus the hook shapes of the original clients (docs/compatibility.md).
export { SwitchboardProvider, type SwitchboardProviderProps } from './provider';
export { SwitchboardContext, useClient, useOptionalClient } from './context';
export { useConnectionInfo, useConnectionStatus } from './use-connection-status';
export type { ConnectionInfo } from './connection-tracker';
export { useEvent } from './use-event';
export { useStore, shallowEqual, type EqualityFn } from './use-store';
export { useWebSocket, useWebSocketEvent, type UseWebSocketOptions, type UseWebSocketResult, type WebSocketEvent } from './use-web-socket';
export {
  useSessionsWebSocket,
  reduceSessionsFrame,
  type SessionResponse,
  type SessionsState,
  type UseSessionsWebSocketOptions,
  type UseSessionsWebSocketResult,
  type WorkspaceResponse,
} from './use-sessions-web-socket';
export { useLiveStream, type LiveStreamHandle } from './use-live-stream';
export { LiveStream, type LiveStreamOptions, type LiveStreamSnapshot } from './live-stream';
export { StreamSocket, type StreamFrame, type StreamSocketInfo, type StreamSocketOptions, type StreamStatus } from './stream-socket';
export { serverBase, streamUrl } from './stream-url';
export { clientKey, type PooledClientOptions } from './client-pool';
export { DEFAULT_MAX_EVENTS, RELEASE_DELAY_MS, SESSIONS_SOCKET_PATH } from './constants';
