// The overview (the terminal-dashboard and 3D-client contracts): stats bar, sessions, agents, tasks with progress bars and the activity feed.

import { StatsBar } from './stats-bar';
import { SessionList } from './session-list';
import { AgentList } from './agent-list';
import { TaskList } from './task-list';
import { ActivityFeed } from './activity-feed';

export function OverviewView() {
  return (
    <div className="view overview">
      <StatsBar />
      <div className="grid-3">
        <div className="col">
          <SessionList />
        </div>
        <div className="col">
          <TaskList />
          <AgentList />
        </div>
        <div className="col">
          <ActivityFeed />
        </div>
      </div>
    </div>
  );
}
