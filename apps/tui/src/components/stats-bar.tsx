// The top line: connection status, session and active agent counts, fleet cost, queued frames. One line, never wraps:
// optional parts are left out, least useful first, when the terminal is narrow.
/** @jsxRuntime automatic */ // tsx reads the tsconfig of the cwd only; this keeps JSX working from any directory.

import { Box, Text } from 'ink';
import { Fragment } from 'react';
import type { ConnectionView } from '../connection-view';
import { formatCost } from '../format';
import type { FleetStats } from '../view-model';

export interface StatsBarProps {
  stats: FleetStats;
  connection: ConnectionView;
  queuedFrames: number;
  width: number;
  /** Approvals waiting for a decision, and how many arrived since the inbox was last open. */
  inbox?: { pending: number; unread: number };
}

interface Part {
  text: string;
  color?: string;
  bold?: boolean;
  /** Parts with a higher rank are dropped first when the line is too long; 0 is never dropped. */
  rank: number;
}

const SEPARATOR = ' │ ';

export function StatsBar({ stats, connection, queuedFrames, width, inbox }: StatsBarProps) {
  const parts: Part[] = [
    { text: `${connection.icon} ${connection.text}`, color: connection.color, bold: true, rank: 0 },
    { text: `sessions ${stats.activeSessions}`, rank: 0 },
    { text: `${stats.endedSessions} ended`, color: 'gray', rank: 3 },
    { text: `agents ${stats.activeAgents}`, rank: 0 },
    ...(stats.waitingAgents > 0 ? [{ text: `${stats.waitingAgents} waiting`, color: 'yellow', rank: 1 }] : []),
    { text: `cost ${formatCost(stats.totalCostUsd)}`, bold: true, rank: 0 },
    { text: `swarms ${stats.swarms}`, rank: 4 },
    ...(queuedFrames > 0 ? [{ text: `${queuedFrames} queued`, color: 'yellow', rank: 2 }] : []),
    ...(inbox && inbox.pending > 0
      ? [{ text: `inbox ${inbox.pending}${inbox.unread > 0 ? ` (${inbox.unread} new)` : ''}`, color: 'yellow', bold: inbox.unread > 0, rank: 0 }]
      : []),
  ];
  const brand = 'Switchboard ';
  let shown = parts;
  const length = (ps: Part[]) => ps.reduce((n, p, i) => n + [...p.text].length + (i ? SEPARATOR.length : 0), 0);
  for (let rank = 4; rank > 0 && length(shown) > width; rank--) shown = shown.filter((p) => p.rank < rank);
  const withBrand = length(shown) + brand.length <= width;
  return (
    <Box width={width} height={1} flexShrink={0}>
      <Text wrap="truncate-end">
        {withBrand ? (
          <Text bold color="cyan">
            {brand}
          </Text>
        ) : null}
        {shown.map((p, i) => (
          <Fragment key={i}>
            {i > 0 ? <Text color="gray">{SEPARATOR}</Text> : null}
            <Text color={p.color} bold={p.bold}>
              {p.text}
            </Text>
          </Fragment>
        ))}
      </Text>
    </Box>
  );
}
