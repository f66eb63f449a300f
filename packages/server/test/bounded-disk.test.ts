// Bounded disk and exact log resume (docs/control-plane.md "Bounds", "Exact log resume") with real processes: a
// chatty instance's output log rotates at the size limit while a viewer receives every numbered line once and in
// order; a viewer that reconnects with its position gets exactly the lines it missed, across rotations; a position
// rotated away is reported, not guessed; the REST tail reads across rotated files; message payloads are pruned
// leaving their metadata and answering `gone`; a plan step's stored output is bounded with a marker.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor, type Frame, type RawClient } from '@switchboard/testkit';
import { boundedOutput } from '../src/plans/plan-runner';
import { frame, startHarness, uniqueName, type Harness } from './control-plane-helpers';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const LINE_PAD = 'x'.repeat(40);

/**
 * A Node child printing `line <i> xxx…` for i = 1..total, `perTick` lines every 5 ms (paced, so the reader is never
 * more than a rotation behind), then staying alive.
 */
async function chattyInstance(total: number, perTick = 40): Promise<{ name: string; log: string }> {
  const name = uniqueName('chatty');
  const script =
    `let i = 0; const t = setInterval(() => { let out = ''; for (let k = 0; k < ${perTick} && i < ${total}; k++) out += 'line ' + (++i) + ' ${LINE_PAD}\\n'; ` +
    `process.stdout.write(out); if (i >= ${total}) clearInterval(t); }, 5); setInterval(() => {}, 60000);`;
  expect((await h.post('/api/instances', { name, command: process.execPath, args: ['-e', script] })).status).toBe(201);
  return { name, log: join(h.srv.dataDir, 'instances', name, 'output.log') };
}

const numberOf = (line: string) => Number(/^line (\d+) /.exec(line)?.[1] ?? NaN);

/** Line numbers received in `lines` frames, in order. */
function received(c: RawClient): number[] {
  return c.frames.filter((f) => f.type === 'lines').flatMap((f) => (f.lines as string[]).map(numberOf));
}

/** The position the last frame carrying one gave. */
function lastPosition(c: RawClient): { file: string; offset: number } {
  const f = [...c.frames].reverse().find((x) => typeof x.file === 'string' && typeof x.offset === 'number')!;
  return { file: f.file as string, offset: f.offset as number };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('log rotation by size', () => {
  it('a chatty instance rotates at the limit while a viewer receives every line once, in order', async () => {
    // Enough rotated files kept for the whole run: a reader stalled by a loaded machine may fall a few files behind,
    // and a file deleted before it was read is a `missed` (tested below), not what this test is about. Deleting the
    // oldest file is covered by log-file-rotation.test.ts.
    h = await startHarness({ logMaxBytes: 64 * 1024, logMaxFiles: 12 });
    const total = 12_000; // ~600 KB: about nine rotations
    const { name, log } = await chattyInstance(total);
    const c = await h.open(`/ws/instances/${name}/logs?backlog=0`);
    await c.next(frame('backlog'));
    expect((await h.post(`/api/instances/${name}/start`)).status).toBe(200);
    await waitFor(() => received(c).at(-1) === total, { timeoutMs: 30_000, message: `line ${total} (have ${received(c).at(-1)})` });
    expect(received(c)).toEqual(range(1, total));
    expect(c.frames.filter((f) => f.type === 'rotated').length).toBeGreaterThanOrEqual(5);
    expect(c.frames.some((f) => f.type === 'missed')).toBe(false);

    // On disk: the current file and the rotated ones, each at most the limit, never a line split between files.
    const dir = join(h.srv.dataDir, 'instances', name);
    const rotatedFiles = readdirSync(dir).filter((f) => /^output\.log\.\d+$/.test(f));
    expect(rotatedFiles.length).toBeGreaterThanOrEqual(5);
    expect(rotatedFiles.length).toBeLessThanOrEqual(12);
    for (const f of rotatedFiles) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(64 * 1024);
    expect(existsSync(`${log}.13`)).toBe(false);

    // The REST tail reads across the rotation when the current file is short.
    const currentLines = Math.round(statSync(log).size / 51);
    const want = currentLines + 1500;
    const tail = (await h.get(`/api/instances/${name}/logs?tail=${want}`)).body;
    expect(tail.count).toBe(want);
    expect((tail.lines as string[]).map(numberOf)).toEqual(range(total - want + 1, total));
  }, 60_000);

  it('a viewer that reconnects with its position receives exactly the lines it missed, across rotations', async () => {
    h = await startHarness({ logMaxBytes: 32 * 1024, logMaxFiles: 5 });
    const total = 8000;
    const { name } = await chattyInstance(total, 20);
    const first = await h.open(`/ws/instances/${name}/logs?backlog=0`);
    await first.next(frame('backlog'));
    await h.post(`/api/instances/${name}/start`);
    await waitFor(() => (received(first).at(-1) ?? 0) >= 500, { timeoutMs: 20_000, message: 'the first 500 lines' });
    await first.close();
    const seen = received(first);
    const pos = lastPosition(first);
    // Meanwhile the instance writes on: more than one file's worth, so the position is in a rotated file now.
    await waitFor(async () => numberOf((await h.get(`/api/instances/${name}/logs?tail=1`)).body.lines[0] ?? '') >= seen.at(-1)! + 1500, {
      timeoutMs: 20_000,
      message: 'another 1500 lines written',
    });

    const again = await h.open(`/ws/instances/${name}/logs?backlog=100&file=${pos.file}&offset=${pos.offset}`);
    expect(await again.next()).toEqual({ type: 'resumed', file: pos.file, offset: pos.offset });
    await waitFor(() => received(again).at(-1) === total, { timeoutMs: 30_000, message: `line ${total} after the resume (have ${received(again).at(-1)})` });
    expect(again.frames.some((f) => f.type === 'backlog' || f.type === 'missed')).toBe(false);
    expect(again.frames.some((f) => f.type === 'rotated')).toBe(true);
    expect([...seen, ...received(again)]).toEqual(range(1, total));
  }, 60_000);

  it('a position rotated away beyond the kept files is reported as missed, then a backlog', async () => {
    h = await startHarness({ logMaxBytes: 8 * 1024, logMaxFiles: 1 });
    const total = 2000; // ~100 KB: a dozen rotations
    const { name } = await chattyInstance(total, 20);
    const first = await h.open(`/ws/instances/${name}/logs?backlog=0`);
    await first.next(frame('backlog'));
    await h.post(`/api/instances/${name}/start`);
    await waitFor(() => received(first).length > 0, { timeoutMs: 10_000, message: 'some lines' });
    const pos = lastPosition(first);
    await first.close();
    await waitFor(async () => (await h.get(`/api/instances/${name}/logs?tail=1`)).body.lines[0] === `line ${total} ${LINE_PAD}`, {
      timeoutMs: 20_000,
      message: 'every line written',
    });

    const again = await h.open(`/ws/instances/${name}/logs?backlog=3&file=${pos.file}&offset=${pos.offset}`);
    expect(await again.next()).toMatchObject({ type: 'missed', reason: 'rotated_away' });
    const backlog = await again.next();
    expect(backlog).toMatchObject({ type: 'backlog', count: 3 });
    expect((backlog.lines as string[]).map(numberOf)).toEqual([total - 2, total - 1, total]);

    // A position that was never given out says so too; a malformed one is refused.
    const bogus = await h.open(`/ws/instances/${name}/logs?backlog=0&file=0000abcd-1&offset=5`);
    expect(await bogus.next()).toMatchObject({ type: 'missed', reason: 'unknown_position' });
    const bad = await h.open(`/ws/instances/${name}/logs?file=x`);
    expect(await bad.next()).toMatchObject({ type: 'error', code: 'validation_failed' });
    expect((await bad.closed).code).toBe(4400);
  }, 60_000);

  it('a resume at the live position continues with live lines only, and 0 turns rotation off', async () => {
    h = await startHarness({ logMaxBytes: 0 });
    const total = 3000;
    const { name, log } = await chattyInstance(total, 10);
    const first = await h.open(`/ws/instances/${name}/logs?backlog=0`);
    await first.next(frame('backlog'));
    await h.post(`/api/instances/${name}/start`);
    await waitFor(() => (received(first).at(-1) ?? 0) >= 200, { timeoutMs: 20_000, message: '200 lines' });
    // Reconnect right away: usually at, or just behind, the live position.
    await first.close();
    const pos = lastPosition(first);
    const again = await h.open(`/ws/instances/${name}/logs?file=${pos.file}&offset=${pos.offset}`);
    expect((await again.next()).type).toBe('resumed');
    await waitFor(() => received(again).at(-1) === total, { timeoutMs: 30_000, message: `line ${total}` });
    expect([...received(first), ...received(again)]).toEqual(range(1, total));
    expect(existsSync(`${log}.1`)).toBe(false);
  }, 60_000);
});

describe('message payload retention', () => {
  it('pruned payloads answer gone (410) while their metadata and events stay', async () => {
    h = await startHarness({ messageRetention: { maxCount: 2 }, messagePruneIntervalMs: 50 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await h.post('/api/messages', { from: 'agent-a', to: 'agent-b', message_type: 'note', payload: { n: i } });
      expect(res.status).toBe(201);
      ids.push(res.body.message_id);
    }
    await h.post(`/api/messages/${ids[0]}/ack`);
    await waitFor(async () => (await h.get(`/api/messages/${ids[2]}`)).status === 410, { timeoutMs: 5000, message: 'the third payload pruned' });
    for (const id of ids.slice(0, 3)) {
      const res = await h.get(`/api/messages/${id}`);
      expect(res.status).toBe(410);
      expect(res.body.error).toMatchObject({ code: 'gone', message_id: id });
      expect(typeof res.body.error.pruned_at).toBe('string');
    }
    for (const [i, id] of ids.slice(3).entries()) expect((await h.get(`/api/messages/${id}`)).body.payload).toEqual({ n: 3 + i });
    // Metadata stays listed, with its state, and the events stay in the stream's snapshot.
    const listed = (await h.get('/api/messages?instance=agent-a')).body.messages as Array<{ message_id: string; status: string }>;
    expect(listed.map((m) => m.message_id).sort()).toEqual([...ids].sort());
    expect(listed.find((m) => m.message_id === ids[0])!.status).toBe('acknowledged');
    const ws = await h.open('/ws/messages?instance=agent-a');
    const snapshot = await ws.next(frame('snapshot'));
    expect((snapshot.recent_events as Frame[]).filter((e) => e.message_id === ids[0]).map((e) => e.event)).toEqual(['sent', 'acknowledged']);
    // A transition of a pruned message still works: only the payload is gone.
    expect((await h.post(`/api/messages/${ids[1]}/ack`)).status).toBe(200);
  }, 20_000);
});

describe('plan step output bound', () => {
  it('keeps all output within the bound, else a marker and the last characters', () => {
    expect(boundedOutput('short', 5)).toBe('short');
    const big = 'a'.repeat(70_000) + 'END';
    const out = boundedOutput(big.slice(-131_072), big.length);
    expect(out.length).toBeLessThanOrEqual(64 * 1024);
    expect(out).toMatch(/^\[switchboard\] output cut: the first \d+ characters are not kept\n/);
    expect(out.endsWith('END')).toBe(true);
  });

  it('a step printing more than 64 Ki characters stores at most the bound in its events, with a marker', async () => {
    h = await startHarness();
    const res = await h.post('/api/plans', { name: 'chatty', steps: [{ name: 'print', command: `${process.execPath} -e "process.stdout.write('y'.repeat(200000) + 'TAIL')"` }] });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    await h.post(`/api/plans/${id}/run`);
    await waitFor(async () => (await h.get(`/api/plans/${id}`)).body.status === 'completed', { timeoutMs: 15_000, message: 'the plan completed' });
    const events = (await h.get('/api/events?since=0&limit=1000&topics=plan.*')).body.events as Array<{ topic: string; data: any }>;
    const chunks = events.filter((e) => e.topic === 'plan.step_output' && e.data.plan_id === id).map((e) => e.data.output as string);
    const streamed = chunks.join('');
    expect(streamed.length).toBeLessThanOrEqual(64 * 1024 + 200);
    expect(streamed).toMatch(/\[switchboard\] output cut at 65536 characters/);
    const final = (await h.get(`/api/plans/${id}`)).body.steps[0].output as string;
    expect(final.length).toBeLessThanOrEqual(64 * 1024);
    expect(final).toMatch(/^\[switchboard\] output cut/);
    expect(final.endsWith('TAIL')).toBe(true);
  }, 30_000);
});
