// The control-plane contract's `/ws/instances/:name/logs` tests (docs/control-plane.md) on real log files: backlog, new lines, rotation by rename
// and by truncation, unknown instances and bad backlogs, plus two hundred viewers on one file, a 1 MiB line and a
// rotation while a viewer is lagging.

import { appendFileSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRaw, waitFor, type Frame, type RawClient } from '@switchboard/testkit';
import { frame, startHarness, uniqueName, type Harness } from './control-plane-helpers';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** A created (not started) instance and the path of its log file. */
async function instance(): Promise<{ name: string; log: string }> {
  const name = uniqueName('logs');
  expect((await h.post('/api/instances', { name, command: 'sleep 30' })).status).toBe(201);
  return { name, log: join(h.srv.dataDir, 'instances', name, 'output.log') };
}

/**
 * A log frame as the control-plane contract defines it: the resume position (`file`, `offset`, docs/control-plane.md "Exact log
 * resume") is an added field, checked to be there and then left out.
 */
function seedShape(f: Frame): Frame {
  const { file, offset, ...seed } = f;
  if (f.type === 'lines' || (f.type === 'backlog' && f.count !== 0)) {
    expect(typeof file).toBe('string');
    expect(Number.isInteger(offset)).toBe(true);
  }
  return seed as Frame;
}

/** Every line a client received in `lines` frames, in order. */
function streamed(c: RawClient): string[] {
  return c.frames.filter((f) => f.type === 'lines').flatMap((f) => f.lines as string[]);
}

async function linesUntil(c: RawClient, count: number, timeoutMs = 5000): Promise<string[]> {
  await c.collect(() => true, 0); // surface a closed socket early
  await waitFor(() => streamed(c).length >= count, { timeoutMs, message: `${count} streamed lines (have ${streamed(c).length})` });
  return streamed(c);
}

describe('/ws/instances/:name/logs', () => {
  it('ws_logs_backlog: the last N lines arrive on connect, with count', async () => {
    h = await startHarness();
    const name = uniqueName('logs');
    await h.post('/api/instances', { name, command: 'for i in $(seq 1 30); do echo "line $i"; done; sleep 30' });
    await h.post(`/api/instances/${name}/start`);
    await waitFor(async () => (await h.get(`/api/instances/${name}/logs?tail=1`)).body.lines[0] === 'line 30', { message: 'the process printed 30 lines' });

    const five = await h.open(`/ws/instances/${name}/logs?backlog=5`);
    expect(seedShape(await five.next())).toEqual({ type: 'backlog', lines: ['line 26', 'line 27', 'line 28', 'line 29', 'line 30'], count: 5 });
    const dflt = await h.open(`/ws/instances/${name}/logs`);
    const all = await dflt.next();
    expect(all.count).toBe(30);
    expect((all.lines as string[])[0]).toBe('line 1');
    const none = await h.open(`/ws/instances/${name}/logs?backlog=0`);
    expect(seedShape(await none.next())).toEqual({ type: 'backlog', lines: [], count: 0 });
    // The REST tail agrees.
    expect((await h.get(`/api/instances/${name}/logs?tail=2`)).body).toEqual({ name, lines: ['line 29', 'line 30'], count: 2 });
  }, 15_000);

  it('ws_logs_new_lines: lines written to the log arrive within 1 s, continuing exactly after the backlog', async () => {
    h = await startHarness();
    const { name, log } = await instance();
    writeFileSync(log, 'old 1\nold 2\n');
    const c = await h.open(`/ws/instances/${name}/logs?backlog=10`);
    expect(seedShape(await c.next())).toEqual({ type: 'backlog', lines: ['old 1', 'old 2'], count: 2 });
    const t0 = Date.now();
    appendFileSync(log, 'new 1\nnew 2\n');
    const f = await c.next(frame('lines'), 1000);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(seedShape(f)).toEqual({ type: 'lines', lines: ['new 1', 'new 2'], count: 2 });

    // A partial line waits for its end; a multi-byte character split across writes arrives whole; CRLF is trimmed.
    const euro = Buffer.from('€');
    appendFileSync(log, Buffer.concat([Buffer.from('price: 5'), euro.subarray(0, 1)]));
    appendFileSync(log, Buffer.concat([euro.subarray(1), Buffer.from(' ok\r\n')]));
    expect(seedShape(await c.next(frame('lines'), 2000))).toEqual({ type: 'lines', lines: ['price: 5€ ok'], count: 1 });
    expect(streamed(c)).toEqual(['new 1', 'new 2', 'price: 5€ ok']);
  }, 15_000);

  it('ws_logs_new_lines: output of a running instance streams live and many lines come batched', async () => {
    h = await startHarness();
    const name = uniqueName('logs');
    await h.post('/api/instances', { name, command: 'i=0; while [ $i -lt 200 ]; do echo "tick $i"; i=$((i+1)); done; sleep 30' });
    const c = await h.open(`/ws/instances/${name}/logs?backlog=0`);
    await c.next(frame('backlog'));
    await h.post(`/api/instances/${name}/start`);
    const got = await linesUntil(c, 200);
    expect(got).toEqual(Array.from({ length: 200 }, (_, i) => `tick ${i}`));
    // 200 lines printed in a burst travel in a few 100 ms batches, not 200 frames.
    expect(c.frames.filter((f) => f.type === 'lines').length).toBeLessThan(20);
  }, 15_000);

  it('ws_logs_rotation: a rename sends rotated, then the new file from its start', async () => {
    h = await startHarness();
    const { name, log } = await instance();
    writeFileSync(log, 'before\n');
    const c = await h.open(`/ws/instances/${name}/logs`);
    await c.next(frame('backlog'));
    appendFileSync(log, 'last of old\n');
    renameSync(log, `${log}.1`);
    writeFileSync(log, 'first of new\n');
    await c.next(frame('rotated'), 2000);
    await waitFor(() => streamed(c).includes('first of new'));
    expect(streamed(c)).toEqual(['last of old', 'first of new']);
    const kinds = c.frames.map((f) => f.type);
    expect(kinds.indexOf('rotated')).toBeLessThan(kinds.lastIndexOf('lines'));
    // A viewer joining now gets only the new file as its backlog.
    const late = await h.open(`/ws/instances/${name}/logs`);
    expect(seedShape(await late.next())).toEqual({ type: 'backlog', lines: ['first of new'], count: 1 });
  }, 15_000);

  it('ws_logs_rotation: truncation (copytruncate) sends rotated, then the file from byte 0', async () => {
    h = await startHarness();
    const { name, log } = await instance();
    writeFileSync(log, 'a fairly long first line\nanother line\n');
    const c = await h.open(`/ws/instances/${name}/logs`);
    await c.next(frame('backlog'));
    truncateSync(log, 0);
    await c.next(frame('rotated'), 2000);
    appendFileSync(log, 'fresh\n');
    expect(seedShape(await c.next(frame('lines'), 2000))).toEqual({ type: 'lines', lines: ['fresh'], count: 1 });
  }, 15_000);

  it('ws_logs_rotation: a running instance keeps logging into the new file after a logrotate-style rename', async () => {
    h = await startHarness();
    const name = uniqueName('logs');
    await h.post('/api/instances', { name, command: 'i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 0.05; done' });
    await h.post(`/api/instances/${name}/start`);
    const log = join(h.srv.dataDir, 'instances', name, 'output.log');
    const c = await h.open(`/ws/instances/${name}/logs?backlog=0`);
    await c.next(frame('backlog'));
    await linesUntil(c, 3);
    renameSync(log, `${log}.1`);
    await c.next(frame('rotated'), 3000);
    const at = c.frames.findIndex((f) => f.type === 'rotated');
    await waitFor(() => c.frames.slice(at).some((f) => f.type === 'lines'), { message: 'lines after the rotation' });
    // The ticks continue in order across the rotation, none lost and none repeated.
    await waitFor(() => streamed(c).length > 10);
    const ticks = streamed(c).map((l) => Number(l.split(' ')[1]));
    expect(ticks).toEqual(Array.from({ length: ticks.length }, (_, i) => ticks[0]! + i));
  }, 15_000);

  it('ws_logs_nonexistent_instance: an unknown instance gets an error frame and close 4404', async () => {
    h = await startHarness();
    const c = await h.open('/ws/instances/nonexistent/logs');
    expect(await c.next()).toEqual({ type: 'error', code: 'instance_not_found', message: "No instance named 'nonexistent'" });
    expect((await c.closed).code).toBe(4404);
    // A name that could escape the data dir is just another unknown instance.
    const sneaky = await h.open('/ws/instances/..%2F..%2Fetc/logs');
    expect(await sneaky.next()).toMatchObject({ type: 'error', code: 'instance_not_found' });
    expect((await sneaky.closed).code).toBe(4404);
  }, 15_000);

  it('never follows a symlink planted as the log file, reading or writing', async () => {
    h = await startHarness();
    const { name, log } = await instance();
    const outside = join(h.srv.dataDir, '..', `outside-${name}.txt`);
    writeFileSync(outside, 'private line\n');
    try {
      symlinkSync(outside, log);
      const c = await h.open(`/ws/instances/${name}/logs`);
      expect(seedShape(await c.next())).toEqual({ type: 'backlog', lines: [], count: 0 });
      expect((await h.get(`/api/instances/${name}/logs`)).body.lines).toEqual([]);
      await h.patch(`/api/instances/${name}`, { command: 'echo written' });
      await h.post(`/api/instances/${name}/start`);
      await waitFor(async () => (await h.get(`/api/instances/${name}`)).body.status === 'stopped');
      expect(readFileSync(outside, 'utf8')).toBe('private line\n');
      expect(JSON.stringify(c.frames)).not.toContain('private line');
    } finally {
      rmSync(outside, { force: true });
    }
  }, 15_000);

  it('a backlog outside 0–1000 gets an error frame and close 4400', async () => {
    h = await startHarness();
    const { name } = await instance();
    for (const bad of ['1001', '-1', 'abc', '1.5', '']) {
      const c = await h.open(`/ws/instances/${name}/logs?backlog=${bad}`);
      expect(await c.next()).toMatchObject({ type: 'error', code: 'invalid_backlog' });
      expect((await c.closed).code).toBe(4400);
    }
    const ok = await h.open(`/ws/instances/${name}/logs?backlog=1000`);
    expect(await ok.next()).toMatchObject({ type: 'backlog' });
  }, 15_000);

  it('deleting the instance ends its log viewers with instance_not_found', async () => {
    h = await startHarness();
    const { name } = await instance();
    const c = await h.open(`/ws/instances/${name}/logs`);
    await c.next(frame('backlog'));
    await h.del(`/api/instances/${name}`);
    expect(await c.next(frame('error'))).toMatchObject({ code: 'instance_not_found' });
    expect((await c.closed).code).toBe(4404);
  }, 15_000);

  it('two hundred viewers of one log share one reader and all get the same lines', async () => {
    h = await startHarness();
    const { name, log } = await instance();
    writeFileSync(log, '');
    const viewers = await Promise.all(Array.from({ length: 200 }, () => connectRaw(`${h.srv.wsUrl}/ws/instances/${name}/logs?backlog=0`)));
    try {
      await Promise.all(viewers.map((v) => v.next(frame('backlog'))));
      for (let i = 0; i < 10; i++) appendFileSync(log, Array.from({ length: 5 }, (_, j) => `w${i}-${j}`).join('\n') + '\n');
      const expected = Array.from({ length: 50 }, (_, k) => `w${Math.floor(k / 5)}-${k % 5}`);
      await waitFor(() => viewers.every((v) => streamed(v).length >= 50), { timeoutMs: 10_000, message: 'every viewer got 50 lines' });
      for (const v of viewers) expect(streamed(v)).toEqual(expected);
      // One open descriptor on the file in this process: the shared reader (nothing is writing to it).
      expect(openDescriptorsOn(log)).toBe(1);
    } finally {
      await Promise.all(viewers.map((v) => v.close()));
    }
    await waitFor(() => openDescriptorsOn(log) === 0, { message: 'the reader closed with its last viewer' });
  }, 30_000);

  it('a single line of 1 MiB arrives whole, live and in a later backlog', async () => {
    h = await startHarness();
    const { name, log } = await instance();
    writeFileSync(log, 'small\n');
    const c = await h.open(`/ws/instances/${name}/logs`);
    await c.next(frame('backlog'));
    const big = 'é'.repeat(256 * 1024) + 'x'.repeat(512 * 1024); // 1 MiB of UTF-8, multi-byte characters first
    expect(Buffer.byteLength(big)).toBe(1024 * 1024);
    appendFileSync(log, `${big}\nafter\n`);
    await linesUntil(c, 2, 5000);
    expect(streamed(c)[0] === big).toBe(true);
    expect(streamed(c)[1]).toBe('after');
    const later = await h.open(`/ws/instances/${name}/logs?backlog=2`);
    const b = await later.next();
    expect((b.lines as string[])[0] === big).toBe(true);
    expect(b.count).toBe(2);
  }, 20_000);

  it('a viewer lagging through a rotation gets rotated, then a fresh backlog of the new file marked lagged', async () => {
    h = await startHarness({ maxQueueBytes: 256 * 1024 });
    const { name, log } = await instance();
    writeFileSync(log, '');
    const slow = await h.open(`/ws/instances/${name}/logs?backlog=50`);
    await slow.next(frame('backlog'));
    const socket = (slow.ws as any)._socket;
    socket.pause();
    // ~24 MB of lines: far more than loopback buffers hold, so the paused viewer must lag.
    const chunk = Array.from({ length: 1000 }, (_, i) => `${'o'.repeat(990)} ${String(i).padStart(4, '0')}`).join('\n') + '\n';
    for (let i = 0; i < 24; i++) appendFileSync(log, chunk);
    appendFileSync(log, 'end of old\n');
    // A viewer joining now catches the reader up first: its backlog proves every old line was read and offered.
    const probe = await h.open(`/ws/instances/${name}/logs?backlog=1`);
    expect(await probe.next(frame('backlog'), 10_000)).toMatchObject({ lines: ['end of old'] });

    renameSync(log, `${log}.1`);
    writeFileSync(log, 'new 1\nnew 2\n');
    await probe.next(frame('rotated'), 3000);
    await waitFor(() => streamed(probe).includes('new 2'));

    socket.resume();
    await slow.next((f) => f.type === 'backlog' && f.reason === 'lagged', 20_000);
    expect(slow.frames.some((f) => f.type === 'rotated')).toBe(true);
    // What the viewer shows converges to the new file: the lag may strike more than once, each time a fresh
    // backlog replaces the lines it dropped, and `rotated` always comes before the new file's lines.
    await waitFor(() => JSON.stringify(viewOf(slow.frames)) === JSON.stringify(['new 1', 'new 2']), { timeoutMs: 20_000, message: 'the view is the new file' });
    const lastLagged = slow.frames.map((f) => f.type === 'backlog' && f.reason === 'lagged').lastIndexOf(true);
    expect(slow.frames.slice(0, lastLagged).some((f) => f.type === 'rotated')).toBe(true);
    // Live again, continuing after the fresh backlog.
    appendFileSync(log, 'new 3\n');
    await waitFor(() => JSON.stringify(viewOf(slow.frames)) === JSON.stringify(['new 1', 'new 2', 'new 3']));
  }, 60_000);
});

/** The lines a viewer shows: a backlog replaces them, `rotated` clears them, `lines` appends. */
function viewOf(frames: Frame[]): string[] {
  let view: string[] = [];
  for (const f of frames) {
    if (f.type === 'backlog') view = [...(f.lines as string[])];
    else if (f.type === 'rotated') view = [];
    else if (f.type === 'lines') view.push(...(f.lines as string[]));
  }
  return view;
}

/** Descriptors of this process open on `path` (Linux /proc). */
function openDescriptorsOn(path: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) n++;
    } catch {
      // Closed while we looked.
    }
  }
  return n;
}
