// The session list: one line per session, active ones first, ended ones grayed; the selection stays in view.
/** @jsxRuntime automatic */ // tsx reads the tsconfig of the cwd only; this keeps JSX working from any directory.

import { Box, Text } from 'ink';
import { fitColumns, formatCost } from '../format';
import type { SessionRow } from '../view-model';
import { Pane, paneColumns, paneRows } from './pane';

export interface SessionListProps {
  rows: readonly SessionRow[];
  selectedId: string | null;
  focused: boolean;
  width: number;
  height: number;
}

/** Content width from which a row also shows the session's cost. */
const WITH_COST = 34;

/** First row to show so that `selected` is visible in a window of `visible` rows out of `total`. */
export function scrollStart(selected: number, visible: number, total: number): number {
  if (visible <= 0 || total <= visible || selected < 0) return 0;
  return Math.min(Math.max(0, selected - Math.floor(visible / 2)), total - visible);
}

export function SessionList({ rows, selectedId, focused, width, height }: SessionListProps) {
  const visible = paneRows(height);
  const inner = paneColumns(width);
  const selected = rows.findIndex((r) => r.id === selectedId);
  const start = scrollStart(selected, visible, rows.length);
  const active = rows.filter((r) => !r.ended).length;
  return (
    <Pane title={`Sessions ${active} active · ${rows.length - active} ended`} width={width} height={height} focused={focused}>
      {rows.length === 0 ? <Text color="gray">no sessions yet</Text> : null}
      {rows.slice(start, start + visible).map((row) => {
        const isSelected = row.id === selectedId;
        // Narrow lists (80 columns) leave the cost to the detail pane, so names stay readable.
        const right = row.ended ? 'ended' : `${row.activeAgents} ag${inner >= WITH_COST ? ` ${formatCost(row.costUsd)}` : ''}`;
        const line = fitColumns(`${isSelected ? '›' : ' '} ${row.ended ? '○' : '●'} ${row.name}`, right, inner);
        return (
          <Box key={row.id} height={1}>
            <Text
              wrap="truncate-end"
              dimColor={row.ended}
              color={row.ended ? undefined : isSelected ? 'cyan' : undefined}
              inverse={isSelected && focused}
              bold={isSelected}
            >
              {line}
            </Text>
          </Box>
        );
      })}
    </Pane>
  );
}
