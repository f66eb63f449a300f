// A ref-counted pool of long-lived resources (SDK clients, stream sockets) keyed by string. The last release
// closes a resource only after a short delay: StrictMode's double effect and quick remounts reuse it, so one
// key never has two sockets open at once.

import { RELEASE_DELAY_MS } from './constants';

interface Entry<T> {
  value: T;
  refs: number;
  timer: ReturnType<typeof setTimeout> | null;
}

/** What a pool needs to know about its resources. */
export interface PoolHooks<T> {
  /** Build the resource without opening anything (render may call this and throw the result away). */
  create(key: string): T;
  /** First acquire (or re-acquire after a full release): open it. */
  open(value: T): void;
  /** Last release, after the delay: close it for good. */
  close(value: T): void;
}

/** See the file comment. `peek` is safe in render; `acquire`/`release` belong in effects. */
export class ResourcePool<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #hooks: PoolHooks<T>;
  readonly #releaseDelayMs: number;

  /** @param releaseDelayMs @default RELEASE_DELAY_MS */
  constructor(hooks: PoolHooks<T>, releaseDelayMs = RELEASE_DELAY_MS) {
    this.#hooks = hooks;
    this.#releaseDelayMs = releaseDelayMs;
  }

  /**
   * The resource for `key`, created (unopened) if needed. A resource that is never acquired is dropped after
   * the release delay, so a render React throws away leaks nothing.
   */
  peek(key: string): T {
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = { value: this.#hooks.create(key), refs: 0, timer: null };
      this.#entries.set(key, entry);
      this.#scheduleDrop(key, entry, false);
    }
    return entry.value;
  }

  /** Take a reference; opens the resource on the first one. Returns the release function (idempotent). */
  acquire(key: string): { value: T; release: () => void } {
    const value = this.peek(key);
    const entry = this.#entries.get(key)!;
    if (entry.timer) {
      clearTimeout(entry.timer);
      entry.timer = null;
    }
    entry.refs++;
    if (entry.refs === 1) this.#hooks.open(value);
    let released = false;
    return {
      value,
      release: () => {
        if (released) return;
        released = true;
        entry.refs--;
        if (entry.refs === 0) this.#scheduleDrop(key, entry, true);
      },
    };
  }

  /** Keys with a live entry (for tests). */
  get size(): number {
    return this.#entries.size;
  }

  #scheduleDrop(key: string, entry: Entry<T>, opened: boolean): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entry.timer = null;
      if (entry.refs > 0 || this.#entries.get(key) !== entry) return;
      this.#entries.delete(key);
      if (opened) this.#hooks.close(entry.value);
    }, this.#releaseDelayMs);
  }
}
