// REST of the event log (docs/protocol.md#events): publish, the polling fallback, the snapshot and the health check.

import {
  DEFAULT_POLL_LIMIT,
  MAX_POLL_LIMIT,
  SwitchboardError,
  isValidPattern,
  matchAny,
  splitTopics,
} from '@switchboard/protocol';
import { createHash } from 'node:crypto';
import { selectState } from '@switchboard/projections';
import type { App } from '../app';
import type { Principal } from '../auth/principal';
import { requireTopics, snapshotPatterns } from '../auth/scope';
import type { AppendInput } from '../store/event-store';

const startedAt = Date.now();

export function registerEventsApi(app: App, stats: () => Record<string, number>): void {
  const { router, log } = app;

  router.get('/api/healthz', async () => {
    // Cluster mode: which node answered and how far behind the shared log it is (docs/architecture.md "Cluster health").
    const cluster = app.clusterHealth ? await app.clusterHealth() : undefined;
    return {
      body: {
        status: 'ok',
        epoch: log.epoch,
        seq: log.head,
        uptime_s: Math.round((Date.now() - startedAt) / 1000),
        ...stats(),
        ...(cluster ? { node_id: cluster.node_id, cluster } : {}),
      },
    };
  });

  router.post('/api/events', async (req) => {
    const key = idempotencyKey(req.headers['idempotency-key']);
    const body = await req.body();
    const batch = Array.isArray(body);
    if (batch && body.length === 0) throw new SwitchboardError('validation_failed', 'body: an array must hold at least one event', { details: { field: 'body' } });
    const inputs = log.validateProducerInput(batch ? body : [body]);
    requireTopics(req.principal, inputs.map((e) => e.topic), 'publish to');
    let events: Array<{ seq: number; id: string }>;
    let replayed = false;
    if (key === undefined) {
      events = await log.appendProducer(inputs);
    } else {
      const windowMs = app.config.idempotencyWindowSeconds * 1000;
      ({ events, replayed } = await log.appendProducerOnce(inputs, { key, fingerprint: fingerprint(batch, inputs), windowMs }));
    }
    const headers = replayed ? { 'idempotent-replayed': 'true' } : undefined;
    if (batch) return { status: 201, body: { epoch: log.epoch, seqs: events.map((e) => e.seq) }, headers };
    return { status: 201, body: { epoch: log.epoch, seq: events[0]!.seq, id: events[0]!.id }, headers };
  });

  router.get('/api/events', async (req) => {
    const q = req.query;
    const since = intParam(q.get('since'), 'since', 0);
    const limit = intParam(q.get('limit'), 'limit', DEFAULT_POLL_LIMIT);
    if (limit < 1 || limit > MAX_POLL_LIMIT) {
      throw new SwitchboardError('validation_failed', `limit must be between 1 and ${MAX_POLL_LIMIT}`, { details: { field: 'limit' } });
    }
    const topics = scopedTopics(req.principal, parseTopicsParam(q.get('topics')));
    const epoch = q.get('epoch');
    // Cluster mode: a cursor of this epoch ahead of this node was read on another node; wait (bounded) to catch up
    // rather than answer an older view as if the cursor were stale.
    const cursorEpoch = epoch ?? log.epoch;
    if (log.replicated && (cursorEpoch !== log.epoch || since > log.head)) {
      if ((await log.catchUpTo({ epoch: cursorEpoch, seq: since }, app.config.resumeWaitMs)) === 'behind') {
        const err = new SwitchboardError('unavailable', `this node has not caught up to seq ${since} yet; retry`, { details: { retry_after_s: 1 } });
        return { status: 503, body: err.toJSON(), headers: { 'retry-after': '1' } };
      }
    }
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

/** Printable ASCII without spaces, 1–255 characters (docs/protocol.md "Idempotent publishing"). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function idempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !IDEMPOTENCY_KEY.test(header)) {
    throw new SwitchboardError('validation_failed', 'Idempotency-Key must be 1-255 printable ASCII characters without spaces', {
      details: { field: 'Idempotency-Key' },
    });
  }
  return header;
}

/** What a retry must repeat to be the same request: the shape (one event or a batch) and every topic and data. */
function fingerprint(batch: boolean, inputs: readonly AppendInput[]): string {
  const hash = createHash('sha256').update(batch ? 'batch' : 'one');
  for (const i of inputs) hash.update(`\n${i.topic}\n${JSON.stringify(i.data)}`);
  return hash.digest('hex');
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
