// Which browser pages may act on this server (docs/security.md): its own origin, --allowed-origins and, without a
// token, loopback origins on any port (a local dev server). Everything a browser sends to another site carries
// `Origin` on writes and upgrades; a page cannot forge it, so it decides. Clients that are not browsers (curl, the
// CLI, the SDK in Node) send no Origin and pass.

import type { IncomingMessage } from 'node:http';
import { SwitchboardError } from '@switchboard/protocol';
import { isLoopbackName } from './host-allowlist';

export class OriginPolicy {
  private readonly allowed: ReadonlySet<string>;
  private readonly allowAll: boolean;

  constructor(allowedOrigins: readonly string[], private readonly tokenConfigured: boolean) {
    this.allowAll = allowedOrigins.includes('*');
    this.allowed = new Set(allowedOrigins.map(originOf).filter((o): o is string => o !== null));
  }

  /**
   * Whether the request's `Origin`, if any, may use the server. `Origin: null` (sandboxed frames, file: pages) is
   * foreign. "Own" compares with the Host header, which the host allowlist has already checked, so a rebinding
   * name can never make an origin our own.
   */
  allowsOrigin(req: IncomingMessage): boolean {
    const header = req.headers.origin;
    if (header === undefined) return true;
    if (this.allowAll) return header !== 'null';
    const origin = originOf(header);
    if (origin === null) return false;
    if (this.allowed.has(origin)) return true;
    const parsed = new URL(origin);
    const host = req.headers.host?.toLowerCase();
    if (host !== undefined && parsed.host === host) return true;
    return !this.tokenConfigured && isLoopbackName(parsed.hostname);
  }

  /**
   * Refuse a state-changing request or an upgrade made by another site's page. Without `Origin`, the browser's
   * `Sec-Fetch-Site` still tells: `cross-site` is always foreign; `same-site` is a sibling site or, on loopback,
   * another port — allowed only where loopback dev origins are (no token).
   */
  check(req: IncomingMessage): void {
    if (req.headers.origin !== undefined) {
      if (this.allowsOrigin(req)) return;
      throw new SwitchboardError('origin_not_allowed', `requests from ${describeOrigin(req.headers.origin)} are not allowed: serve the page from this server or add its origin to --allowed-origins`);
    }
    const site = req.headers['sec-fetch-site'];
    if (site === 'cross-site' || (site === 'same-site' && this.tokenConfigured)) {
      throw new SwitchboardError('origin_not_allowed', `${site} browser requests are not allowed: serve the page from this server or add its origin to --allowed-origins`);
    }
  }
}

/** `https://App.example.com/` → `https://app.example.com`; null for `null` and anything that is not an origin. */
function originOf(text: string): string | null {
  try {
    const url = new URL(text);
    return url.origin === 'null' ? null : url.origin;
  } catch {
    return null;
  }
}

/** The origin for an error message, bounded: it is attacker-chosen text. */
function describeOrigin(origin: string): string {
  return JSON.stringify(origin.slice(0, 100));
}
