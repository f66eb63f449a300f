// Writes take JSON only (docs/security.md). A web page may send `text/plain`, form or untyped (Blob) bodies to any
// site without a CORS preflight, so a server that reads those as JSON can be driven from another site; a JSON
// content type forces the preflight, which the origin policy then answers.

import type { IncomingMessage } from 'node:http';
import { SwitchboardError } from '@switchboard/protocol';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether a request can change state: every method but GET, HEAD and OPTIONS. */
export function isWriteMethod(method: string | undefined): boolean {
  return !READ_METHODS.has(method ?? 'GET');
}

/**
 * Refuse a write whose body is not declared as JSON. A write without a body (`POST …/start` from curl) needs no
 * type; one that declares a type must declare JSON even when empty, and a body without a type is refused.
 */
export function requireJsonContentType(req: IncomingMessage): void {
  const header = req.headers['content-type'];
  if (header === undefined) {
    if (!hasBody(req)) return;
    throw new SwitchboardError('unsupported_media_type', 'a request body needs Content-Type: application/json');
  }
  if (!isJsonContentType(header)) {
    throw new SwitchboardError('unsupported_media_type', `Content-Type ${JSON.stringify(header.slice(0, 100))} is not accepted: send application/json`);
  }
}

/** `application/json` or `application/<x>+json`, with no charset or UTF-8. */
export function isJsonContentType(header: string): boolean {
  const [type = '', ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json' && !/^application\/[a-z0-9!#$&^_.-]+\+json$/.test(type)) return false;
  for (const p of params) {
    const [name, value = ''] = p.split('=').map((s) => s.trim());
    if (name === 'charset' && !['utf-8', 'utf8'].includes(value.replace(/^"|"$/g, ''))) return false;
  }
  return true;
}

function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && Number(length) > 0;
}
