// Where the non-SDK streams live: derived from an explicit URL, the provider's client, or the page.

import type { SwitchboardClient } from '@switchboard/client';

/**
 * The `http(s)://host[:port][/base]` of the server: `url` when given (ws URLs are mapped to http), else the
 * client's REST base, else the page's origin. Throws when there is none (Node without a URL).
 */
export function serverBase(url: string | undefined, client: SwitchboardClient | null): string {
  if (url) {
    const u = new URL(url, (globalThis as { location?: { href: string } }).location?.href);
    const scheme = u.protocol === 'wss:' || u.protocol === 'https:' ? 'https:' : 'http:';
    return `${scheme}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  }
  if (client) return client.endpoints.httpBase;
  const loc = (globalThis as { location?: { origin?: string } }).location;
  if (loc?.origin) return loc.origin;
  throw new Error('switchboard react: no server URL; pass `url` or use a <SwitchboardProvider>');
}

/** `ws(s)://…path?query` on the server at `httpBase`; `token` is added as `?token=` (docs/security.md). */
export function streamUrl(httpBase: string, path: string, query: Record<string, string | undefined> = {}, token?: string): string {
  const u = new URL(httpBase.replace(/^http/, 'ws') + path);
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') u.searchParams.set(k, v);
  if (token) u.searchParams.set('token', token);
  return u.toString();
}
