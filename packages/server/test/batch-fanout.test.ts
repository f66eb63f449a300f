// A REST batch is fanned out as one shared buffer to subscribers matching all of it and event by event to the
// others (issue 5): every subscriber still gets exactly its matching events, once each, in log order.

import { afterEach, beforeEach, expect, it } from 'vitest';
import { connectRaw, startTestServer, type RawClient, type TestServer } from '@switchboard/testkit';

let srv: TestServer;
const clients: RawClient[] = [];

beforeEach(async () => {
  srv = await startTestServer();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await srv.close();
});

async function subscriber(topics: string): Promise<RawClient> {
  const c = await connectRaw(`${srv.wsUrl}/ws/events?topics=${encodeURIComponent(topics)}`);
  clients.push(c);
  await c.next((f) => f.type === 'snapshot');
  return c;
}

const isEvent = (f: { type: string }) => f.type !== 'subscribed' && f.type !== 'snapshot';

it('delivers a mixed batch whole to full matches and in part, in order and without duplicates, to the others', async () => {
  const all = await subscriber('*');
  const overlapping = await subscriber('bench.*,bench.a,*');
  const some = await subscriber('bench.b');
  const mixed = await subscriber('bench.a,other.*');
  const batch = [
    { topic: 'bench.a', data: { n: 1 } },
    { topic: 'bench.b', data: { n: 2 } },
    { topic: 'other.c', data: { n: 3 } },
    { topic: 'bench.a', data: { n: 4 } },
    { topic: 'bench.b', data: { n: 5 } },
  ];
  const res = await fetch(`${srv.url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
  expect(res.status).toBe(201);
  // A live event after the batch proves nothing more of the batch is still coming.
  await fetch(`${srv.url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic: 'bench.b', data: { n: 6 } }) });
  const ns = async (c: RawClient, last: number) => {
    await c.collect((f) => isEvent(f) && (f.data as { n: number }).n === last, 1);
    return c.frames.filter(isEvent).map((f) => (f.data as { n: number }).n);
  };
  expect(await ns(all, 6)).toEqual([1, 2, 3, 4, 5, 6]);
  expect(await ns(overlapping, 6)).toEqual([1, 2, 3, 4, 5, 6]);
  expect(await ns(some, 6)).toEqual([2, 5, 6]);
  expect(await ns(mixed, 4)).toEqual([1, 3, 4]);
  expect(all.frames.filter(isEvent).map((f) => f.seq)).toEqual([1, 2, 3, 4, 5, 6]);
});
