// The append side of an instance's output log. The supervisor owns the file (children write to pipes), so a
// logrotate-style rename is followed: before each write the path is checked and, when it names another file or
// none, reopened, so new output lands in the new file the log stream tails (SPEC §5.2).

import { closeSync, constants, fstatSync, lstatSync, openSync, writeSync } from 'node:fs';

export class LogFile {
  private fd: number | null = null;
  private ino = -1;
  private failed = false;

  constructor(readonly path: string, private readonly logLine: (line: string) => void = () => {}) {}

  /** Append bytes; errors are reported once and the bytes dropped (a full disk must not crash the server). */
  write(chunk: Uint8Array): void {
    try {
      const st = lstatSync(this.path, { throwIfNoEntry: false });
      if (this.fd === null || !st || st.ino !== this.ino) this.reopen();
      let off = 0;
      while (off < chunk.length) off += writeSync(this.fd!, chunk, off, chunk.length - off);
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

  private reopen(): void {
    this.close();
    // O_NOFOLLOW: a symlink planted in the data dir must not redirect output into another file.
    this.fd = openSync(this.path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    this.ino = fstatSync(this.fd).ino;
  }
}
