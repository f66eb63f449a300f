// The topic catalogue (docs/protocol.md#events): a zod schema per catalogue topic's data. Unknown families are accepted as-is.
// Schemas are "at least" shapes: extra fields pass through untouched.

import { z } from 'zod';
import { getOwn } from './own-keys';
import { familyOf } from './topics';

const id = z.string().min(1);
const nonNeg = z.number().finite().nonnegative();

const session = z.looseObject({
  id,
  name: z.string(),
  target: z.string(),
  workspace_id: z.string().optional(),
  instance: z.string().optional(),
});
// Updates and endings name the session; the rest of the shape is only checked when present.
const sessionChange = session.partial().required({ id: true });

const agent = z.looseObject({
  id,
  session_id: z.string(),
  name: z.string(),
  detail: z.unknown().optional(),
});
const agentChange = agent.partial().required({ id: true });

const swarm = z.looseObject({
  id,
  agents: z.array(z.string()),
  goal: z.string().optional(),
});
const swarmChange = swarm.partial().required({ id: true });

const cost = z.looseObject({
  session_id: z.string().optional(),
  agent_id: z.string().optional(),
  cost_usd: nonNeg,
  tokens_in: nonNeg,
  tokens_out: nonNeg,
  total_cost_usd: nonNeg,
});

const percent = z.number().finite().min(0).max(100);
const task = z.looseObject({
  id,
  kind: z.string(),
  percent,
  message: z.string().optional(),
  error: z.string().optional(),
});
const taskEnd = task.partial().required({ id: true });

const documentIndexed = z.looseObject({ id, name: z.string() });
const searchCompleted = z.looseObject({ id, query: z.string(), results: z.number().int().nonnegative() });

/** Schemas of producer-writable catalogue topics. */
export const CATALOGUE = {
  'session.created': session,
  'session.updated': sessionChange,
  'session.ended': sessionChange,
  'agent.started': agent,
  'agent.action': agentChange,
  'agent.completed': agentChange,
  'agent.failed': agentChange,
  'agent.permission_requested': agentChange,
  'swarm.formed': swarm,
  'swarm.updated': swarmChange,
  'swarm.dissolved': swarmChange,
  'metrics.cost_updated': cost,
  'task.started': task,
  'task.progress': task,
  'task.completed': taskEnd,
  'task.failed': taskEnd,
  'document.indexed': documentIndexed,
  'search.completed': searchCompleted,
} as const satisfies Record<string, z.ZodType>;

export type CatalogueTopic = keyof typeof CATALOGUE;
export type CatalogueData<T extends CatalogueTopic> = z.infer<(typeof CATALOGUE)[T]>;

/** Families whose events only the server writes; producers get `reserved_topic`. */
export const SERVER_FAMILIES = new Set(['instance', 'message', 'plan', 'workspace', 'approval']);

/** Families with a catalogue (and a projection). */
export const CATALOGUE_FAMILIES = new Set([
  'session', 'agent', 'swarm', 'metrics', 'task', 'document', 'search',
  'instance', 'message', 'plan', 'workspace', 'approval',
]);

export type DataCheck = { ok: true } | { ok: false; field: string; message: string };

/**
 * The schema of a catalogue topic, or `undefined`. Own keys only: a custom topic named `toString`, `constructor`
 * or `__proto__` is just a custom topic, not a member of Object.prototype.
 */
export function catalogueSchema(topic: string): z.ZodType | undefined {
  return getOwn<z.ZodType>(CATALOGUE, topic);
}

/**
 * Check an event's data against the catalogue. Unknown topics of unknown families pass; an unknown topic in a
 * catalogue family passes too (families grow), as long as `data` is an object.
 */
export function checkEventData(topic: string, data: unknown): DataCheck {
  const schema = catalogueSchema(topic);
  if (!schema) {
    if (CATALOGUE_FAMILIES.has(familyOf(topic)) && (typeof data !== 'object' || data === null || Array.isArray(data))) {
      return { ok: false, field: 'data', message: 'data must be an object' };
    }
    return { ok: true };
  }
  const result = schema.safeParse(data);
  if (result.success) return { ok: true };
  const issue = result.error.issues[0]!;
  const path = issue.path.length ? `data.${issue.path.join('.')}` : 'data';
  return { ok: false, field: path, message: `${path}: ${issue.message}` };
}
