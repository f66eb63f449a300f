// Topic → subscribers index for fan-out: an event visits only the subscribers whose patterns can match it
// (exact names, every `prefix.*` of the topic, and `*`), never a scan of every connection.

import { parsePattern, topicPrefixes } from '@switchboard/protocol';

export interface Indexed {
  /** Mark of the last visit pass that reached this subscriber; dedupes overlapping patterns. */
  mark: number;
}

export class SubscriptionIndex<S extends Indexed> {
  private readonly all = new Set<S>();
  private readonly prefix = new Map<string, Set<S>>();
  private readonly exact = new Map<string, Set<S>>();

  add(sub: S, pattern: string): void {
    const p = parsePattern(pattern);
    if (p.kind === 'all') this.all.add(sub);
    else if (p.kind === 'prefix') addTo(this.prefix, p.prefix, sub);
    else addTo(this.exact, p.topic, sub);
  }

  remove(sub: S, pattern: string): void {
    const p = parsePattern(pattern);
    if (p.kind === 'all') this.all.delete(sub);
    else if (p.kind === 'prefix') removeFrom(this.prefix, p.prefix, sub);
    else removeFrom(this.exact, p.topic, sub);
  }

  /** Call `fn` once per subscriber matching `topic`; `mark` must be unique per call (it dedupes overlapping patterns). */
  forEachMatch(topic: string, mark: number, fn: (sub: S) => void): void {
    for (const s of this.all) visit(s, mark, fn);
    const exact = this.exact.get(topic);
    if (exact) for (const s of exact) visit(s, mark, fn);
    if (this.prefix.size > 0) {
      for (const pre of topicPrefixes(topic)) {
        const set = this.prefix.get(pre);
        if (set) for (const s of set) visit(s, mark, fn);
      }
    }
  }

  /** Whether any subscriber could match `topic` (lets publishers skip encoding). */
  hasAny(): boolean {
    return this.all.size > 0 || this.prefix.size > 0 || this.exact.size > 0;
  }
}

function visit<S extends Indexed>(s: S, mark: number, fn: (sub: S) => void): void {
  if (s.mark === mark) return;
  s.mark = mark;
  fn(s);
}

function addTo<S>(m: Map<string, Set<S>>, key: string, sub: S): void {
  let set = m.get(key);
  if (!set) m.set(key, (set = new Set()));
  set.add(sub);
}

function removeFrom<S>(m: Map<string, Set<S>>, key: string, sub: S): void {
  const set = m.get(key);
  if (!set) return;
  set.delete(sub);
  if (set.size === 0) m.delete(key);
}
