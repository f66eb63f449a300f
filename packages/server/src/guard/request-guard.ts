// The checks every request and upgrade passes before auth and routing (docs/security.md): the Host must be one of
// ours (DNS rebinding), and anything that changes state or opens a stream must not come from another site's page.

import type { IncomingMessage } from 'node:http';
import { SwitchboardError } from '@switchboard/protocol';
import { isWriteMethod, requireJsonContentType } from './content-type';
import { HostAllowlist } from './host-allowlist';
import { OriginPolicy } from './origin-policy';

export interface GuardOptions {
  bindHost: string;
  allowedHosts: readonly string[];
  allowedOrigins: readonly string[];
  tokenConfigured: boolean;
}

export class RequestGuard {
  readonly hosts: HostAllowlist;
  readonly origins: OriginPolicy;

  constructor(options: GuardOptions) {
    this.hosts = new HostAllowlist(options.bindHost, options.allowedHosts);
    this.origins = new OriginPolicy(options.allowedOrigins, options.tokenConfigured);
  }

  /** Every HTTP request: reads need a host of ours; writes also a same-site page (or none) and a JSON body. */
  checkRequest(req: IncomingMessage): void {
    this.checkHost(req);
    if (!isWriteMethod(req.method)) return;
    this.origins.check(req);
    requireJsonContentType(req);
  }

  /** Every WebSocket upgrade: a host of ours, and no other site's page. */
  checkUpgrade(req: IncomingMessage): void {
    this.checkHost(req);
    this.origins.check(req);
  }

  private checkHost(req: IncomingMessage): void {
    if (this.hosts.allows(req.headers.host)) return;
    throw new SwitchboardError(
      'host_not_allowed',
      `this server does not answer to the host ${JSON.stringify((req.headers.host ?? '').slice(0, 100))}: use one of its own names or add it to --allowed-hosts`,
    );
  }
}
