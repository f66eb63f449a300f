// The inbox: every pending approval, longest-waiting first, with how long it has waited, the tool, its input summary,
// agent and session; marked rows (space) take the next decision together. Below, the last decisions and who made
// them, and the reason prompt while `r` is open.
/** @jsxRuntime automatic */ // tsx reads the tsconfig of the cwd only; this keeps JSX working from any directory.

import { Box, Text } from 'ink';
import { fitColumns, truncate } from '../format';
import { waited, type DecidedRow, type InboxRow } from '../inbox';
import { Pane, paneColumns, paneRows } from './pane';
import { scrollStart } from './session-list';

export interface InboxPaneProps {
  rows: readonly InboxRow[];
  decided: readonly DecidedRow[];
  selectedId: string | null;
  marked: ReadonlySet<string>;
  /** The reason being typed, while the `r` prompt is open. */
  reason: { count: number; text: string } | null;
  now: number;
  width: number;
  height: number;
}

const DECISION_ICON: Record<string, string> = { allow: '✓', deny: '✗', expired: '⌛' };

export function InboxPane({ rows, decided, selectedId, marked, reason, now, width, height }: InboxPaneProps) {
  const inner = paneColumns(width);
  const footer = decided.length > 0 ? Math.min(decided.length, 5) + 1 : 0;
  const prompt = reason ? 2 : 0;
  const visible = Math.max(1, paneRows(height) - footer - prompt);
  const selected = rows.findIndex((r) => r.id === selectedId);
  const start = scrollStart(selected, visible, rows.length);
  const title = `Inbox ${rows.length} waiting${marked.size > 0 ? ` · ${marked.size} marked` : ''}`;
  return (
    <Pane title={title} width={width} height={height} focused>
      {rows.length === 0 ? <Text color="gray">nothing waiting for a decision</Text> : null}
      {rows.slice(start, start + visible).map((row) => {
        const isSelected = row.id === selectedId;
        const who = [row.agent, row.session].filter(Boolean).join(' · ');
        const left = `${isSelected ? '›' : ' '} [${marked.has(row.id) ? 'x' : ' '}] ${waited(row.requestedAt, now).padStart(6)}  ${row.tool}  ${row.summary}`;
        return (
          <Box key={row.id} height={1}>
            <Text wrap="truncate-end" color={isSelected ? 'cyan' : 'yellow'} inverse={isSelected} bold={marked.has(row.id)}>
              {fitColumns(left, truncate(who, Math.floor(inner / 3)), inner)}
            </Text>
          </Box>
        );
      })}
      <Box flexGrow={1} />
      {reason ? (
        <Box flexDirection="column" height={2}>
          <Text color="red" wrap="truncate-end">
            {`Deny ${reason.count === 1 ? 'this request' : `${reason.count} requests`}: type a reason, enter to deny, esc to cancel`}
          </Text>
          <Text wrap="truncate-end">{`reason › ${reason.text}█`}</Text>
        </Box>
      ) : null}
      {footer > 0 ? (
        <Box flexDirection="column" height={footer}>
          <Text color="gray">recently decided</Text>
          {decided.slice(0, footer - 1).map((d) => (
            <Text key={d.id} wrap="truncate-end" color={d.decision === 'allow' ? 'green' : d.decision === 'deny' ? 'red' : 'gray'}>
              {`${DECISION_ICON[d.decision] ?? '·'} ${d.tool} ${d.decision} by ${d.by}${d.reason ? `: ${d.reason}` : ''}`}
            </Text>
          ))}
        </Box>
      ) : null}
    </Pane>
  );
}
