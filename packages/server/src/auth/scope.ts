// What a `topics` or `instances` claim lets a holder reach (docs/protocol.md, "Auth"). Topic claims use the
// subscription pattern language (exact name, `family.*`, `*`); instance claims are names where `*` matches any run
// of characters (`web-*`).

import { SwitchboardError, familyOf, parsePattern } from '@switchboard/protocol';
import type { Principal } from './principal';

/** Whether every topic `pattern` can match is matched by the claim pattern `claim`. */
export function patternCovers(claim: string, pattern: string): boolean {
  const c = parsePattern(claim);
  if (c.kind === 'all') return true;
  const p = parsePattern(pattern);
  if (c.kind === 'exact') return p.kind === 'exact' && p.topic === c.topic;
  if (p.kind === 'all') return false;
  const inside = p.kind === 'prefix' ? p.prefix : p.topic;
  // `a.*` matches `a.b` and `a.b.c` but not `a` itself, so `a.*` covers `a.*` and `a.b.*`, never `a`.
  return p.kind === 'prefix' ? inside === c.prefix || inside.startsWith(`${c.prefix}.`) : inside.startsWith(`${c.prefix}.`);
}

/** Whether the principal may subscribe to (or publish under) `pattern`; no principal or no claim means yes. */
export function mayUseTopics(principal: Principal | null | undefined, pattern: string): boolean {
  const claim = principal?.topics;
  return !claim || claim.some((c) => patternCovers(c, pattern));
}

/** Whether the principal may read the whole of `family` (its snapshot slice, or a stream derived from it). */
export function mayReadFamily(principal: Principal | null | undefined, family: string): boolean {
  return mayUseTopics(principal, `${family}.*`);
}

/** The patterns of `patterns` whose whole family the principal may see: what a snapshot may be built from. */
export function snapshotPatterns(principal: Principal | null | undefined, patterns: Iterable<string>): string[] {
  const out: string[] = [];
  for (const p of patterns) if (p === '*' ? mayUseTopics(principal, '*') : mayReadFamily(principal, familyOf(p))) out.push(p);
  return out;
}

/** Throw 403 `forbidden` unless every pattern lies inside the principal's `topics` claim. */
export function requireTopics(principal: Principal | null | undefined, patterns: Iterable<string>, what: string): void {
  for (const p of patterns) {
    if (!mayUseTopics(principal, p)) {
      throw new SwitchboardError('forbidden', `this token may not ${what} ${JSON.stringify(p).slice(0, 80)}: outside its topics`);
    }
  }
}

const GLOB_CACHE = new Map<string, RegExp>();

function globToRegExp(glob: string): RegExp {
  let re = GLOB_CACHE.get(glob);
  if (!re) {
    re = new RegExp(`^${glob.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    if (GLOB_CACHE.size < 1000) GLOB_CACHE.set(glob, re);
  }
  return re;
}

/** Whether `glob` is a usable instance pattern: instance-name characters and `*`. */
export function isInstanceGlob(glob: unknown): glob is string {
  return typeof glob === 'string' && glob.length > 0 && glob.length <= 200 && /^[a-z0-9*-]+$/.test(glob);
}

/** Whether the principal may control the instance `name`; no principal or no claim means yes. */
export function mayControlInstance(principal: Principal | null | undefined, name: string): boolean {
  const claim = principal?.instances;
  return !claim || claim.some((g) => globToRegExp(g).test(name));
}

/** Throw 403 `forbidden` unless the principal may control the instance `name`. */
export function requireInstance(principal: Principal | null | undefined, name: string): void {
  if (!mayControlInstance(principal, name)) {
    throw new SwitchboardError('forbidden', `this token may not control instance ${JSON.stringify(name).slice(0, 80)}: outside its instances`);
  }
}
