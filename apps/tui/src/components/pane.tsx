// A bordered box with its title set into the top border; the focused pane's border is highlighted.
/** @jsxRuntime automatic */ // tsx reads the tsconfig of the cwd only; this keeps JSX working from any directory.

import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { truncate } from '../format';

export interface PaneProps {
  title: string;
  /** Outer width in cells, borders included. */
  width: number;
  /** Outer height in rows, borders included. */
  height: number;
  focused: boolean;
  children?: ReactNode;
}

/** Rows available to a pane's content: the outer height minus the two borders. */
export function paneRows(height: number): number {
  return Math.max(0, height - 2);
}

/** Cells available to a pane's content: the outer width minus the borders and one cell of padding per side. */
export function paneColumns(width: number): number {
  return Math.max(0, width - 4);
}

/** The top border with the title in it: `╭─ Sessions (3) ───╮`, exactly `width` cells. */
export function topBorder(title: string, width: number): string {
  if (width < 2) return '';
  const label = truncate(` ${title} `, Math.max(0, width - 3));
  return `╭─${label}${'─'.repeat(Math.max(0, width - 3 - [...label].length))}╮`;
}

export function Pane({ title, width, height, focused, children }: PaneProps) {
  const color = focused ? 'cyan' : 'gray';
  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0}>
      <Text color={color} bold={focused}>
        {topBorder(title, width)}
      </Text>
      <Box
        borderStyle="round"
        borderTop={false}
        borderColor={color}
        flexDirection="column"
        width={width}
        height={height - 1}
        paddingX={1}
        overflow="hidden"
      >
        {children}
      </Box>
    </Box>
  );
}
