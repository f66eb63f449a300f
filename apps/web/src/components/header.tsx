// The page header: product name, navigation, the cluster node (cluster mode) and the connection indicator.

import { segments, usePath } from '../lib/router';
import { useUnreadCount } from '../views/inbox/inbox-unread';
import { ConnectionIndicator } from './connection-indicator';
import { Link } from './link';
import { NodeBadge } from './node-badge';

export const VIEWS = [
  { path: '/', label: 'Overview' },
  { path: '/inbox', label: 'Inbox' },
  { path: '/instances', label: 'Instances' },
  { path: '/messages', label: 'Messages' },
  { path: '/workspaces', label: 'Workspaces' },
  { path: '/plans', label: 'Plans' },
] as const;

export function Header() {
  const first = `/${segments(usePath())[0] ?? ''}`;
  const unread = useUnreadCount();
  return (
    <header className="header">
      <Link href="/" className="brand">
        Switchboard
      </Link>
      <nav aria-label="Views" className="nav">
        {VIEWS.map((v) => (
          <Link key={v.path} href={v.path} aria-current={first === v.path ? 'page' : undefined}>
            {v.label}
            {v.path === '/inbox' && unread > 0 ? (
              <span className="nav-badge" data-testid="inbox-unread" aria-label={`${unread} new`}>
                {unread}
              </span>
            ) : null}
          </Link>
        ))}
      </nav>
      <NodeBadge />
      <ConnectionIndicator />
    </header>
  );
}
