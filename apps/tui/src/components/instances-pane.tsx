// The instances view: every supervised instance with its status (and why, when it was given up on or lost its
// node), its restart policy, how many automatic restarts it has had and the countdown to the next one; below, the
// selected instance's pid, port, last exit code and command.
/** @jsxRuntime automatic */ // tsx reads the tsconfig of the cwd only; this keeps JSX working from any directory.

import type { InstanceStatus } from '@switchboard/protocol';
import { Box, Text } from 'ink';
import type { InstancesLink } from '../dashboard-store';
import { truncate } from '../format';
import { restartCountdown, type InstanceRow } from '../instances';
import { Pane, paneColumns, paneRows } from './pane';
import { scrollStart } from './session-list';

export interface InstancesPaneProps {
  rows: readonly InstanceRow[];
  loaded: boolean;
  link: InstancesLink | null;
  selectedId: string | null;
  now: number;
  width: number;
  height: number;
}

const STATUS_LOOK: Record<InstanceStatus, { icon: string; color?: string }> = {
  running: { icon: '●', color: 'green' },
  starting: { icon: '◐', color: 'cyan' },
  stopped: { icon: '○', color: 'gray' },
  crashed: { icon: '✗', color: 'red' },
};

// Fixed cells; the name takes what is left (18 at 80 columns).
const STATUS_W = 23;
const POLICY_W = 10;
const COUNT_W = 5;
const NEXT_W = 14;
const FIXED = 2 + STATUS_W + 1 + POLICY_W + 1 + COUNT_W + 1 + NEXT_W + 1;

function cell(text: string, width: number): string {
  return truncate(text, width).padEnd(width);
}

function linkNote(link: InstancesLink | null, loaded: boolean): string {
  if (!link || link.status === 'open') return loaded ? '' : ' · loading…';
  if (link.status === 'polling') return ' · polling';
  if (link.status === 'closed') return link.error ? ` · stopped: ${link.error}` : ' · stopped';
  return ` · ${link.status}…`;
}

export function InstancesPane({ rows, loaded, link, selectedId, now, width, height }: InstancesPaneProps) {
  const inner = paneColumns(width);
  const nameW = Math.max(8, inner - FIXED);
  // Two rows of table header, one blank and one of detail for the selected instance.
  const visible = Math.max(1, paneRows(height) - 3);
  const selected = rows.findIndex((r) => r.name === selectedId);
  const start = scrollStart(selected, visible, rows.length);
  const pending = rows.filter((r) => r.nextRestartAt !== null).length;
  const title = `Instances ${rows.length}${pending > 0 ? ` · ${pending} restarting` : ''}${linkNote(link, loaded)}`;
  const current = selected >= 0 ? rows[selected] : undefined;
  return (
    <Pane title={title} width={width} height={height} focused>
      <Text bold color="gray" wrap="truncate-end">
        {`  ${cell('NAME', nameW)} ${cell('STATUS', STATUS_W)} ${cell('RESTART', POLICY_W)} ${cell('COUNT', COUNT_W)} NEXT`}
      </Text>
      {rows.length === 0 ? <Text color="gray">{loaded ? 'no instances' : 'loading instances…'}</Text> : null}
      {rows.slice(start, start + visible).map((row) => {
        const isSelected = row.name === selectedId;
        const look = STATUS_LOOK[row.status] ?? { icon: '?' };
        const status = `${look.icon} ${row.status}${row.reason ? ` · ${row.reason}` : ''}`;
        const next = row.nextRestartAt !== null ? `restart ${restartCountdown(row.nextRestartAt, now)}` : '';
        return (
          <Box key={row.name} height={1}>
            <Text wrap="truncate-end" inverse={isSelected} bold={isSelected}>
              {`${isSelected ? '›' : ' '} ${cell(row.name, nameW)} `}
              <Text color={look.color}>{cell(status, STATUS_W)}</Text>
              {` ${cell(row.restart || '…', POLICY_W)} `}
              {cell(row.restartCount > 0 ? `↻ ${row.restartCount}` : '—', COUNT_W)}
              {' '}
              <Text color="yellow">{cell(next, NEXT_W)}</Text>
            </Text>
          </Box>
        );
      })}
      <Box flexGrow={1} />
      {current ? (
        <Text color="gray" wrap="truncate-end">
          {truncate(
            [
              current.pid !== null ? `pid ${current.pid}` : 'no pid',
              current.port !== null ? `port ${current.port}` : '',
              current.exitCode !== null ? `exit ${current.exitCode}` : '',
              current.command ? `$ ${current.command}` : '',
            ]
              .filter(Boolean)
              .join(' · '),
            inner,
          )}
        </Text>
      ) : null}
    </Pane>
  );
}
