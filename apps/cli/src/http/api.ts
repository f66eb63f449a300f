// The few REST calls the CLI makes (docs/protocol.md#events), over fetch, with server errors turned into CliErrors that carry the
// server's code and message.

import type { EventInput, PollResponse, PublishManyResponse, PublishOneResponse } from '@switchboard/protocol';
import { CliError, EXIT } from '../cli-error';
import type { ServerTarget } from '../client-options';

/** A server answer that was not 2xx. */
export class ApiError extends CliError {
  readonly status: number;
  /** The server's error code (`validation_failed`, …), or `http_<status>` when the body had none. */
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(`${code} (${status}): ${message}`, EXIT.failure);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** `POST /api/events`: one event, or an array appended atomically. */
export async function postEvents(target: ServerTarget, body: EventInput): Promise<PublishOneResponse>;
export async function postEvents(target: ServerTarget, body: EventInput[]): Promise<PublishManyResponse>;
export async function postEvents(target: ServerTarget, body: EventInput | EventInput[]): Promise<unknown> {
  return request(target, 'POST', '/api/events', body);
}

/** `GET /api/events`: used to learn the current epoch when only a seq is given. */
export async function pollEvents(target: ServerTarget, query: { since?: number; limit?: number }): Promise<PollResponse> {
  const params = new URLSearchParams();
  if (query.since !== undefined) params.set('since', String(query.since));
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  return (await request(target, 'GET', `/api/events?${params}`)) as PollResponse;
}

async function request(target: ServerTarget, method: string, path: string, body?: unknown): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (target.token) headers.authorization = `Bearer ${target.token}`;
  let res: Response;
  try {
    res = await fetch(`${target.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new CliError(`cannot reach ${target.url}: ${networkReason(err)}`, EXIT.failure, { cause: err });
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const code = typeof error?.code === 'string' ? error.code : `http_${res.status}`;
    const message = typeof error?.message === 'string' ? error.message : text.slice(0, 200) || res.statusText;
    throw new ApiError(res.status, code, message);
  }
  if (parsed === undefined) throw new CliError(`${method} ${path}: expected a JSON answer, got ${JSON.stringify(text.slice(0, 200))}`);
  return parsed;
}

/** `fetch failed` hides the reason in `cause` (undici); surface ECONNREFUSED and friends. */
export function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code === 'ECONNREFUSED' ? 'connection refused (is the server running?)' : cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}
