// The cluster under faults, from outside (issue "A cluster that never lies", docs/architecture.md "Cluster mode"):
// a real redis-server with an append-only file and three real node processes; publishers posting with an
// Idempotency-Key to random nodes and retrying on any failure; subscribers resuming with their cursor on random
// nodes, hopping on their own and whenever a node goes; kill -9 and SIGTERM of nodes, a node stalled (SIGSTOP) while
// the others take writes, Redis killed and restarted from its AOF with writes in flight, Redis restarted empty, and a
// plan run from two nodes at once (in each epoch).
//
// Every subscriber checks each frame as it comes: an event must be the one right after its cursor (else a gap it
// was not told about, or a duplicate); `recovered: false` or a snapshot that moves it back within its epoch is a
// rewind. Across everyone: no (epoch, seq) names two events, every 201 names an event every node holds at that
// (epoch, seq), no event is in an epoch's log twice, and all nodes hold the same log. Counts are modest and every
// wait is on a condition, so it holds on a loaded 2-core machine.

import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { makeTempDir, spawnServer, waitFor, type ServerProcess } from '@switchboard/testkit';
import { startRedis, type TestRedis } from './support/redis-server';

const NODE_IDS = ['a', 'b', 'c'] as const;
type NodeId = (typeof NODE_IDS)[number];

interface Node {
  id: NodeId;
  dataDir: string;
  proc: ServerProcess | undefined;
  /** SIGSTOPped: publishers avoid it; subscribers may still connect, and are answered once it runs again. */
  stalled?: boolean;
}

let redis: TestRedis | undefined;
const nodes = new Map<NodeId, Node>();
const sockets = new Set<WebSocket>();
let stopping = false;

afterAll(async () => {
  stopping = true;
  for (const ws of sockets) ws.terminate();
  await Promise.all([...nodes.values()].map((n) => n.proc?.kill('SIGKILL')));
  for (const n of nodes.values()) rmSync(n.dataDir, { recursive: true, force: true });
  await redis?.stop();
}, 30_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
const up = (): Node[] => [...nodes.values()].filter((n) => n.proc !== undefined);
const live = (): Node[] => up().filter((n) => !n.stalled);

async function boot(n: Node): Promise<void> {
  n.proc = await spawnServer(['--data', n.dataDir, '--redis', redis!.url, '--node-id', n.id], { timeoutMs: 60_000 });
}

/** Take the node out of rotation first, so nobody starts a request on a node about to go. */
async function down(n: Node, signal: NodeJS.Signals): Promise<void> {
  const proc = n.proc!;
  n.proc = undefined;
  await proc.kill(signal);
}

async function http(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

// ---------------------------------------------------------------------------------------------------------------
// What everyone saw

const violations: string[] = [];
/** `${epoch} ${seq}` → the event's fingerprint (topic, ts, data), from every subscriber and every node's log. */
const named = new Map<string, string>();
function name(epoch: string, seq: number, fingerprint: string, who: string): void {
  const key = `${epoch} ${seq}`;
  const prev = named.get(key);
  if (prev === undefined) named.set(key, fingerprint);
  else if (prev !== fingerprint) violations.push(`${who}: (${epoch.slice(0, 8)}, ${seq}) names two events: ${prev} / ${fingerprint}`);
}
const fingerprint = (topic: string, ts: unknown, data: unknown) => `${topic} ${String(ts)} ${JSON.stringify(data)}`;
/** Epochs in the order anyone first saw them: a client must never be moved back to an older one. */
const epochs: string[] = [];
const epochRank = (e: string) => (epochs.includes(e) ? epochs.indexOf(e) : epochs.push(e) - 1);

interface Ack {
  epoch: string;
  seq: number;
  id: string;
  key: string;
}
const acks: Ack[] = [];

// ---------------------------------------------------------------------------------------------------------------
// Publishers: one event at a time, each retried with its key until some node acknowledges it

function publisher(p: number, paused: () => Promise<void>): { stop: () => Promise<void>; busy: () => boolean } {
  let running = true;
  let busy = false;
  let n = 0;
  const loop = (async () => {
    while (running) {
      busy = false;
      await paused();
      if (!running) break;
      busy = true;
      n += 1;
      const key = `chaos-${p}-${n}`;
      const body = { topic: 'chaos.tick', data: { p, n } };
      // Up to ~40 s per event: through node restarts, a Redis restart and an epoch move.
      for (let attempt = 0; attempt < 200 && !stopping; attempt++) {
        const target = live();
        if (target.length === 0) {
          await sleep(100);
          continue;
        }
        try {
          const res = await http('POST', `${pick(target).proc!.url}/api/events`, body, { 'idempotency-key': key });
          if (res.status === 201) {
            acks.push({ epoch: res.body.epoch, seq: res.body.seq, id: res.body.id, key });
            break;
          }
          if (res.status !== 503) violations.push(`publish ${key}: ${res.status} ${JSON.stringify(res.body)}`);
        } catch {
          // The node went away mid-request: the outcome is unknown, so the same key goes again.
        }
        await sleep(100 + Math.random() * 150);
      }
      await sleep(15 + Math.random() * 25);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
    busy: () => busy,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Subscribers: /ws/events for everything, resuming with their cursor on a random node

interface Subscriber {
  cursor: { epoch: string; seq: number } | undefined;
  events: number;
  notRecovered: number;
  stop: () => void;
}

function subscriber(k: number): Subscriber {
  const s: Subscriber = { cursor: undefined, events: 0, notRecovered: 0, stop: () => (done = true) };
  let done = false;
  const who = `subscriber ${k}`;
  /** Event keys seen per epoch, to catch a duplicate that a wrong cursor would hide. */
  const seen = new Map<string, Set<string>>();
  const connect = () => {
    if (done || stopping) return;
    const target = up();
    if (target.length === 0) return void setTimeout(connect, 100);
    const c = s.cursor;
    const since = c ? `&since_epoch=${encodeURIComponent(c.epoch)}&since_seq=${c.seq}` : '';
    const via = pick(target);
    const ws = new WebSocket(`${via.proc!.wsUrl}/ws/events?topics=*${since}`);
    sockets.add(ws);
    // Hop now and then on its own, as a client behind a load balancer would after any reconnect.
    const hop = setTimeout(() => {
      ws.close(1000);
      // A stalled node cannot answer the closing handshake.
      setTimeout(() => ws.terminate(), 1000).unref();
    }, 500 + Math.random() * 1500);
    let state: 'subscribing' | 'snapshot' | 'live' = 'subscribing';
    let epoch = '';
    ws.on('message', (raw) => {
      const f = JSON.parse(String(raw)) as Record<string, any>;
      if (f.type === 'subscribed') {
        epoch = f.epoch;
        epochRank(epoch);
        if (f.recovered) {
          if (c && c.epoch !== f.epoch) violations.push(`${who}: recovered:true across epochs ${c.epoch} → ${f.epoch}`);
          state = 'live';
        } else {
          if (c && c.epoch === f.epoch) violations.push(`${who}: recovered:false within its epoch at seq ${c.seq} (node head ${f.seq})`);
          if (c && epochRank(f.epoch) < epochRank(c.epoch)) violations.push(`${who}: moved back from epoch ${c.epoch.slice(0, 8)} to the older ${f.epoch.slice(0, 8)} on node ${via.id}`);
          s.notRecovered += 1;
          state = 'snapshot';
        }
        return;
      }
      if (f.type === 'snapshot') {
        const cur = s.cursor;
        if (cur && cur.epoch === f.epoch && f.seq < cur.seq) violations.push(`${who}: snapshot at ${f.seq} behind its cursor ${cur.seq}`);
        s.cursor = { epoch: f.epoch, seq: f.seq };
        state = 'live';
        return;
      }
      if (f.type === 'error' || f.type === 'pong' || typeof f.seq !== 'number') return;
      if (state !== 'live') return void violations.push(`${who}: event ${f.seq} before its subscribe was answered`);
      const cur = s.cursor;
      const expected = cur && cur.epoch === epoch ? cur.seq + 1 : undefined;
      if (expected === undefined) violations.push(`${who}: event ${f.seq} with no cursor in epoch ${epoch}`);
      else if (f.seq < expected) violations.push(`${who}: duplicate ${f.seq} (cursor ${cur!.seq})`);
      else if (f.seq > expected) violations.push(`${who}: undetected gap ${expected}..${f.seq - 1}`);
      const fp = fingerprint(f.type, f.ts, f.data);
      name(epoch, f.seq, fp, who);
      let inEpoch = seen.get(epoch);
      if (!inEpoch) seen.set(epoch, (inEpoch = new Set()));
      if (f.type === 'chaos.tick') {
        const key = `${f.data.p}-${f.data.n}`;
        if (inEpoch.has(key)) violations.push(`${who}: event ${key} twice in one epoch`);
        inEpoch.add(key);
      }
      s.cursor = { epoch, seq: f.seq };
      s.events += 1;
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      clearTimeout(hop);
      sockets.delete(ws);
      setTimeout(connect, 20 + Math.random() * 100);
    });
  };
  connect();
  return s;
}

// ---------------------------------------------------------------------------------------------------------------
// The logs the nodes hold

async function readLog(n: Node): Promise<{ epoch: string; events: Array<{ seq: number; id: string; topic: string; ts: string; data: any }> }> {
  const events: Array<{ seq: number; id: string; topic: string; ts: string; data: any }> = [];
  let since = 0;
  let epoch = '';
  for (;;) {
    const page = await http('GET', `${n.proc!.url}/api/events?since=${since}&limit=10000${epoch ? `&epoch=${epoch}` : ''}`);
    expect(page.status).toBe(200);
    if (epoch && page.body.epoch !== epoch) throw new Error(`node ${n.id} moved epochs while being read`);
    epoch = page.body.epoch;
    events.push(...page.body.events);
    if (!page.body.has_more) return { epoch, events };
    since = events[events.length - 1]!.seq;
  }
}

/**
 * With nothing being written: every node on one epoch and at the same head, holding the same log, which holds every
 * event acknowledged in that epoch at the (seq, id) of its 201, each once; every subscriber caught up to it.
 */
async function checkSettled(subs: Subscriber[], label: string): Promise<string> {
  const heads = async () => Promise.all(live().map(async (n) => (await http('GET', `${n.proc!.url}/api/healthz`)).body as { epoch: string; seq: number }));
  await waitFor(
    async () => {
      const h = await heads();
      return h.every((x) => x.epoch === h[0]!.epoch && x.seq === h[0]!.seq);
    },
    { timeoutMs: 30_000, intervalMs: 200, message: `${label}: every node at one epoch and head` },
  );
  const logs = await Promise.all(live().map(readLog));
  const { epoch } = logs[0]!;
  const reference = logs[0]!.events.map((e) => `${e.seq} ${e.id}`);
  for (const [i, log] of logs.entries()) {
    expect(log.epoch, `${label}: epoch of ${live()[i]!.id}`).toBe(epoch);
    expect(log.events.map((e) => `${e.seq} ${e.id}`), `${label}: log of ${live()[i]!.id}`).toEqual(reference);
  }
  const bySeq = new Map(logs[0]!.events.map((e) => [e.seq, e]));
  const keys = new Set<string>();
  for (const e of logs[0]!.events) {
    name(epoch, e.seq, fingerprint(e.topic, e.ts, e.data), `log of ${label}`);
    if (e.topic !== 'chaos.tick') continue;
    const key = `${e.data.p}-${e.data.n}`;
    if (keys.has(key)) violations.push(`${label}: event ${key} appended twice in epoch ${epoch}`);
    keys.add(key);
  }
  for (const a of acks.filter((x) => x.epoch === epoch)) {
    const e = bySeq.get(a.seq);
    if (!e || e.id !== a.id) violations.push(`${label}: acknowledged ${a.key} (seq ${a.seq}, ${a.id}) is not in the log: ${e ? e.id : 'no event'}`);
  }
  const head = logs[0]!.events.at(-1)?.seq ?? 0;
  await waitFor(() => subs.every((s) => s.cursor?.epoch === epoch && s.cursor.seq >= head), {
    timeoutMs: 30_000,
    intervalMs: 100,
    message: `${label}: every subscriber caught up to ${head}`,
  });
  return epoch;
}

/** A plan run through two nodes at once runs once. */
async function runPlanTwice(label: string): Promise<string> {
  const [x, y] = live();
  const created = await http('POST', `${x!.proc!.url}/api/plans`, { name: `chaos-${label}`, steps: [{ name: 'step', command: 'true' }] });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  await waitFor(async () => (await http('GET', `${y!.proc!.url}/api/plans/${id}`)).status === 200, { timeoutMs: 10_000, message: `${label}: node ${y!.id} to know the plan` });
  const runs = await Promise.all([x, y].map((n) => http('POST', `${n!.proc!.url}/api/plans/${id}/run`)));
  expect(runs.map((r) => r.status).sort(), `${label}: ${JSON.stringify(runs.map((r) => r.body))}`).toEqual([200, 409]);
  await waitFor(async () => (await http('GET', `${y!.proc!.url}/api/plans/${id}`)).body.status === 'completed', { timeoutMs: 20_000, message: `${label}: the plan to complete` });
  return id;
}

async function planCompletions(planId: string): Promise<number> {
  const log = await readLog(live()[0]!);
  return log.events.filter((e) => e.topic === 'plan.completed' && e.data.plan_id === planId).length;
}

describe('the cluster under chaos', () => {
  it('never loses an acknowledged event, never duplicates one, never gaps a subscriber silently, and all nodes agree', async () => {
    redis = await startRedis({ persistent: true });
    for (const id of NODE_IDS) nodes.set(id, { id, dataDir: makeTempDir(`sb-chaos-${id}-`), proc: undefined });
    await Promise.all([...nodes.values()].map(boot));
    const [a, b, c] = NODE_IDS.map((id) => nodes.get(id)!);

    let gate: Promise<void> = Promise.resolve();
    let open: () => void = () => undefined;
    const pause = () => (gate = new Promise<void>((r) => (open = r)));
    const pubs = [1, 2].map((p) => publisher(p, () => gate));
    const subs = Array.from({ length: 6 }, (_, k) => subscriber(k));
    const ackedAfter = async (count: number, what: string) =>
      waitFor(() => acks.length >= count, { timeoutMs: 30_000, intervalMs: 50, message: `${what}: ${count} acknowledged events` });

    await ackedAfter(20, 'warm-up');
    // kill -9 of a node, writes and subscribers on the others; it comes back and catches up.
    await down(c, 'SIGKILL');
    await ackedAfter(acks.length + 15, 'with node c killed');
    await boot(c);
    // A graceful stop of another.
    await down(b, 'SIGTERM');
    await ackedAfter(acks.length + 15, 'with node b stopped');
    await boot(b);
    await ackedAfter(acks.length + 10, 'with every node back');
    // A node stalls (a long GC pause, a frozen VM) while the others take writes: subscribers hopping onto it with
    // cursors it has not reached must wait for it, not be rewound.
    b.stalled = true;
    b.proc!.child.kill('SIGSTOP');
    await ackedAfter(acks.length + 25, 'with node b stalled');
    b.proc!.child.kill('SIGCONT');
    b.stalled = false;
    // Redis killed with writes in flight, back from its append-only file.
    await redis.restart({ signal: 'SIGKILL', downMs: 500 });
    await ackedAfter(acks.length + 20, 'after the Redis restart from AOF');
    const firstPlan = await runPlanTwice('epoch 1');

    // Quiet: the first epoch, checked whole before Redis loses it.
    pause();
    await waitFor(() => pubs.every((p) => !p.busy()), { timeoutMs: 60_000, intervalMs: 50, message: 'publishers to finish their events in flight' });
    const first = await checkSettled(subs, 'first epoch');
    expect(await planCompletions(firstPlan)).toBe(1);

    open();
    await ackedAfter(acks.length + 10, 'before Redis is emptied');
    // Redis back empty, writes in flight: one new epoch for all, every subscriber told plainly.
    await redis.restart({ signal: 'SIGKILL', empty: true, downMs: 300 });
    await waitFor(async () => acks.some((x) => x.epoch !== first) && acks.length > 0, { timeoutMs: 30_000, message: 'appends in the new epoch' });
    await ackedAfter(acks.length + 20, 'in the new epoch');
    // A node killed in the new epoch, then back.
    await down(a, 'SIGKILL');
    await ackedAfter(acks.length + 10, 'with node a killed');
    await boot(a);
    const secondPlan = await runPlanTwice('epoch 2');

    await Promise.all(pubs.map((p) => p.stop()));
    const last = await checkSettled(subs, 'last epoch');
    expect(last).not.toBe(first);
    expect(await planCompletions(secondPlan)).toBe(1);
    // No 201 named an epoch other than those two: none was given for the lost log after it was lost.
    expect(new Set(acks.map((x) => x.epoch))).toEqual(new Set([first, last]));
    for (const s of subs) {
      s.stop();
      expect(s.notRecovered, 'every subscriber was told about the lost log').toBeGreaterThanOrEqual(2);
    }
    if (violations.length > 0) for (const n of up()) console.log(`--- node ${n.id}\n${n.proc!.output().slice(-3000)}`);
    expect(violations).toEqual([]);
    expect(subs.every((s) => s.events > 0)).toBe(true);
  }, 115_000);
});
