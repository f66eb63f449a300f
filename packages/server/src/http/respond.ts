// Writing JSON answers and typed errors. Unknown exceptions become `internal` without leaking their text.

import type { ServerResponse } from 'node:http';
import { SwitchboardError } from '@switchboard/protocol';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  if (res.headersSent) return;
  const text = body === undefined ? '' : typeof body === 'string' && headers?.['content-type'] ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function toSwitchboardError(err: unknown): SwitchboardError {
  if (err instanceof SwitchboardError) return err;
  return new SwitchboardError('internal', 'internal server error', { cause: err });
}

export function sendError(res: ServerResponse, err: unknown, log?: (line: string) => void): void {
  const e = toSwitchboardError(err);
  if (e.code === 'internal' && log) log(`internal error: ${(e.cause as Error | undefined)?.stack ?? e.message}`);
  const headers: Record<string, string> = {};
  // A 413 may be answered before the body was read; closing avoids reading the rest of a huge upload.
  if (e.status === 413) headers.connection = 'close';
  sendJson(res, e.status, e.toJSON(), headers);
}
