// REST calls of the dashboard (instances, messages, workspaces, plans). Errors carry the server's message, so
// a toast can show "name must match …" instead of "HTTP 400".

import { SERVER_URL, TOKEN } from './settings';

/** A failed call: the server's error code and message (docs/security.md: "a clear 400 naming the field"). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** One JSON request; 204 and empty bodies resolve to `null`. */
export async function api<T = unknown>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (TOKEN) headers.authorization = `Bearer ${TOKEN}`;
  let res: Response;
  try {
    res = await fetch(SERVER_URL + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, 'unavailable', `${method} ${path}: the server cannot be reached`);
  }
  const text = await res.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (!res.ok) {
    const err = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? `${method} ${path}: HTTP ${res.status}`);
  }
  return parsed as T;
}

/** `encodeURIComponent` for one path segment. */
export const seg = (value: string): string => encodeURIComponent(value);
