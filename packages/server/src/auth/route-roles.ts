// The one table of what each request needs (docs/protocol.md, "Auth"): the role, and for a token with a `topics`
// claim, the topic families whose datthe route shows or changes. Reads need `read`; appending events and
// answering messages need `publish`; anything that can run a command needs `control`; a write route missing from
// the table needs `admin`, so a new route stays closed to narrower tokens until it is placed here.

import type { Role } from './principal';

/**
 * What a request needs. `families`: the claim must cover each `family.*` (the route shows or changes data derived
 * from those events); `'topics'`: the handler filters by the claim itself (the event log); `'any'`: no topic data
 * (operational counters); `'all'`: only an unrestricted token (a route not in the table).
 */
export interface Requirement {
  role: Role;
  families: readonly string[] | 'topics' | 'any' | 'all';
  /**
   * How an `instances` claim applies to a write: `'path'` checks the `:name` segment here, `'handler'` leaves it to
   * the route (a name in the body), `'refuse'` turns such a token away (the route can run commands no name bounds),
   * `'ignore'` means the route controls no instance.
   */
  instances?: 'path' | 'handler' | 'refuse' | 'ignore';
}

interface Rule {
  /** Path segments; `:x` matches any one segment and `**` any rest (including none). */
  parts: string[];
  read: Requirement['families'];
  /** The role writes (anything but GET/HEAD) need, and how an `instances` claim applies to them. */
  write?: { role: Role; instances: NonNullable<Requirement['instances']> };
}

const INSTANCE = ['instance'];
const WORKSPACE = ['workspace', 'session'];

// Control routes that are not one named instance (plans, spawn, workspaces, sessions) can run any command, so a
// token whose `instances` claim narrows it may not use them ('refuse').
const RULES: Rule[] = [
  { parts: ['api', 'events'], read: 'topics', write: { role: 'publish', instances: 'ignore' } },
  { parts: ['api', 'snapshot'], read: 'topics' },
  { parts: ['api', 'messages', '**'], read: ['message'], write: { role: 'publish', instances: 'ignore' } },
  { parts: ['api', 'approvals', '**'], read: ['approval'], write: { role: 'publish', instances: 'ignore' } },
  { parts: ['api', 'instances'], read: INSTANCE, write: { role: 'control', instances: 'handler' } },
  { parts: ['api', 'instances', ':name', '**'], read: INSTANCE, write: { role: 'control', instances: 'path' } },
  { parts: ['api', 'plans', '**'], read: ['plan'], write: { role: 'control', instances: 'refuse' } },
  { parts: ['api', 'dashboard', 'plan', '**'], read: ['plan'] },
  { parts: ['api', 'dashboard', 'sessions', '**'], read: ['plan'], write: { role: 'control', instances: 'refuse' } },
  { parts: ['api', 'dashboard', 'stream'], read: 'any' },
  { parts: ['api', 'dashboard', 'plan-subscriptions'], read: 'any' },
  { parts: ['api', 'spawn'], read: WORKSPACE, write: { role: 'control', instances: 'refuse' } },
  { parts: ['api', 'sessions', '**'], read: WORKSPACE, write: { role: 'control', instances: 'refuse' } },
  { parts: ['api', 'workspaces', '**'], read: WORKSPACE, write: { role: 'control', instances: 'refuse' } },
  { parts: ['api', 'tokens'], read: 'all', write: { role: 'admin', instances: 'refuse' } },
  // Operational counters: no event data, no topic in a label that a topics claim could hide (docs/operations.md).
  { parts: ['metrics'], read: 'any' },
];

// WebSocket endpoints only read. `/ws/{session_id}` (the plan stream) is the fallback for any other single segment.
const STREAM_RULES: Array<{ parts: string[]; families: Requirement['families'] }> = [
  { parts: ['ws', 'events'], families: 'topics' },
  { parts: ['ws', 'agents'], families: 'topics' },
  { parts: ['ws', 'instances'], families: INSTANCE },
  { parts: ['ws', 'instances', ':name', 'logs'], families: INSTANCE },
  { parts: ['ws', 'messages'], families: ['message'] },
  { parts: ['ws', 'dashboard'], families: WORKSPACE },
  { parts: ['ws', 'sessions'], families: WORKSPACE },
  { parts: ['ws', ':session_id'], families: ['plan'] },
];

function matches(parts: readonly string[], segs: readonly string[]): boolean {
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p === '**') return true;
    if (i >= segs.length || (p !== segs[i] && !p.startsWith(':'))) return false;
  }
  return parts.length === segs.length;
}

function segments(pathname: string): string[] {
  return pathname.split('/').filter(Boolean);
}

/** What a REST request needs. */
export function requirementOf(method: string, pathname: string): Requirement {
  const segs = segments(pathname);
  const rule = RULES.find((r) => matches(r.parts, segs));
  const reading = method === 'GET' || method === 'HEAD';
  if (reading) return { role: 'read', families: rule?.read ?? 'all' };
  if (!rule?.write) return { role: 'admin', families: 'all', instances: 'refuse' };
  return { role: rule.write.role, families: rule.read, instances: rule.write.instances };
}

/** What opening a WebSocket endpoint needs (the role is always `read`). */
export function streamRequirementOf(pathname: string): Requirement {
  const segs = segments(pathname);
  const rule = STREAM_RULES.find((r) => matches(r.parts, segs));
  return { role: 'read', families: rule?.families ?? 'all' };
}

/** The `:name` of `/api/instances/:name/…`, decoded; undefined when it is not such a path or does not decode. */
export function instanceNameOf(pathname: string): string | undefined {
  const segs = segments(pathname);
  if (segs.length < 3 || segs[0] !== 'api' || segs[1] !== 'instances') return undefined;
  try {
    return decodeURIComponent(segs[2]!);
  } catch {
    return undefined;
  }
}
