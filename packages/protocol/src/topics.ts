// Topic names and subscription patterns: exact names, `family.*` (any prefix ending in `.*`) and `*`.

/** A topic: dot-separated segments of letters, digits, `_` and `-`. The first segment is its family. */
export const TOPIC_RE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
export const MAX_TOPIC_LENGTH = 200;

export function isValidTopic(topic: unknown): topic is string {
  return typeof topic === 'string' && topic.length <= MAX_TOPIC_LENGTH && TOPIC_RE.test(topic);
}

export function isValidPattern(pattern: unknown): pattern is string {
  if (typeof pattern !== 'string' || pattern.length > MAX_TOPIC_LENGTH) return false;
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return TOPIC_RE.test(pattern.slice(0, -2));
  return TOPIC_RE.test(pattern);
}

/** The family of a topic: its first segment (`agent.started` → `agent`). */
export function familyOf(topic: string): string {
  const dot = topic.indexOf('.');
  return dot === -1 ? topic : topic.slice(0, dot);
}

export type ParsedPattern =
  | { kind: 'all' }
  | { kind: 'prefix'; prefix: string }
  | { kind: 'exact'; topic: string };

export function parsePattern(pattern: string): ParsedPattern {
  if (pattern === '*') return { kind: 'all' };
  if (pattern.endsWith('.*')) return { kind: 'prefix', prefix: pattern.slice(0, -2) };
  return { kind: 'exact', topic: pattern };
}

/** Whether `topic` matches one pattern. */
export function matchTopic(pattern: string, topic: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) {
    const prefix = pattern.slice(0, -1); // keeps the dot: "agent."
    return topic.startsWith(prefix);
  }
  return pattern === topic;
}

/** Whether `topic` matches any of `patterns`. */
export function matchAny(patterns: Iterable<string>, topic: string): boolean {
  for (const p of patterns) if (matchTopic(p, topic)) return true;
  return false;
}

/** Every prefix a topic can be matched under: `a.b.c` → `a`, `a.b`. Used by subscription indexes. */
export function topicPrefixes(topic: string): string[] {
  const out: string[] = [];
  let i = topic.indexOf('.');
  while (i !== -1) {
    out.push(topic.slice(0, i));
    i = topic.indexOf('.', i + 1);
  }
  return out;
}

/**
 * The families a set of patterns can reach, or `'*'` for all. `agent.*` and `agent.started` both reach `agent`.
 */
export function familiesOf(patterns: Iterable<string>): Set<string> | '*' {
  const out = new Set<string>();
  for (const p of patterns) {
    if (p === '*') return '*';
    out.add(familyOf(p.endsWith('.*') ? p.slice(0, -2) : p));
  }
  return out;
}

/** Parse a comma-separated `topics` query value; empty entries are dropped. */
export function splitTopics(value: string | null | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
