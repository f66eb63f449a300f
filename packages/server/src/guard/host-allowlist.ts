// The names this server answers to, the defence against DNS rebinding (docs/security.md): another site can point
// its own name at 127.0.0.1, and its pages are then "same origin" with us in the browser. Only the Host header
// tells such a request apart, so every request and upgrade must name a host from this list.

import { isIP } from 'node:net';
import { hostname } from 'node:os';

const WILDCARD_BINDS = new Set(['', '0.0.0.0', '::', '[::]']);

export class HostAllowlist {
  private readonly names = new Set<string>();
  /** `.example.com` entries: the domain and every name under it. */
  private readonly domains: string[] = [];
  private readonly anyHost: boolean;
  /** Bound to every interface: any IP address reaches us, and an IP literal cannot be rebound to another site. */
  private readonly anyIp: boolean;

  constructor(bindHost: string, allowedHosts: readonly string[] = []) {
    const bind = normalizeHostname(bindHost);
    this.anyIp = WILDCARD_BINDS.has(bind);
    if (this.anyIp) this.names.add(normalizeHostname(hostname()));
    else this.names.add(bind);
    let any = false;
    for (const entry of allowedHosts) {
      const e = normalizeHostname(entry);
      if (e === '*') any = true;
      else if (e.startsWith('.')) this.domains.push(e.slice(1));
      else if (e !== '') this.names.add(e);
    }
    this.anyHost = any;
  }

  /**
   * Whether a request whose Host header is `header` is meant for us. A missing Host (HTTP/1.0 tools) passes:
   * browsers always send one, and rebinding needs a browser.
   */
  allows(header: string | undefined): boolean {
    if (header === undefined || this.anyHost) return true;
    const name = hostnameOfHostHeader(header);
    if (name === null) return false;
    if (isLoopbackName(name) || this.names.has(name)) return true;
    if (this.anyIp && isIP(name.replace(/^\[|\]$/g, '')) !== 0) return true;
    return this.domains.some((d) => name === d || name.endsWith(`.${d}`));
  }
}

/** `Example.COM.` → `example.com`; `[::1]` stays bracketed so it compares with Host headers. */
export function normalizeHostname(name: string): string {
  let h = name.trim().toLowerCase();
  if (h.endsWith('.') && h !== '.') h = h.slice(0, -1);
  if (isIP(h) === 6) h = `[${h}]`;
  return h;
}

/** The hostname of a Host header (`name[:port]` or `[v6][:port]`), or null when it is not one. */
export function hostnameOfHostHeader(header: string): string | null {
  const h = header.trim().toLowerCase();
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::(\d{1,5}))?$/.exec(h);
  if (!m) return null;
  return normalizeHostname(m[1]!);
}

/** Names that can only mean this machine: browsers resolve `localhost` and `*.localhost` to loopback themselves. */
export function isLoopbackName(name: string): boolean {
  const h = normalizeHostname(name);
  return (
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    h === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) ||
    /^\[::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}\]$/.test(h) ||
    /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(h)
  );
}
