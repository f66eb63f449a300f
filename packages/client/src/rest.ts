// The REST calls the SDK makes (docs/protocol.md#events): publish, the polling read and the snapshot. Errors come back as
// SwitchboardError carrying the server's code, the same class the server throws.

import {
  ERRORS,
  SwitchboardError,
  isErrorCode,
  type Cursor,
  type ErrorCode,
  type EventInput,
  type PollResponse,
  type PublishManyResponse,
  type PublishOneResponse,
  type SnapshotResponse,
} from '@switchboard/protocol';

/** The `fetch` the SDK calls; the global one unless injected. */
export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

/** Fallback codes for an error body without a code this SDK knows, by HTTP status. */
const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  410: 'gone',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
  503: 'unavailable',
};

/**
 * Turn a non-2xx answer into a SwitchboardError. The server's code is kept when the registry knows it;
 * otherwise the status picks one and the server's code stays in `details.server_code`.
 */
export function errorFromResponse(status: number, body: unknown): SwitchboardError {
  const err = (body as { error?: Record<string, unknown> } | null)?.error;
  const serverCode = typeof err?.code === 'string' ? err.code : undefined;
  const message = typeof err?.message === 'string' ? err.message : `HTTP ${status}`;
  const { code: _code, message: _message, ...rest } = err ?? {};
  const details: Record<string, unknown> = { ...rest, http_status: status };
  let code: ErrorCode;
  if (serverCode !== undefined && isErrorCode(serverCode)) {
    code = serverCode;
  } else {
    code = CODE_BY_STATUS[status] ?? (status >= 500 ? 'internal' : 'bad_request');
    if (serverCode !== undefined) details.server_code = serverCode;
  }
  return new SwitchboardError(code, message, { details });
}

export interface RestClientOptions {
  /** `http(s)://host[:port]` plus base path, no trailing slash. */
  httpBase: string;
  /** Sent as `Authorization: Bearer <token>` (docs/security.md). */
  token?: string;
  /** Asked before every request instead of `token` (docs/protocol.md, "Auth"); a rejection fails the request. */
  getToken?: () => string | undefined | Promise<string | undefined>;
  /** @default globalThis.fetch */
  fetch?: FetchFn;
}

/** Query of the polling read. */
export interface PollQuery {
  cursor: Cursor;
  topics: readonly string[];
  /** @default 1000 (DEFAULT_POLL_LIMIT) */
  limit: number;
}

/** Typed REST calls against one server. */
export class RestClient {
  readonly #base: string;
  readonly #token: () => string | undefined | Promise<string | undefined>;
  readonly #fetch: FetchFn;

  constructor(options: RestClientOptions) {
    this.#base = options.httpBase;
    const { token } = options;
    this.#token = options.getToken ?? (() => token);
    const f = options.fetch ?? (globalThis.fetch as FetchFn | undefined);
    if (!f) throw new TypeError('switchboard client: no fetch available; pass the `fetch` option');
    this.#fetch = f;
  }

  /** `POST /api/events` with one event or an array (appended atomically). */
  publish(input: EventInput): Promise<PublishOneResponse>;
  publish(input: EventInput[]): Promise<PublishManyResponse>;
  publish(input: EventInput | EventInput[]): Promise<PublishOneResponse | PublishManyResponse> {
    return this.request('POST', '/api/events', { body: input });
  }

  /** `GET /api/events?since=…&epoch=…&topics=…&limit=…` (docs/protocol.md#events; `since` is exclusive). */
  pollEvents(query: PollQuery, signal?: AbortSignal): Promise<PollResponse> {
    const params = new URLSearchParams({
      since: String(query.cursor.seq),
      epoch: query.cursor.epoch,
      topics: query.topics.join(','),
      limit: String(query.limit),
    });
    return this.request('GET', `/api/events?${params}`, { signal });
  }

  /** `GET /api/snapshot?topics=…`. */
  fetchSnapshot(topics: readonly string[], signal?: AbortSignal): Promise<SnapshotResponse> {
    const params = new URLSearchParams({ topics: topics.join(',') });
    return this.request('GET', `/api/snapshot?${params}`, { signal });
  }

  /**
   * One JSON request. Network failures reject with `unavailable` (retryable); aborts reject with the
   * platform's AbortError untouched, so callers can tell "we cancelled it" apart.
   */
  async request<T>(method: string, path: string, init: { body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const token = await this.#token();
    if (token) headers.authorization = `Bearer ${token}`;
    let res: Response;
    try {
      res = await this.#fetch(this.#base + path, {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: init.signal,
      });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw new SwitchboardError('unavailable', `${method} ${path} failed: ${(error as Error)?.message ?? error}`, { cause: error });
    }
    const text = await res.text();
    let body: unknown = undefined;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    }
    if (!res.ok) throw errorFromResponse(res.status, body);
    // 204 and other empty successes (e.g. DELETE) carry nothing to parse.
    if (text.length === 0) return undefined as T;
    if (body === undefined) {
      throw new SwitchboardError('internal', `${method} ${path}: expected a JSON body, got ${JSON.stringify(text.slice(0, 100))}`, {
        details: { http_status: res.status },
      });
    }
    return body as T;
  }
}

/** Whether an error is one that retrying the same request cannot fix and that ends the session (auth). */
export function isAuthError(error: unknown): error is SwitchboardError {
  return error instanceof SwitchboardError && (ERRORS[error.code].status === 401 || ERRORS[error.code].status === 403);
}
