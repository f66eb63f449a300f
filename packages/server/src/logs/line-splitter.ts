// Pure line splitting of a byte stream read in arbitrary chunks: the unfinished last line waits for the next chunk,
// so a line (or a multi-byte UTF-8 character) split across reads comes out whole. Bytes are split on '\n' before
// decoding: 0x0A never occurs inside a UTF-8 sequence, so decoding whole lines can never cut a character.

/** Longest line kept whole; a longer run without '\n' is cut (at a character boundary) so memory stays bounded. @default 4 MiB */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingLength = 0;
  /** Stream offset of the first pending byte, i.e. just after the last line returned. */
  private emitted = 0;

  constructor(private readonly maxLineBytes = MAX_LINE_BYTES) {}

  /** Bytes of the unfinished last line held back. */
  get pendingBytes(): number {
    return this.pendingLength;
  }

  /** Byte offset in the stream just after the last line returned: where a reader resumes without repeating it. */
  get position(): number {
    return this.emitted;
  }

  /**
   * Feed a chunk; returns the lines it completed (without '\n' or a trailing '\r'). The chunk may be reused after.
   * `ends`, when given, receives each line's end offset in the stream (the `position` after it).
   */
  push(chunk: Uint8Array, ends?: number[]): string[] {
    const lines: string[] = [];
    const chunkStart = this.emitted + this.pendingLength;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) break;
      this.emitted = chunkStart + nl + 1;
      ends?.push(this.emitted);
      const piece = Buffer.from(chunk.buffer, chunk.byteOffset + start, nl - start);
      if (this.pendingLength > 0) {
        this.pending.push(piece);
        lines.push(decodeLine(Buffer.concat(this.pending)));
        this.pending = [];
        this.pendingLength = 0;
      } else {
        lines.push(decodeLine(piece));
      }
      start = nl + 1;
    }
    if (start < chunk.length) {
      // Copied: the caller may reuse its read buffer.
      const rest = Buffer.from(chunk.subarray(start));
      this.pending.push(rest);
      this.pendingLength += rest.length;
      while (this.pendingLength > this.maxLineBytes) {
        lines.push(this.cutLongLine());
        ends?.push(this.emitted);
      }
    }
    return lines;
  }

  /** Hold `bytes`, which end at stream offset `endOffset`, as the start of the unfinished line (priming from the end of an existing file). */
  prime(bytes: Uint8Array, endOffset = bytes.length): void {
    this.reset(endOffset - bytes.length);
    if (bytes.length > 0) this.push(bytes);
  }

  /** End of input (the file was rotated away): the unfinished line, if any, as a final line. */
  end(ends?: number[]): string[] {
    if (this.pendingLength === 0) return [];
    const line = decodeLine(Buffer.concat(this.pending));
    this.reset(this.emitted + this.pendingLength);
    ends?.push(this.emitted);
    return [line];
  }

  /** Forget the unfinished line (the file was truncated under it); reading goes on from stream offset `offset`. */
  reset(offset = 0): void {
    this.pending = [];
    this.pendingLength = 0;
    this.emitted = offset;
  }

  private cutLongLine(): string {
    const all = Buffer.concat(this.pending);
    const cut = utf8Boundary(all, this.maxLineBytes);
    const rest = all.subarray(cut);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingLength = rest.length;
    this.emitted += cut;
    return all.subarray(0, cut).toString('utf8');
  }
}

/** Decode one line's bytes, dropping the '\r' of a CRLF ending. */
export function decodeLine(bytes: Buffer): string {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
  return bytes.toString('utf8', 0, end);
}

/** The largest index <= `limit` that does not fall inside a multi-byte UTF-8 character of `bytes`. */
export function utf8Boundary(bytes: Uint8Array, limit: number): number {
  if (limit >= bytes.length) return bytes.length;
  let i = limit;
  // Continuation bytes are 10xxxxxx; back up to the lead byte of the character that `limit` cuts.
  while (i > 0 && (bytes[i]! & 0xc0) === 0x80) i--;
  return i === 0 ? limit : i;
}
