// The client's connection state machine (docs/architecture.md): the allowed moves as data, and the one funnel that
// changes the state. Pure: no sockets, no timers; the client reacts to the `state` changes it reports.

/** Connection states of the SDK (docs/architecture.md). */
export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'polling' | 'closed';

/** Every state, in the order a connection usually walks them. */
export const CONNECTION_STATUSES: readonly ConnectionStatus[] = ['connecting', 'open', 'reconnecting', 'polling', 'closed'];

/**
 * Why a state changed: a code with data, never prose. "We closed it" (`client_closed`, `page_unload`)
 * and "it dropped" (`socket_dropped`, `heartbeat_timeout`) are different codes.
 */
export type StateReason =
  /** `connect()` was called (or `createClient` with `autoConnect`). */
  | { code: 'connect_requested' }
  /** A WebSocket finished its handshake; `attempt` is the reconnect attempt that opened it (0 = first connect). */
  | { code: 'socket_opened'; attempt: number }
  /** An open socket closed without us asking. */
  | { code: 'socket_dropped'; closeCode: number; closeReason: string }
  /** No frame from the server for `silentMs`; the socket was dropped by the client. */
  | { code: 'heartbeat_timeout'; silentMs: number }
  /** A connect did not produce a working socket; `failures` counts them in a row. */
  | { code: 'connect_failed'; failures: number; closeCode: number | null; timedOut: boolean }
  /** `failures` connects in a row failed: REST polling takes over while the socket keeps retrying. */
  | { code: 'polling_fallback'; failures: number }
  /** `maxReconnectAttempts` reconnects failed in a row. */
  | { code: 'retries_exhausted'; attempts: number }
  /** The server closed with a code after which retrying cannot help (see `FATAL_CLOSE_CODES`). */
  | { code: 'server_rejected'; closeCode: number; closeReason: string; errorCode?: string }
  /** The polling fallback got an answer after which retrying cannot help (401, 403). */
  | { code: 'poll_rejected'; errorCode: string; status: number }
  /** `close()` was called. */
  | { code: 'client_closed' }
  /** The page is going away (browsers: `pagehide` / `beforeunload`). */
  | { code: 'page_unload'; event: string };

export type StateReasonCode = StateReason['code'];

/** Payload of the `state` event. */
export interface StateChange {
  from: ConnectionStatus;
  to: ConnectionStatus;
  reason: StateReason;
}

/**
 * The allowed moves: `TRANSITIONS[from]` lists every state `from` may move to. Anything else is a bug in
 * the client and `transition()` throws. `closed` is reachable from everywhere (close(), fatal errors).
 */
export const TRANSITIONS: Readonly<Record<ConnectionStatus, readonly ConnectionStatus[]>> = {
  closed: ['connecting'],
  connecting: ['open', 'reconnecting', 'polling', 'closed'],
  open: ['reconnecting', 'closed'],
  reconnecting: ['open', 'polling', 'closed'],
  polling: ['open', 'closed'],
};

/** Whether the table allows `from → to`. A state never moves to itself. */
export function canTransition(from: ConnectionStatus, to: ConnectionStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Human label of a status, e.g. for a header indicator (docs/architecture.md names the polling one). */
export function statusLabel(status: ConnectionStatus): string {
  switch (status) {
    case 'connecting':
      return 'Connecting…';
    case 'open':
      return 'Live';
    case 'reconnecting':
      return 'Reconnecting…';
    case 'polling':
      return 'Live updates unavailable — polling';
    case 'closed':
      return 'Offline';
  }
}

/**
 * Holds the current status. `transition(to, reason)` is the only way to change it: it checks the move
 * against `TRANSITIONS`, updates the state and reports `{ from, to, reason }` to `onChange`.
 */
export class ConnectionState {
  #status: ConnectionStatus;
  readonly #onChange: (change: StateChange) => void;

  /** @param initial @default 'closed' */
  constructor(onChange: (change: StateChange) => void, initial: ConnectionStatus = 'closed') {
    this.#status = initial;
    this.#onChange = onChange;
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  is(...statuses: ConnectionStatus[]): boolean {
    return statuses.includes(this.#status);
  }

  /** Move to `to`. Throws on a move the table refuses: that is a client bug, not a runtime condition. */
  transition(to: ConnectionStatus, reason: StateReason): StateChange {
    const from = this.#status;
    if (!canTransition(from, to)) {
      throw new Error(`switchboard client: refused state move ${from} → ${to} (${reason.code}); see TRANSITIONS`);
    }
    this.#status = to;
    const change = { from, to, reason };
    this.#onChange(change);
    return change;
  }
}
