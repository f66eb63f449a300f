// The dashboard shell: header, the view for the current path, and the live-event toasts.

import { useClient } from '@switchboard/react';
import { EventToasts } from './components/event-toasts';
import { Header } from './components/header';
import { Link } from './components/link';
import { segments, usePath } from './lib/router';
import { ApprovalNotifications } from './views/inbox/approval-notifications';
import { InboxView } from './views/inbox/inbox-view';
import { InstancesView } from './views/instances/instances-view';
import { MessagesView } from './views/messages/messages-view';
import { activityStore } from './views/overview/activity-store';
import { OverviewView } from './views/overview/overview-view';
import { PlansView } from './views/plans/plans-view';
import { WorkspacesView } from './views/workspaces/workspaces-view';

function View({ path }: { path: string }) {
  const [first, second] = segments(path);
  switch (first) {
    case undefined:
      return <OverviewView />;
    case 'inbox':
      return <InboxView />;
    case 'instances':
      return <InstancesView selected={second ?? null} />;
    case 'messages':
      return <MessagesView />;
    case 'workspaces':
      return <WorkspacesView />;
    case 'plans':
      return <PlansView selected={second ?? null} />;
    default:
      return (
        <div className="view">
          <p className="empty">
            Nothing at {path}. <Link href="/">Back to the overview</Link>
          </p>
        </div>
      );
  }
}

export function App() {
  // The feed collects from the first render on, whichever view the page opened with.
  activityStore(useClient());
  const path = usePath();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main" tabIndex={-1}>
        <View path={path} />
      </main>
      <EventToasts />
      <ApprovalNotifications />
    </>
  );
}
