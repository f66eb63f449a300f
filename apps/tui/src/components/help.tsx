// The `?` help: every key the dashboard knows, shown in place of the panes until `?` or Esc is pressed.
/** @jsxRuntime automatic */ // tsx reads the tsconfig of the cwd only; this keeps JSX working from any directory.

import { Box, Text } from 'ink';
import { Pane } from './pane';

export interface HelpProps {
  width: number;
  height: number;
}

/** Keys and what they do, in the order a newcomer needs them. */
export const KEY_HELP: ReadonlyArray<readonly [string, string]> = [
  ['↑ ↓  j k', 'move the selection (sessions) or scroll (detail, activity)'],
  ['g  G', 'jump to the top or the bottom'],
  ['tab  shift+tab', 'next or previous pane'],
  ['p', 'ping the server (queued while reconnecting, sent on reconnect)'],
  ['i', 'the approvals inbox, and back (esc too)'],
  ['  space', 'inbox: mark or unmark the selected request'],
  ['  a  d', 'inbox: approve or deny the marked requests, else the selected one'],
  ['  r', 'inbox: deny with a reason (type it, enter to deny, esc to cancel)'],
  ['n', 'the instances (restart policy, count, countdown), and back'],
  ['?  esc', 'show or hide this help'],
  ['q  ctrl+c', 'quit'],
];

export function Help({ width, height }: HelpProps) {
  return (
    <Pane title="Help" width={width} height={height} focused>
      {KEY_HELP.map(([keys, what]) => (
        <Box key={keys} height={1}>
          <Text wrap="truncate-end">
            <Text bold color="cyan">
              {keys.padEnd(16)}
            </Text>
            {what}
          </Text>
        </Box>
      ))}
      <Box height={1} />
      <Text wrap="truncate-end" color="gray">
        Status: ● live · ◌ reconnecting (with countdown) · ◍ polling (live updates unavailable) · ✕ offline
      </Text>
      <Text wrap="truncate-end" color="gray">
        Reconnects resume where they left off; ended sessions are grayed; permission requests are yellow.
      </Text>
    </Pane>
  );
}
