// Everything the dashboard renders, kept outside React: the SDK's state, the bounded activity feed and the connection
// status. Listeners hear about every change; the React side throttles how often it actually renders (app.tsx).

import type { ConnectionStatus, SendResult, StateChange, SwitchboardClient } from '@switchboard/client';
import type { FleetState } from '@switchboard/projections';
import { FEED_LIMIT, TUI_TOPICS } from './constants';
import { INITIAL_INSTANCES, type InstancesState } from './instances';
import { openInstancesStream, type InstancesStreamOptions } from './instances-stream';
import { appendFeed, feedEntryFor, type FeedEntry, type FeedLevel } from './view-model';

/** The part of the SDK client the dashboard uses (a `SwitchboardClient` fits). */
export type DashboardClient = Pick<
  SwitchboardClient,
  'state' | 'status' | 'queuedFrames' | 'endpoints' | 'on' | 'subscribe' | 'onStateChange' | 'send' | 'close' | 'decide'
> &
  Partial<Pick<SwitchboardClient, 'behindMs'>>;

/** An immutable picture of the dashboard's data at one moment. */
export interface DashboardView {
  fleet: FleetState;
  /** Oldest first, at most `feedLimit` entries. */
  feed: readonly FeedEntry[];
  status: ConnectionStatus;
  /** When the SDK's next reconnect attempt starts (ms since epoch), while reconnecting or polling; else null. */
  retryAtMs: number | null;
  /** Frames `send()` queued while no socket was open; the SDK flushes them on reconnect. */
  queuedFrames: number;
  /** The server's base URL. */
  url: string;
  /** Approval requests that arrived since the inbox was last open. */
  unread: number;
  /** Supervised instances from `/ws/instances`; empty and not loaded until `watchInstances()`. */
  instances: InstancesState;
  /** Where the instances stream stands: null before `watchInstances()`. */
  instancesLink: InstancesLink | null;
}

/** The instances stream's connection, for the view's title. */
export interface InstancesLink {
  status: 'connecting' | 'open' | 'reconnecting' | 'polling' | 'closed';
  /** Why it stopped for good, or the last polling failure. */
  error: string | null;
}

export interface DashboardStoreOptions {
  /** Activity feed entries kept. @default 200 (FEED_LIMIT) */
  feedLimit?: number;
  /** Clock for retry deadlines and connection notes. @default Date.now */
  now?: () => number;
  /** Token for the instances stream (the SDK client keeps its own). */
  token?: string;
  /** Extra options of the instances stream (tests: a short polling period). */
  instances?: Omit<InstancesStreamOptions, 'httpBase' | 'token'>;
}

export interface DashboardStore {
  /** The current view; the same object until something changes. */
  getView(): DashboardView;
  /** Call `listener` after every change; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
  /** How far behind the fleet the client is now (ms, the SDK's `behindMs()`); 0 when current. */
  behindMs(): number;
  /** Send a `ping` frame through the SDK: sent at once when live, queued and flushed on reconnect otherwise. */
  ping(): SendResult;
  /**
   * Answer approvals (docs/protocol.md, "Approvals"), one request each; the outcome goes to the activity feed. Resolves
   * when every answer is back; never rejects.
   */
  decide(ids: readonly string[], decision: 'allow' | 'deny', reason?: string): Promise<void>;
  /** The inbox is on screen: every request so far has been seen. */
  markInboxRead(): void;
  /** Start following `/ws/instances` (once; it keeps running until `close()`), for the instances view. */
  watchInstances(): void;
  /** Stop listening to the client and close it (close code 1000). Idempotent. */
  close(): void;
}

/**
 * Wire a dashboard store to `client`: one subscription per dashboard topic family feeds the activity feed, and
 * the client's `state`/`retry` events drive the connection indicator.
 *
 * @example
 * const client = createClient({ url, topics: TUI_TOPICS });
 * const store = createDashboardStore(client);
 * store.subscribe(() => console.log(store.getView().status));
 */
export function createDashboardStore(client: DashboardClient, options: DashboardStoreOptions = {}): DashboardStore {
  const feedLimit = options.feedLimit ?? FEED_LIMIT;
  const now = options.now ?? Date.now;
  const listeners = new Set<() => void>();
  let feed: FeedEntry[] = [];
  let retryAtMs: number | null = null;
  let noteCount = 0;
  /** A failing poll repeats every few seconds; one note per outage is enough. */
  let pollErrorNoted = false;
  let view: DashboardView | null = null;
  let closed = false;
  let unread = 0;
  let instances: ReturnType<typeof openInstancesStream> | null = null;

  const changed = () => {
    view = null;
    for (const listener of [...listeners]) listener();
  };
  const note = (level: FeedLevel, icon: string, text: string) => {
    feed = appendFeed(feed, { key: `c${++noteCount}`, ts: new Date(now()).toISOString(), level, icon, text }, feedLimit);
  };

  const offs: Array<() => void> = [];
  for (const pattern of TUI_TOPICS) {
    offs.push(
      client.subscribe(pattern, (event) => {
        // Handlers run after the event was applied, so `client.state` already knows the agent or session named.
        const entry = feedEntryFor(event, client.state);
        if (entry) feed = appendFeed(feed, entry, feedLimit);
        if (event.topic === 'approval.requested') unread++;
        changed();
      }),
    );
  }
  offs.push(client.onStateChange(changed));
  offs.push(
    client.on('retry', ({ delayMs }) => {
      retryAtMs = now() + delayMs;
      changed();
    }),
  );
  offs.push(
    client.on('state', (change) => {
      if (change.to === 'open' || change.to === 'closed') retryAtMs = null;
      if (change.to === 'open') pollErrorNoted = false;
      noteConnection(change, note);
      changed();
    }),
  );
  offs.push(
    // Listening also keeps the SDK from printing handler errors with console.error over the dashboard.
    client.on('error', ({ source, code, message }) => {
      if (source === 'poll') {
        if (pollErrorNoted) return;
        pollErrorNoted = true;
      }
      note('error', '!', `${source} error ${code}${message ? `: ${message}` : ''}`);
      changed();
    }),
  );

  return {
    getView() {
      view ??= {
        fleet: client.state,
        feed,
        status: client.status,
        retryAtMs,
        queuedFrames: client.queuedFrames,
        url: client.endpoints.httpBase,
        unread,
        instances: instances?.snapshot.data ?? INITIAL_INSTANCES,
        instancesLink: instances ? linkOf(instances.snapshot) : null,
      };
      return view;
    },
    behindMs() {
      return client.behindMs?.() ?? 0;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    ping() {
      const result = client.send({ type: 'ping' });
      if (result === 'queued') note('info', '↑', `ping queued (${client.queuedFrames} waiting); sent on reconnect`);
      else if (result === 'dropped') note('warning', '↑', 'ping dropped: the send queue is full');
      else note('info', '↑', 'ping sent');
      changed();
      return result;
    },
    async decide(ids, decision, reason) {
      const results = await Promise.allSettled(ids.map((id) => client.decide(id, decision, reason)));
      let done = 0;
      let conflicts = 0;
      for (const r of results) {
        if (r.status === 'fulfilled') done++;
        else if ((r.reason as { code?: string })?.code === 'conflict') conflicts++;
        else note('error', '!', `decision failed: ${(r.reason as Error)?.message ?? r.reason}`);
      }
      const verb = decision === 'allow' ? 'approved' : 'denied';
      if (done > 0) note('success', '✓', `${verb} ${done} request${done === 1 ? '' : 's'}`);
      if (conflicts > 0) note('warning', '!', `${conflicts} already decided by someone else (or expired)`);
      if (!closed) changed();
    },
    markInboxRead() {
      if (unread === 0) return;
      unread = 0;
      changed();
    },
    watchInstances() {
      if (instances || closed) return;
      instances = openInstancesStream({ ...options.instances, httpBase: client.endpoints.httpBase, token: options.token });
      offs.push(instances.subscribe(changed));
      const stream = instances;
      offs.push(() => stream.close());
      changed();
    },
    close() {
      if (closed) return;
      closed = true;
      for (const off of offs) off();
      listeners.clear();
      client.close();
    },
  };
}

function linkOf(s: ReturnType<typeof openInstancesStream>['snapshot']): InstancesLink {
  if (s.polling) return { status: 'polling', error: s.pollError };
  const status = s.status === 'idle' ? 'connecting' : s.status;
  return { status, error: s.error ? `${s.error.code}${s.error.message ? `: ${s.error.message}` : ''}` : null };
}

/** Connection changes worth a line in the feed: losing the socket, polling, coming back, giving up. */
function noteConnection(change: StateChange, note: (level: FeedLevel, icon: string, text: string) => void): void {
  const { from, to, reason } = change;
  if (to === 'open' && from !== 'connecting') note('success', '●', 'reconnected: live again');
  else if (to === 'reconnecting' && from === 'open') note('warning', '◌', 'connection lost: reconnecting');
  else if (to === 'polling') note('warning', '◍', 'live updates unavailable: polling');
  else if (to === 'closed' && reason.code !== 'client_closed') note('error', '✕', `disconnected (${reason.code})`);
}
