// Options shared by the commands that talk to a running server: where it is (--url) and the token (--token).

import type { Command } from 'commander';
import { usageError } from './cli-error';
import { DEFAULT_SERVER_URL } from './constants';

export { DEFAULT_SERVER_URL };

export interface ServerTarget {
  /** http(s) base URL of the server, without a trailing slash. */
  url: string;
  /** Bearer token, when auth is on. */
  token?: string;
}

/** Add `--url` and `--token` (with their environment variables in the help). */
export function defineClientOptions(command: Command): Command {
  return command
    .option('--url <url>', `server base URL (default ${DEFAULT_SERVER_URL}) [env SWITCHBOARD_URL]`)
    .option('--token <token>', 'token sent as "Authorization: Bearer" when auth is on [env SWITCHBOARD_TOKEN]');
}

/** Resolve --url/--token against the environment; flags win, empty variables count as unset. */
export function resolveServerTarget(flags: { url?: string; token?: string }, env: Record<string, string | undefined>): ServerTarget {
  const rawUrl = flags.url ?? (env.SWITCHBOARD_URL || DEFAULT_SERVER_URL);
  const token = flags.token ?? (env.SWITCHBOARD_TOKEN || undefined);
  return { url: normaliseBaseUrl(rawUrl), ...(token ? { token } : {}) };
}

/** `localhost:8000` → `http://localhost:8000`; ws(s) becomes http(s); a trailing slash is dropped (a path prefix, as
 * behind a reverse proxy, is kept). */
export function normaliseBaseUrl(raw: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw usageError(`invalid server URL ${JSON.stringify(raw)}: expected e.g. http://127.0.0.1:8000`);
  }
  if (url.protocol === 'ws:') url.protocol = 'http:';
  else if (url.protocol === 'wss:') url.protocol = 'https:';
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError(`invalid server URL ${JSON.stringify(raw)}: expected an http(s):// address`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
