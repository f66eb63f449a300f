// The activity feed: newest first, coloured by level (permission requests are yellow warnings), scrollable when focused.
/** @jsxRuntime automatic */ // tsx reads the tsconfig of the cwd only; this keeps JSX working from any directory.

import { Box, Text } from 'ink';
import { formatClock, truncate } from '../format';
import type { FeedEntry, FeedLevel } from '../view-model';
import { Pane, paneColumns, paneRows } from './pane';

export interface ActivityFeedProps {
  /** Oldest first, as the store keeps it. */
  entries: readonly FeedEntry[];
  /** Entries skipped from the newest end (scrolling back in time). */
  offset: number;
  focused: boolean;
  width: number;
  height: number;
}

const LEVEL_COLOR: Record<FeedLevel, string | undefined> = {
  info: undefined,
  success: 'green',
  warning: 'yellow',
  error: 'red',
};

export function ActivityFeed({ entries, offset, focused, width, height }: ActivityFeedProps) {
  const visible = paneRows(height);
  const inner = paneColumns(width);
  const newestFirst = entries.slice().reverse();
  const start = Math.min(Math.max(0, offset), Math.max(0, newestFirst.length - visible));
  const title = start > 0 ? `Activity (${start} newer above)` : `Activity (${entries.length})`;
  return (
    <Pane title={title} width={width} height={height} focused={focused}>
      {entries.length === 0 ? <Text color="gray">waiting for activity…</Text> : null}
      {newestFirst.slice(start, start + visible).map((entry) => (
        <Box key={entry.key} height={1}>
          <Text wrap="truncate-end" color={LEVEL_COLOR[entry.level]} bold={entry.level === 'warning'}>
            <Text color="gray">{formatClock(entry.ts)} </Text>
            {truncate(`${entry.icon} ${entry.text}`, Math.max(0, inner - 9))}
          </Text>
        </Box>
      ))}
    </Pane>
  );
}
