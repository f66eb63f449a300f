// Reading the last lines of a file backwards from a given end, a chunk at a time: a backlog or `?tail=N` costs the
// size of those lines, never the size of the file.

import type { FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { MAX_ROTATED_FILES, rotatedPath } from './log-identity';
import { decodeLine } from './line-splitter';

const CHUNK_BYTES = 64 * 1024;

export interface FileTail {
  /** Complete lines before `end`, oldest first, at most `maxLines`. */
  lines: string[];
  /** Bytes after the last '\n' before `end`: an unfinished line. */
  partial: Buffer;
}

/**
 * The last `maxLines` complete lines of `fh` before byte `end`, reading back at most about `maxBytes` (lines that
 * would need more are left out; the partial line is then cut at the front).
 */
export async function readTail(fh: FileHandle, end: number, maxLines: number, maxBytes: number): Promise<FileTail> {
  const chunks: Buffer[] = [];
  let pos = end;
  let newlines = 0;
  let total = 0;
  // maxLines + 1 newlines: the extra one ends the line before the first kept line, proving that one complete.
  while (pos > 0 && newlines <= maxLines && total < maxBytes) {
    const size = Math.min(CHUNK_BYTES, pos);
    pos -= size;
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const { bytesRead } = await fh.read(buf, got, size - got, pos + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    const part = buf.subarray(0, got);
    chunks.unshift(part);
    total += got;
    for (let i = part.indexOf(0x0a); i !== -1; i = part.indexOf(0x0a, i + 1)) newlines++;
  }
  const all = Buffer.concat(chunks);
  const lastNl = all.lastIndexOf(0x0a);
  if (lastNl === -1) return { lines: [], partial: all };
  const partial = Buffer.from(all.subarray(lastNl + 1));
  const pieces: Buffer[] = [];
  let start = 0;
  for (let nl = all.indexOf(0x0a); nl !== -1 && nl <= lastNl; nl = all.indexOf(0x0a, nl + 1)) {
    pieces.push(all.subarray(start, nl));
    start = nl + 1;
  }
  // Unless we reached the start of the file, the first piece may be the tail of a longer line.
  if (pos > 0) pieces.shift();
  const kept = maxLines === 0 ? [] : pieces.slice(-maxLines);
  return { lines: kept.map(decodeLine), partial };
}

/** The last `maxLines` lines of the file at `path`, the unfinished last line included; [] when it does not exist. */
export async function readTailOfFile(path: string, maxLines: number, maxBytes: number): Promise<string[]> {
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP') return [];
    throw err;
  }
  try {
    const { size } = await fh.stat();
    const { lines, partial } = await readTail(fh, size, maxLines, maxBytes);
    if (partial.length > 0 && maxLines > 0) {
      lines.push(decodeLine(partial));
      if (lines.length > maxLines) lines.shift();
    }
    return lines;
  } finally {
    await fh.close();
  }
}

/**
 * The last `maxLines` lines of an output log across its rotation (docs/control-plane.md "Bounds"): when the current
 * file holds fewer, the newest rotated files (`<path>.1`, `.2`, …) supply the lines before them. The bytes read stay
 * within about `maxBytes` in all.
 */
export async function readTailOfLog(path: string, maxLines: number, maxBytes: number): Promise<string[]> {
  let lines: string[] = [];
  let budget = maxBytes;
  for (let n = 0; n <= MAX_ROTATED_FILES && lines.length < maxLines && budget > 0; n++) {
    const file = n === 0 ? path : rotatedPath(path, n);
    const st = await lstat(file).catch(() => null);
    if (!st) {
      if (n === 0) continue;
      break;
    }
    const older = await readTailOfFile(file, maxLines - lines.length, budget);
    budget -= Math.min(st.size, budget);
    lines = [...older, ...lines];
  }
  return lines;
}
