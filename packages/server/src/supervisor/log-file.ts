// The append side of an instance's output log. The supervisor owns the file (children write to pipes), so a
// logrotate-style rename is followed: before each write the path is checked and, when it names another file or
// none, reopened, so new output lands in the new file the log stream tails (docs/control-plane.md).
//
// Rotation by size (`--log-max-bytes`, docs/control-plane.md "Bounds") is done here, by the only writer, and by
// rename: output.log → output.log.1 → … → output.log.<maxFiles>, the oldest deleted. Because children write to our
// pipes rather than to the file, no byte is ever written to a file after it was renamed away, and no copy can miss
// bytes written during it (the flaw of copy-truncate). Files are cut between lines where possible: a chunk that would
// cross the limit is split after its last newline that fits, so readers see whole lines in each file.

import { closeSync, constants, fstatSync, lstatSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { forget, identify, rotatedPath } from '../logs/log-identity';

export interface LogRotation {
  /** Rotate once the file reaches this many bytes; 0 never rotates. */
  maxBytes: number;
  /** Rotated files kept besides the current one; older ones are deleted. */
  maxFiles: number;
}

export const NO_ROTATION: LogRotation = { maxBytes: 0, maxFiles: 0 };

export class LogFile {
  private fd: number | null = null;
  private ino = -1;
  private size = 0;
  /** Whether the file's last byte is a newline (or it is empty): a cut here splits no line. */
  private atLineStart = true;
  private failed = false;

  constructor(
    readonly path: string,
    private readonly logLine: (line: string) => void = () => {},
    private readonly rotation: LogRotation = NO_ROTATION,
  ) {}

  /** Append bytes; errors are reported once and the bytes dropped (a full disk must not crash the server). */
  write(chunk: Uint8Array): void {
    try {
      const st = lstatSync(this.path, { throwIfNoEntry: false });
      if (this.fd === null || !st || st.ino !== this.ino) this.reopen();
      let rest = chunk;
      while (rest.length > 0) {
        const cut = this.cutPoint(rest);
        if (cut === -1) {
          this.append(rest);
          break;
        }
        if (cut > 0) this.append(rest.subarray(0, cut));
        this.rotate();
        rest = rest.subarray(cut);
      }
      this.failed = false;
    } catch (err) {
      if (!this.failed) this.logLine(`cannot write ${this.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      this.failed = true;
    }
  }

  /** Append one line written by the supervisor itself (e.g. why a start failed). */
  note(text: string): void {
    this.write(Buffer.from(`[switchboard] ${text}\n`));
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  /**
   * Where to rotate within `chunk` before writing the rest: -1 to write it all here, else how many of its bytes go
   * to this file first (0: rotate now). Prefers the last newline that keeps the file within the limit; a line longer
   * than the limit is finished first; a file over twice the limit is cut even mid-line, so a stream without newlines
   * stays bounded too.
   */
  private cutPoint(chunk: Uint8Array): number {
    const max = this.rotation.maxBytes;
    if (max <= 0 || this.size + chunk.length <= max) return -1;
    const room = max - this.size;
    if (room > 0) {
      const nl = lastNewline(chunk, room - 1);
      if (nl !== -1) return nl + 1;
    }
    if (this.size > 0 && this.atLineStart) return 0;
    const nl = chunk.indexOf(0x0a);
    if (nl !== -1 && this.size + nl + 1 <= 2 * max) return nl + 1;
    if (this.size + chunk.length <= 2 * max) return -1;
    return Math.max(0, 2 * max - this.size) || (this.size > 0 ? 0 : chunk.length);
  }

  private append(bytes: Uint8Array): void {
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd!, bytes, off, bytes.length - off);
    this.size += bytes.length;
    this.atLineStart = bytes[bytes.length - 1] === 0x0a;
  }

  private rotate(): void {
    this.close();
    const { maxFiles } = this.rotation;
    const oldest = maxFiles === 0 ? this.path : rotatedPath(this.path, maxFiles);
    const doomed = lstatSync(oldest, { throwIfNoEntry: false });
    if (doomed) forget(this.path, doomed.ino);
    if (maxFiles === 0) {
      unlinkSync(this.path);
    } else {
      for (let n = maxFiles - 1; n >= 1; n--) {
        if (lstatSync(rotatedPath(this.path, n), { throwIfNoEntry: false })) renameSync(rotatedPath(this.path, n), rotatedPath(this.path, n + 1));
      }
      renameSync(this.path, rotatedPath(this.path, 1));
    }
    this.reopen();
  }

  private reopen(): void {
    this.close();
    // O_NOFOLLOW: a symlink planted in the data dir must not redirect output into another file.
    this.fd = openSync(this.path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    const st = fstatSync(this.fd);
    this.ino = st.ino;
    this.size = st.size;
    this.atLineStart = true;
    // Registered before the first byte, so a tailer never sees this file under another identity.
    identify(this.path, st.ino);
  }
}

/** Index of the last '\n' in `bytes` at or before `end`, or -1. */
function lastNewline(bytes: Uint8Array, end: number): number {
  for (let i = Math.min(end, bytes.length - 1); i >= 0; i--) if (bytes[i] === 0x0a) return i;
  return -1;
}
