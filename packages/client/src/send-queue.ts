// Frames `send()` could not deliver because no socket was open, kept in order until the next one opens.
// Pure: the client hands in the function that writes to the socket.

/** What `send()` did with a frame. */
export type SendResult = 'sent' | 'queued' | 'dropped';

/** A bounded FIFO of serialized frames. */
export class SendQueue {
  readonly #frames: string[] = [];
  readonly #max: number;

  /** @param maxFrames frames kept before new ones are dropped. @default 1000 (DEFAULT_MAX_QUEUED_FRAMES) */
  constructor(maxFrames: number) {
    this.#max = maxFrames;
  }

  get size(): number {
    return this.#frames.length;
  }

  /** Keep `text` for later; false when the queue is full (the newest frame is the one dropped). */
  push(text: string): boolean {
    if (this.#frames.length >= this.#max) return false;
    this.#frames.push(text);
    return true;
  }

  /**
   * Write queued frames in order through `write`; stops at the first one `write` refuses (returns false
   * or throws), keeping it and the rest for the next socket. Returns how many were written.
   */
  flush(write: (text: string) => boolean): number {
    let written = 0;
    while (this.#frames.length > 0) {
      let ok = false;
      try {
        ok = write(this.#frames[0]!);
      } catch {
        ok = false;
      }
      if (!ok) break;
      this.#frames.shift();
      written++;
    }
    return written;
  }

  clear(): void {
    this.#frames.length = 0;
  }
}
