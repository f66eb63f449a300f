// Where `switchboard tail` connects: a ws://, http:// or bare-path argument resolved to one WebSocket URL.

/** A resolved tail target. */
export interface TailTarget {
  /** ws:// or wss:// URL to open, query included. */
  url: string;
  /**
   * `events` for `/ws/events` and `/ws/agents` (subscribe, resume); `logs` for `/ws/instances/NAME/logs` (resume
   * at the last position, docs/control-plane.md "Exact log resume"); `other` for every other stream.
   */
  kind: 'events' | 'logs' | 'other';
  /**
   * How an events stream is subscribed: with a subscribe frame, or through the query string (`topics`,
   * `since_epoch`, `since_seq`). The query is used on `/ws/agents`, which subscribes to `*` on open when the query
   * names no topics (a frame would subscribe twice), and when the given URL already carries `topics`.
   */
  subscribeBy: 'frame' | 'query';
}

const EVENTS_PATH_RE = /\/ws\/(events|agents)\/?$/;
const LOGS_PATH_RE = /\/ws\/instances\/[^/]+\/logs\/?$/;

/**
 * Resolve `input` against the server base URL `base` (http(s)://host:port[/prefix]).
 * - `ws://…`, `wss://…` are used as given; `http://…`, `https://…` switch to ws(s);
 * - `/ws/instances` (or `ws/instances`) is a path on `base`, keeping base's path prefix;
 * - `host:port/ws/events` without a scheme is a ws:// URL.
 * @example resolveTailTarget('/ws/events', 'http://127.0.0.1:8000') // { url: 'ws://127.0.0.1:8000/ws/events', kind: 'events', subscribeBy: 'frame' }
 */
export function resolveTailTarget(input: string, base: string): TailTarget {
  const url = toWebSocketUrl(input, base);
  const match = EVENTS_PATH_RE.exec(url.pathname);
  const byQuery = match?.[1] === 'agents' || url.searchParams.has('topics');
  const kind = match ? 'events' : LOGS_PATH_RE.test(url.pathname) ? 'logs' : 'other';
  return { url: url.toString(), kind, subscribeBy: byQuery ? 'query' : 'frame' };
}

function toWebSocketUrl(input: string, base: string): URL {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) return withWsScheme(new URL(input), input);
  const firstSegment = input.replace(/^\/+/, '').split('/')[0] ?? '';
  const looksLikeHost = !input.startsWith('/') && (firstSegment.includes(':') || firstSegment.includes('.') || firstSegment === 'localhost');
  if (looksLikeHost) return withWsScheme(new URL(`ws://${input}`), input);
  const baseUrl = new URL(base);
  const prefix = baseUrl.pathname.replace(/\/+$/, '');
  const [path, query] = splitOnce(input.startsWith('/') ? input : `/${input}`, '?');
  const url = new URL(`${baseUrl.origin}${prefix}${path}`);
  if (query !== undefined) url.search = query;
  return withWsScheme(url, input);
}

function withWsScheme(url: URL, input: string): URL {
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TypeError(`cannot tail ${JSON.stringify(input)}: expected a ws://, http:// URL or a path like /ws/events`);
  }
  return url;
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i === -1 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}
