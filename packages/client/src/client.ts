// The SDK entry point (docs/architecture.md): wires the connection state machine, one socket at a time, resume,
// keepalive, retry/backoff and the polling fallback to the projection store and the topic router.

import {
  SwitchboardError,
  type Cursor,
  type EventInput,
  type PublishManyResponse,
  type PublishOneResponse,
} from '@switchboard/protocol';
import type { FleetState } from '@switchboard/projections';
import type { ClientError, ClientEvents, SnapshotEvent } from './client-events';
import type { CloseInfo, Connection, ServerFrame } from './connection';
import { ConnectionState, type ConnectionStatus, type StateReason } from './connection-state';
import { FATAL_CLOSE_CODES } from './constants';
import { Dialer } from './dialer';
import { Emitter } from './emitter';
import { EventRouter, type EventHandler } from './event-router';
import { FreshnessMeter, type FreshnessStats } from './freshness';
import { BehindMeter } from './behind-meter';
import { Keepalive } from './keepalive';
import { notifyScheduler } from './notify';
import { resolveOptions, type ClientOptions, type ResolvedOptions } from './options';
import { watchPage } from './page-lifecycle';
import { Poller } from './poller';
import { RestClient, isAuthError } from './rest';
import { decideApproval, requestApproval, type ApprovalOutcome, type ApprovalRequest } from './approvals';
import type { ApprovalView, HumanDecision } from '@switchboard/protocol';
import { RetryPolicy } from './retry-policy';
import { Scheduler, systemTimers } from './scheduler';
import { SendQueue, type SendResult } from './send-queue';
import { ClientStore, type StoreListener } from './store';
import { Subscription } from './subscription';
import { TokenSource, refreshDelay, tokenExpiry } from './token-source';
import { resolveEndpoints, withToken, type Endpoints } from './url';

/** The close code of an expired or refused token (docs/security.md). */
const CLOSE_TOKEN_EXPIRED = 4401;

/** How a socket ended, as far as the retry logic cares. */
interface SocketEnd {
  /** It never got a server frame: a failed connect. */
  failed: boolean;
  /** Reason to report when the socket was open (open → reconnecting). @default socket_dropped */
  drop?: StateReason;
  closeCode: number | null;
  timedOut: boolean;
}

/**
 * A live view of one Switchboard server. Create it with `createClient`.
 *
 * @example
 * const client = createClient({ url: 'http://127.0.0.1:8000', topics: ['agent.*', 'session.*'] });
 * client.on('state', ({ to }) => console.log(statusLabel(to)));
 * const off = client.subscribe('agent.*', (e) => console.log(e.topic, e.data));
 * await client.publish('agent.started', { id: 'a1', session_id: 's1', name: 'planner' });
 * client.close();
 */
export class SwitchboardClient {
  /** Topic patterns subscribed on the server. */
  readonly topics: readonly string[];
  /** The socket and REST endpoints derived from `url`. */
  readonly endpoints: Endpoints;

  readonly #o: ResolvedOptions;
  readonly #scheduler: Scheduler;
  readonly #emitter: Emitter<ClientEvents>;
  readonly #machine: ConnectionState;
  readonly #router: EventRouter;
  readonly #store: ClientStore;
  readonly #retry: RetryPolicy;
  readonly #queue: SendQueue;
  readonly #rest: RestClient;
  readonly #poller: Poller;
  readonly #keepalive: Keepalive;
  readonly #subscription: Subscription;
  readonly #freshness: FreshnessMeter;
  /** Events up to this seq were replayed or held, not live: they say nothing about freshness. */
  #liveAfterSeq = Infinity;
  #cancelReport: (() => void) | null = null;
  readonly #behind = new BehindMeter();
  readonly #now: () => number;

  readonly #dialer: Dialer;
  #connection: Connection | null = null;
  #cancelRetry: (() => void) | null = null;
  #lastServerErrorCode: string | undefined;
  #unwatchPage: (() => void) | null = null;
  readonly #tokens: TokenSource;
  /** The token of the newest socket attempt, then the one an `auth` frame sent until `auth_ok` answers it. */
  #dialedToken: string | undefined;
  #pendingToken: string | undefined;
  #cancelRefresh: (() => void) | null = null;

  constructor(options: ClientOptions) {
    const o = resolveOptions(options);
    this.#o = o;
    this.topics = o.topics;
    const base = (globalThis as { location?: { href?: string } }).location?.href;
    this.endpoints = resolveEndpoints(o.url, base);
    this.#scheduler = new Scheduler(o.timers);
    this.#freshness = new FreshnessMeter(() => this.#scheduler.now());
    this.#emitter = new Emitter<ClientEvents>((error, event) =>
      this.#reportHandlerError(error, `a "${String(event)}" listener threw`, event === 'error'),
    );
    this.#machine = new ConnectionState((change) => this.#emitter.emit('state', change));
    this.#router = new EventRouter((error, _event, pattern) =>
      this.#reportHandlerError(error, `a handler of "${pattern}" threw`),
    );
    const timers = o.timers ?? systemTimers;
    this.#now = () => timers.now();
    this.#store = new ClientStore(
      o.topics,
      (error) => this.#reportHandlerError(error, 'an onStateChange listener threw'),
      notifyScheduler(o.notify, timers),
      () => timers.now(),
    );
    this.#subscription = new Subscription({
      topics: o.topics,
      store: this.#store,
      router: this.#router,
      emit: (event, payload) => this.#emitter.emit(event, payload),
      emitError: (source, code, message, error) => this.#emitError(source, code, message, error),
      behind: this.#behind,
      now: this.#now,
    });
    this.#retry = new RetryPolicy({
      maxReconnectAttempts: o.maxReconnectAttempts,
      failuresBeforePolling: o.failuresBeforePolling,
      backoff: o.backoff,
      random: o.random,
    });
    this.#queue = new SendQueue(o.maxQueuedFrames);
    this.#tokens = new TokenSource(o.token, o.getToken);
    const tokens = this.#tokens;
    this.#rest = new RestClient({ httpBase: this.endpoints.httpBase, token: o.token, getToken: () => tokens.current(), fetch: o.fetch });
    this.#poller = new Poller({
      rest: this.#rest,
      scheduler: this.#scheduler,
      topics: o.topics,
      intervalMs: o.pollIntervalMs,
      limit: o.pollLimit,
      cursor: () => this.#store.cursor,
      onSnapshot: (s) => this.#subscription.applySnapshot({ ...s, state: s.state as SnapshotEvent['state'], source: 'poll' }),
      onEvent: (e) => this.#subscription.acceptEvent(e),
      onError: (error) => this.#pollFailed(error),
    });
    this.#dialer = new Dialer({
      WebSocket: o.WebSocket,
      url: async () => {
        const token = await tokens.current();
        this.#dialedToken = token;
        return withToken(this.endpoints.socketUrl, token);
      },
      protocols: o.protocols,
      scheduler: this.#scheduler,
      connectTimeoutMs: o.connectTimeoutMs,
    });
    this.#keepalive = new Keepalive({
      scheduler: this.#scheduler,
      pingIntervalMs: o.pingIntervalMs,
      silenceTimeoutMs: o.silenceTimeoutMs,
      sendPing: () => this.#connection?.send(this.#freshness.pingFrame()),
      onSilence: (silentMs) => this.#silent(silentMs),
    });
    if (o.autoConnect) this.connect();
  }

  // ---- observation ---------------------------------------------------------------------------

  /** Connection status: `connecting`, `open`, `reconnecting`, `polling` or `closed`. */
  get status(): ConnectionStatus {
    return this.#machine.status;
  }

  /** The projections of the subscribed families; a new object after every change, never mutated. */
  get state(): FleetState {
    return this.#store.state;
  }

  /** Same as `state`; shaped for `useSyncExternalStore(client.onStateChange, client.getState)`. */
  getState = (): FleetState => this.#store.state;

  /**
   * Batches of changes told to `onStateChange` listeners so far (see the `notify` option). A render that keys its
   * derived values on it recomputes once per batch, not once per event.
   */
  get stateVersion(): number {
    return this.#store.version;
  }

  /**
   * How far behind the live fleet this client's listeners are (ms): how late the newest applied event arrived
   * (from the server's `ts`, relative to the most punctual event seen, so clock skew cancels out), or how long
   * applied changes have waited for their batch, whichever is more. 0 when current. A lagged snapshot resets it.
   *
   * @example
   * const behind = client.behindMs();
   * if (behind >= 1000) label += ` · ${Math.round(behind / 1000)}s behind`;
   */
  behindMs(now: number = this.#now()): number {
    const pending = this.#store.pendingSince;
    return Math.max(0, this.#behind.delayMs(now), pending === null ? 0 : now - pending);
  }

  /** Since when (ms, on the client's clock) applied changes wait for their batch; null when listeners are up to date. */
  get pendingSince(): number | null {
    return this.#store.pendingSince;
  }

  /** Where a resume starts: epoch and last applied seq; null before the first snapshot or event. */
  get cursor(): Cursor | null {
    return this.#store.cursor;
  }

  /**
   * Freshness measured end to end: how long live events took from their append on the server to their arrival
   * here (p50/p99 of the recent ones, in ms), and the estimated offset of the server's clock from this one.
   */
  stats(): FreshnessStats {
    return this.#freshness.stats();
  }

  /** Frames waiting for a socket. */
  get queuedFrames(): number {
    return this.#queue.size;
  }

  /** Listen to a client event (`state`, `snapshot`, `subscribed`, `event`, `error`, `retry`); returns the unsubscribe. */
  on<K extends keyof ClientEvents>(event: K, fn: (payload: ClientEvents[K]) => void): () => void {
    return this.#emitter.on(event, fn);
  }

  /**
   * Run `fn(state, previous)` after each batch of changes of `state` (once per animation frame by default, see the
   * `notify` option; `previous` is what the last call saw); returns the unsubscribe.
   */
  onStateChange = (fn: StoreListener): (() => void) => this.#store.subscribe(fn);

  /**
   * Call `handler` for every event whose topic matches `pattern` (`*`, `family.*` or exact), after it
   * was applied to `state`. Many handlers per pattern; returns this handler's unsubscribe. Only events of
   * the `topics` the client subscribed on the server can arrive.
   */
  subscribe<D = unknown>(pattern: string, handler: EventHandler<D>): () => void {
    return this.#router.add(pattern, handler as EventHandler);
  }

  // ---- commands ------------------------------------------------------------------------------

  /**
   * Send a frame on the socket, or queue it (in order, up to `maxQueuedFrames`) until the next socket
   * opens. Returns what happened to it.
   */
  send(frame: { type: string } & Record<string, unknown>): SendResult {
    if (typeof frame !== 'object' || frame === null || typeof frame.type !== 'string') {
      throw new TypeError('switchboard client: send() takes an object with a string `type`');
    }
    const text = JSON.stringify(frame);
    // Queued frames go first, so order holds even if a socket just opened.
    if (this.#queue.size === 0 && this.#connection?.send(text)) return 'sent';
    return this.#queue.push(text) ? 'queued' : 'dropped';
  }

  /**
   * Append events through `POST /api/events`: one (`publish(topic, data)` → `{epoch, seq, id}`) or
   * several atomically (`publish([{topic, data}, …])` → `{epoch, seqs}`). Rejects with a
   * `SwitchboardError` carrying the server's code (e.g. `validation_failed`, `reserved_topic`).
   */
  publish<D = unknown>(topic: string, data: D): Promise<PublishOneResponse>;
  publish(events: EventInput[]): Promise<PublishManyResponse>;
  publish(topicOrEvents: string | EventInput[], data?: unknown): Promise<PublishOneResponse | PublishManyResponse> {
    if (Array.isArray(topicOrEvents)) return this.#rest.publish(topicOrEvents);
    return this.#rest.publish({ topic: topicOrEvents, data });
  }

  /** Start connecting (only needed with `autoConnect: false` or after `close()`); no-op unless closed. */
  /**
   * Ask a person whether a tool may run (docs/protocol.md, "Approvals"): `POST /api/approvals`, then wait for the
   * decision on the socket (when the client's topics reach `approval.*`) and the long-poll alongside. Resolves with
   * `allow`, `deny` or `expired`; `signal` stops the wait (the approval stays pending until decided or expired).
   */
  requestApproval(request: ApprovalRequest, options: { signal?: AbortSignal } = {}): Promise<ApprovalOutcome> {
    return requestApproval({ rest: this.#rest, subscribe: (p, h) => this.subscribe(p, h) }, request, options.signal);
  }

  /** Answer an approval; rejects with `conflict` once it is decided or expired. */
  decide(id: string, decision: HumanDecision, reason?: string): Promise<ApprovalView> {
    return decideApproval(this.#rest, id, decision, reason);
  }

  connect(): void {
    if (this.#machine.status !== 'closed') return;
    this.#retry.reset();
    this.#machine.transition('connecting', { code: 'connect_requested' });
    if (this.#o.pageTarget) {
      this.#unwatchPage = watchPage(this.#o.pageTarget, {
        onUnload: (event) => this.#shutdown({ code: 'page_unload', event }),
        onOnline: () => this.#retryNow(),
      });
    }
    void this.#openSocket(0);
  }

  /** Close the socket with 1000, stop polling and every timer, and move to `closed`. Idempotent. */
  close(): void {
    if (this.#machine.status === 'closed') return;
    this.#shutdown({ code: 'client_closed' });
  }

  // ---- socket lifecycle ----------------------------------------------------------------------

  async #openSocket(attempt: number): Promise<void> {
    this.#cancelRetry = null;
    const failure = await this.#dialer.dial(
      {
        onOpen: (c) => this.#current(c) && this.#opened(c, attempt),
        onFrame: (c, frame) => this.#current(c) && this.#frame(c, frame),
        onInvalidFrame: (c, reason) => this.#current(c) && this.#emitError('protocol', 'invalid_frame', reason, null),
        onClose: (c, info) => this.#current(c) && this.#closed(c, info),
      },
      (c) => (this.#connection = c),
    );
    if (!failure || this.#machine.is('closed')) return;
    this.#emitError('socket', failure.code, (failure.error as Error)?.message ?? String(failure.error), failure.error);
    this.#socketEnded({ failed: true, closeCode: null, timedOut: false });
  }

  /** Whether `c` is the live attempt; callbacks of superseded sockets are ignored. */
  #current(c: Connection): boolean {
    return c === this.#connection && this.#dialer.isCurrent(c);
  }

  #opened(connection: Connection, attempt: number): void {
    this.#poller.stop();
    // Subscribe before announcing `open`, so a frame a `state` listener sends can never precede it.
    // Resume from the last applied event; the server answers recovered:true or sends a snapshot.
    connection.send(JSON.stringify(this.#subscription.subscribeFrame()));
    this.#machine.transition('open', { code: 'socket_opened', attempt });
    if (!this.#current(connection)) return; // a `state` listener closed the client
    this.#keepalive.start();
    this.#scheduleRefresh(connection, this.#dialedToken);
    this.#queue.flush((text) => connection.send(text));
    if (this.#o.freshnessReportMs > 0) {
      // The clock offset comes from the keepalive pings (they carry `t`), so no extra frame is ever sent for it.
      this.#cancelReport = this.#scheduler.every(this.#o.freshnessReportMs, () => {
        const report = this.#freshness.takeReport();
        if (report) this.#connection?.send(report);
      });
    }
  }

  // ---- token refresh (docs/protocol.md, "Auth") ------------------------------------------------

  /** Ask `getToken()` again shortly before `token` expires; nothing to do for a fixed or expiry-less token. */
  #scheduleRefresh(connection: Connection, token: string | undefined): void {
    this.#cancelRefresh?.();
    this.#cancelRefresh = null;
    const exp = token && this.#tokens.refreshable ? tokenExpiry(token) : null;
    if (exp === null) return;
    this.#cancelRefresh = this.#scheduler.after(refreshDelay(exp, this.#scheduler.now()), () => void this.#refresh(connection, exp));
  }

  async #refresh(connection: Connection, exp: number): Promise<void> {
    this.#cancelRefresh = null;
    let token: string | undefined;
    let problem: unknown;
    try {
      token = await this.#tokens.current();
      const next = token ? tokenExpiry(token) : null;
      // A token that expires no later would be sent again at once, and again: wait for a newer one instead.
      if (next !== null && next <= exp) problem = new Error('getToken() returned a token that expires no later than the current one');
    } catch (error) {
      problem = error;
    }
    if (!this.#current(connection)) return;
    if (problem !== undefined || !token) {
      this.#emitError('token', 'token_refresh_failed', (problem as Error)?.message ?? String(problem), problem);
      // Try again while the current token still holds; the server closes with 4401 when it runs out.
      const left = exp * 1000 - this.#scheduler.now();
      if (left > 1000) this.#cancelRefresh = this.#scheduler.after(Math.min(5000, left / 2), () => void this.#refresh(connection, exp));
      return;
    }
    this.#pendingToken = token;
    connection.send(JSON.stringify({ type: 'auth', token }));
  }

  #closed(connection: Connection, info: CloseInfo): void {
    const errorCode = this.#lastServerErrorCode; // the error frame that usually precedes a fatal close
    this.#dropConnection(connection, false);
    // An expired token is fatal only when there is no way to get another one.
    const renewable = info.code === CLOSE_TOKEN_EXPIRED && this.#tokens.refreshable;
    if (info.code !== null && FATAL_CLOSE_CODES.has(info.code) && !renewable) {
      this.#shutdown({
        code: 'server_rejected',
        closeCode: info.code,
        closeReason: info.reason,
        ...(errorCode ? { errorCode } : {}),
      });
      return;
    }
    this.#socketEnded({
      failed: connection.framesReceived === 0,
      drop: { code: 'socket_dropped', closeCode: info.code ?? 1006, closeReason: info.reason },
      closeCode: info.code,
      timedOut: info.timedOut,
    });
  }

  #silent(silentMs: number): void {
    const connection = this.#connection;
    if (!connection) return;
    this.#dropConnection(connection, true);
    this.#socketEnded({
      failed: connection.framesReceived === 0,
      drop: { code: 'heartbeat_timeout', silentMs },
      closeCode: null,
      timedOut: true,
    });
  }

  /** Forget the live socket (closing it if still up) and everything tied to it. */
  #dropConnection(connection: Connection, terminate: boolean): void {
    connection.detach({ terminate });
    if (this.#connection === connection) this.#connection = null;
    this.#keepalive.stop();
    this.#cancelRefresh?.();
    this.#cancelRefresh = null;
    this.#pendingToken = undefined;
    this.#cancelReport?.();
    this.#cancelReport = null;
    this.#liveAfterSeq = Infinity;
    this.#subscription.reset();
    this.#lastServerErrorCode = undefined;
  }

  /** A socket attempt is over: back off and retry, fall back to polling, or give up. */
  #socketEnded(end: SocketEnd): void {
    const decision = this.#retry.next(end.failed);
    if (decision.action === 'give_up') {
      this.#shutdown({ code: 'retries_exhausted', attempts: decision.attempts });
      return;
    }
    // `state` listeners may call close() during any transition below; stop as soon as that happens.
    if (this.#machine.is('open')) {
      this.#machine.transition('reconnecting', end.drop ?? { code: 'socket_dropped', closeCode: end.closeCode ?? 1006, closeReason: '' });
    }
    if (this.#machine.is('closed')) return;
    if (decision.poll && !this.#machine.is('polling')) {
      this.#machine.transition('polling', { code: 'polling_fallback', failures: decision.failures });
      if (this.#machine.is('closed')) return;
      this.#poller.start();
    } else if (this.#machine.is('connecting')) {
      this.#machine.transition('reconnecting', {
        code: 'connect_failed',
        failures: decision.failures,
        closeCode: end.closeCode,
        timedOut: end.timedOut,
      });
    }
    this.#emitter.emit('retry', { attempt: decision.attempt, delayMs: decision.delayMs, failures: decision.failures });
    if (this.#machine.is('closed')) return; // a `retry` or `state` listener closed the client
    this.#cancelRetry = this.#scheduler.after(decision.delayMs, () => void this.#openSocket(decision.attempt));
  }

  /** The network is back (`online`): skip the rest of the backoff wait. */
  #retryNow(): void {
    if (!this.#cancelRetry) return;
    this.#cancelRetry();
    void this.#openSocket(this.#retry.attempts);
  }

  /** The one way to `closed`: stop every socket, poll and timer, then report the move. */
  #shutdown(reason: StateReason): void {
    if (this.#machine.is('closed')) return;
    this.#dialer.supersede();
    if (this.#connection) this.#dropConnection(this.#connection, false);
    this.#cancelRetry?.();
    this.#cancelRetry = null;
    this.#poller.stop();
    this.#keepalive.stop();
    this.#queue.clear();
    this.#scheduler.cancelAll();
    this.#unwatchPage?.();
    this.#unwatchPage = null;
    this.#retry.reset();
    // Listeners see the last state before `closed`, not a frame later.
    this.#store.flush();
    this.#machine.transition('closed', reason);
  }

  #pollFailed(error: unknown): 'retry' | 'stop' {
    const code = error instanceof SwitchboardError ? ((error.details?.server_code as string | undefined) ?? error.code) : 'unavailable';
    this.#emitError('poll', code, (error as Error)?.message ?? String(error), error);
    if (isAuthError(error)) {
      this.#shutdown({ code: 'poll_rejected', errorCode: code, status: error.status });
      return 'stop';
    }
    return 'retry';
  }

  // ---- frames --------------------------------------------------------------------------------

  #frame(connection: Connection, frame: ServerFrame): void {
    this.#keepalive.touch();
    // A server frame proves the socket works: backoff and failure counts start over (docs/architecture.md).
    this.#retry.reset();
    switch (frame.type) {
      case 'subscribed':
        this.#liveAfterSeq = Number(frame.seq);
        return this.#subscription.onSubscribed(frame);
      case 'snapshot':
        return this.#subscription.onSnapshotFrame(frame, () => this.#current(connection));
      case 'error':
        this.#lastServerErrorCode = String(frame.code);
        return this.#emitError('server', String(frame.code), String(frame.message ?? ''), frame);
      case 'auth_ok': {
        const token = this.#pendingToken;
        this.#pendingToken = undefined;
        return this.#scheduleRefresh(connection, token);
      }
      case 'pong':
        return this.#freshness.onPong(frame as { t?: unknown; server_ts?: unknown });
      case 'unsubscribed':
        return;
    }
    if (typeof frame.seq === 'number' && frame.seq > this.#liveAfterSeq) this.#freshness.onEvent(frame.ts);
    this.#subscription.onEventFrame(frame);
  }

  // ---- errors --------------------------------------------------------------------------------

  #emitError(source: ClientError['source'], code: string, message: string, error: unknown): void {
    this.#emitter.emit('error', { source, code, message, error });
  }

  #reportHandlerError(error: unknown, message: string, fromErrorListener = false): void {
    if (!fromErrorListener && this.#emitter.count('error') > 0) {
      this.#emitError('handler', 'handler_threw', `${message}: ${(error as Error)?.message ?? error}`, error);
    } else {
      // Nobody listens for errors (or the error listener itself threw): do not swallow a bug in user code.
      console.error(`switchboard client: ${message}`, error);
    }
  }
}

/**
 * Create a client and (unless `autoConnect: false`) start connecting.
 *
 * @example
 * import { createClient, statusLabel } from '@switchboard/client';
 * const client = createClient({ url: 'http://127.0.0.1:8000', topics: ['task.*'] });
 * client.subscribe('task.completed', (e) => toast(`${e.data.id} done`));
 */
export function createClient(options: ClientOptions): SwitchboardClient {
  return new SwitchboardClient(options);
}
