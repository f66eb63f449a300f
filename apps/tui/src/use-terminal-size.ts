// The terminal's size in cells, following resizes.

import { useStdout } from 'ink';
import { useEffect, useState } from 'react';
import { MIN_COLUMNS, MIN_ROWS } from './constants';

export interface TerminalSize {
  columns: number;
  rows: number;
}

/** Columns and rows of Ink's stdout, updated on `resize`; 80×24 when the stream does not say (pipes, tests). */
export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const read = (): TerminalSize => ({ columns: stdout.columns || MIN_COLUMNS, rows: stdout.rows || MIN_ROWS });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
    // `read` only closes over `stdout`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [stdout]);
  return size;
}
