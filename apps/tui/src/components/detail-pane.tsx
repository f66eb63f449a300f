// The selected session: name and status, where it runs, its cost and tokens, its swarms and its agents.
/** @jsxRuntime automatic */ // tsx reads the tsconfig of the cwd only; this keeps JSX working from any directory.

import { Box, Text } from 'ink';
import { fitColumns, formatClock, formatCost, formatTokens, truncate } from '../format';
import type { AgentRow, SessionDetail } from '../view-model';
import { Pane, paneColumns, paneRows } from './pane';

export interface DetailPaneProps {
  detail: SessionDetail | null;
  /** Agent rows skipped from the top (scrolling). */
  offset: number;
  focused: boolean;
  width: number;
  height: number;
}

const AGENT_LOOK: Record<AgentRow['status'], { icon: string; label: string; color?: string }> = {
  running: { icon: '●', label: 'running', color: 'green' },
  waiting_permission: { icon: '⚠', label: 'waiting', color: 'yellow' },
  completed: { icon: '✓', label: 'done', color: 'gray' },
  failed: { icon: '✗', label: 'failed', color: 'red' },
};

export function DetailPane({ detail, offset, focused, width, height }: DetailPaneProps) {
  const inner = paneColumns(width);
  const rows = paneRows(height);
  if (!detail) {
    return (
      <Pane title="Detail" width={width} height={height} focused={focused}>
        <Text color="gray">select a session</Text>
      </Pane>
    );
  }
  const { session, agents, cost, swarms } = detail;
  const ended = session.status === 'ended';
  const where = [session.target && `target ${session.target}`, session.workspace_id && `workspace ${session.workspace_id}`, session.instance && `instance ${session.instance}`]
    .filter(Boolean)
    .join(' · ');
  const since = ended ? `ended ${formatClock(session.ended_at ?? session.updated_at)}` : `since ${formatClock(session.created_at)}`;
  const header = [
    <Text key="name" bold dimColor={ended} wrap="truncate-end">
      {fitColumns(session.name || session.id, ended ? 'ended' : 'active', inner)}
    </Text>,
    <Text key="where" color="gray" wrap="truncate-end">
      {truncate(`${where || session.id} · ${since}`, inner)}
    </Text>,
    <Text key="cost" wrap="truncate-end">
      {truncate(`cost ${formatCost(cost.cost_usd)} · tokens ${formatTokens(cost.tokens_in)} in / ${formatTokens(cost.tokens_out)} out`, inner)}
    </Text>,
    ...(swarms.length > 0
      ? [<Text key="swarms" color="magenta" wrap="truncate-end">{truncate(`swarms ${swarms.join(', ')}`, inner)}</Text>]
      : []),
    <Text key="agents" bold wrap="truncate-end">
      {`agents (${agents.length})`}
    </Text>,
  ];
  const agentRows = Math.max(0, rows - header.length);
  const start = Math.min(Math.max(0, offset), Math.max(0, agents.length - agentRows));
  const nameWidth = Math.min(16, Math.max(6, Math.floor(inner / 4)));
  return (
    <Pane title={`Detail · ${session.name || session.id}`} width={width} height={height} focused={focused}>
      {header.map((line) => (
        <Box key={line.key} height={1}>
          {line}
        </Box>
      ))}
      {agents.length === 0 ? <Text color="gray">no agents</Text> : null}
      {agents.slice(start, start + agentRows).map((agent) => {
        const look = AGENT_LOOK[agent.status];
        const name = truncate(agent.name, nameWidth).padEnd(nameWidth);
        return (
          <Box key={agent.id} height={1}>
            <Text wrap="truncate-end" dimColor={agent.status === 'completed'}>
              <Text color={look.color}>{`${look.icon} `}</Text>
              {`${name} `}
              <Text color={look.color}>{look.label.padEnd(8)}</Text>
              {truncate(agent.activity, Math.max(0, inner - nameWidth - 12))}
            </Text>
          </Box>
        );
      })}
    </Pane>
  );
}
