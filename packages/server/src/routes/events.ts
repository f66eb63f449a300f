// REST of the event log (SPEC §2): publish, the polling fallback, the snapshot and the health check.

import {
  DEFAULT_POLL_LIMIT,
  MAX_POLL_LIMIT,
  SwitchboardError,
  isValidPattern,
  matchAny,
  splitTopics,
} from '@switchboard/protocol';
import { selectState } from '@switchboard/projections';
import type { App } from '../app';
import type { Principal } from '../auth/principal';
import { requireTopics, snapshotPatterns } from '../auth/scope';

const startedAt = Date.now();

export function registerEventsApi(app: App, stats: () => Record<string, number>): void {
  const { router, log } = app;

  router.get('/api/healthz', () => ({
    body: { status: 'ok', epoch: log.epoch, seq: log.head, uptime_s: Math.round((Date.now() - startedAt) / 1000), ...stats() },
  }));

  router.post('/api/events', async (req) => {
    const body = await req.body();
    if (Array.isArray(body)) {
      if (body.length === 0) throw new SwitchboardError('validation_failed', 'body: an array must hold at least one event', { details: { field: 'body' } });
      const inputs = log.validateProducerInput(body);
      requireTopics(req.principal, inputs.map((e) => e.topic), 'publish to');
      const events = await log.appendProducer(inputs);
      return { status: 201, body: { epoch: log.epoch, seqs: events.map((e) => e.seq) } };
    }
    const inputs = log.validateProducerInput([body]);
    requireTopics(req.principal, inputs.map((e) => e.topic), 'publish to');
    const [event] = await log.appendProducer(inputs);
    return { status: 201, body: { epoch: log.epoch, seq: event!.seq, id: event!.id } };
  });

  router.get('/api/events', (req) => {
    const q = req.query;
    const since = intParam(q.get('since'), 'since', 0);
    const limit = intParam(q.get('limit'), 'limit', DEFAULT_POLL_LIMIT);
    if (limit < 1 || limit > MAX_POLL_LIMIT) {
      throw new SwitchboardError('validation_failed', `limit must be between 1 and ${MAX_POLL_LIMIT}`, { details: { field: 'limit' } });
    }
    const topics = scopedTopics(req.principal, parseTopicsParam(q.get('topics')));
    const epoch = q.get('epoch');
    const check = log.check({ epoch: epoch ?? log.epoch, seq: since });
    if (check === 'stale') {
      return { body: { epoch: log.epoch, seq: log.head, recovered: false, events: [], has_more: false } };
    }
    if (topics === null) return { body: { epoch: log.epoch, seq: log.head, recovered: true, events: [], has_more: false } };
    const accept = topics.length > 0 && !topics.includes('*') ? (t: string) => matchAny(topics, t) : undefined;
    const page = log.readSince(since, limit + 1, accept);
    const hasMore = page.length > limit;
    if (hasMore) page.length = limit;
    const events = page.map(({ seq, id, topic, ts, data }) => ({ seq, id, topic, ts, data }));
    return { body: { epoch: log.epoch, seq: log.head, recovered: true, events, has_more: hasMore } };
  });

  router.get('/api/snapshot', (req) => {
    const topics = scopedTopics(req.principal, parseTopicsParam(req.query.get('topics')));
    const patterns = topics === null ? [] : topics.length ? topics : ['*'];
    return { body: { epoch: log.epoch, seq: log.head, state: selectState(log.state, snapshotPatterns(req.principal, patterns)) } };
  });
}

/**
 * The patterns a read may use under a `topics` claim: none asked means the claim; patterns asked must lie inside it
 * (403 otherwise, `*` included), as on the stream. `null`: an empty claim, which reads nothing.
 */
function scopedTopics(principal: Principal | null, topics: string[]): string[] | null {
  const claim = principal?.topics;
  if (!claim) return topics;
  if (topics.length === 0) return claim.length ? [...claim] : null;
  requireTopics(principal, topics, 'read');
  return topics;
}

function intParam(value: string | null, field: string, fallback: number): number {
  if (value === null || value === '') return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new SwitchboardError('validation_failed', `${field} must be a non-negative integer`, { details: { field } });
  }
  return n;
}

function parseTopicsParam(value: string | null): string[] {
  const topics = splitTopics(value);
  for (const t of topics) {
    if (!isValidPattern(t)) {
      throw new SwitchboardError('invalid_topic', `topics: ${JSON.stringify(t).slice(0, 80)} is not a topic pattern`, { details: { field: 'topics' } });
    }
  }
  return topics;
}
