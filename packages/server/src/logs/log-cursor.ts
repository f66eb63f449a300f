// One reader of one output log file from a given byte offset, for a viewer catching up after a resume
// (docs/control-plane.md "Exact log resume"): lines with the position after each read, opened by identity and
// checked, so a file renamed between the lookup and the open is never mistaken for another.

import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { LineSplitter, MAX_LINE_BYTES } from './line-splitter';
import type { ChainFile } from './log-identity';

export class LogCursor {
  private readonly splitter = new LineSplitter(MAX_LINE_BYTES);
  private readOffset: number;

  private constructor(
    private readonly fh: FileHandle,
    readonly id: string,
    readonly generation: number,
    offset: number,
  ) {
    this.readOffset = offset;
    this.splitter.reset(offset);
  }

  /** Open `file` at `offset`; undefined when the path no longer names that file (it moved on meanwhile). */
  static async open(file: ChainFile, offset: number): Promise<LogCursor | undefined> {
    let fh: FileHandle;
    try {
      fh = await open(file.path, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch {
      return undefined;
    }
    const st = await fh.stat();
    if (st.ino !== file.ino || st.size < offset) {
      await fh.close().catch(() => {});
      return undefined;
    }
    return new LogCursor(fh, file.id, file.generation, offset);
  }

  /** Position after the last line returned. */
  get position(): number {
    return this.splitter.position;
  }

  /**
   * Read up to `maxBytes`, not past `limit` (the live reader's position, always a line end). `eof` when the file
   * ended before: then its unfinished last line, if any, is returned too (the file was rotated away).
   */
  async read(maxBytes: number, limit = Number.POSITIVE_INFINITY): Promise<{ lines: string[]; eof: boolean }> {
    const want = Math.min(maxBytes, limit - this.readOffset);
    if (want <= 0) return { lines: [], eof: false };
    const buf = Buffer.allocUnsafe(want);
    const { bytesRead } = await this.fh.read(buf, 0, want, this.readOffset);
    this.readOffset += bytesRead;
    const lines = this.splitter.push(buf.subarray(0, bytesRead));
    if (bytesRead < want && limit === Number.POSITIVE_INFINITY) return { lines: [...lines, ...this.splitter.end()], eof: true };
    return { lines, eof: false };
  }

  async close(): Promise<void> {
    await this.fh.close().catch(() => {});
  }
}
