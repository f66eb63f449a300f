import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRaw, makeTempDir, spawnServer, startTestServer, type ServerProcess } from '@switchboard/testkit';

const children: ServerProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.kill('SIGKILL')));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = makeTempDir();
  dirs.push(d);
  return d;
}

async function publish(url: string, body: unknown): Promise<any> {
  const r = await fetch(`${url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (r.status !== 201) throw new Error(`publish answered ${r.status}`);
  return r.json();
}

describe('durability', () => {
  it('loses no acknowledged event when the server is killed with SIGKILL during a publish burst', async () => {
    const data = tempDir();
    const first = await spawnServer(['--data', data]);
    children.push(first);
    const acked: number[] = [];
    let stop = false;
    // Several concurrent producers keep appending until the kill; only 201 answers count as acknowledged.
    const producers = Array.from({ length: 4 }, async (_, p) => {
      for (let i = 0; !stop; i++) {
        try {
          const r = await publish(first.url, { topic: 'custom.burst', data: { p, i } });
          acked.push(r.seq);
        } catch {
          return;
        }
      }
    });
    while (acked.length < 300) await new Promise((r) => setImmediate(r));
    first.child.kill('SIGKILL');
    await first.exited;
    stop = true;
    await Promise.all(producers);

    const second = await spawnServer(['--data', data]);
    children.push(second);
    const poll = await (await fetch(`${second.url}/api/events?since=0&limit=10000`)).json();
    const stored = new Set(poll.events.map((e: any) => e.seq));
    for (const seq of acked) expect(stored.has(seq)).toBe(true);
    // Seqs are contiguous: nothing half-written.
    const seqs = poll.events.map((e: any) => e.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
  });

  it('keeps the epoch and every projection across a restart and compaction', async () => {
    const data = tempDir();
    let srv = await startTestServer({ dataDir: data, retentionEvents: 50 });
    const epoch = srv.server.epoch;
    for (let i = 0; i < 30; i++) {
      await publish(srv.url, [
        { topic: 'session.created', data: { id: `s${i}`, name: `n${i}`, target: 'claude' } },
        { topic: 'metrics.cost_updated', data: { session_id: `s${i}`, cost_usd: 0.5, tokens_in: 10, tokens_out: 5, total_cost_usd: (i + 1) * 0.5 } },
        { topic: 'custom.pad', data: {} },
      ]);
    }
    const before = await (await fetch(`${srv.url}/api/snapshot`)).json();
    srv.server.log.saveAndCompact();
    await srv.close({ keepData: true });

    srv = await startTestServer({ dataDir: data, retentionEvents: 50 });
    try {
      const after = await (await fetch(`${srv.url}/api/snapshot`)).json();
      expect(after.epoch).toBe(epoch);
      expect(after.seq).toBe(90);
      expect(after.state).toEqual(before.state);
      expect(Object.keys(after.state.sessions)).toHaveLength(30);
      // Compacted: a cursor older than retention is not resumable, a recent one is.
      const old = await (await fetch(`${srv.url}/api/events?since=1&epoch=${epoch}`)).json();
      expect(old.recovered).toBe(false);
      const recent = await (await fetch(`${srv.url}/api/events?since=80&epoch=${epoch}`)).json();
      expect(recent.recovered).toBe(true);
      expect(recent.events.map((e: any) => e.seq)).toEqual([81, 82, 83, 84, 85, 86, 87, 88, 89, 90]);
      // New appends continue the sequence.
      expect((await publish(srv.url, { topic: 'custom.next', data: {} })).seq).toBe(91);
    } finally {
      await srv.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('closes every WebSocket with 1001 on SIGTERM and exits 0', async () => {
    const srv = await spawnServer(['--data', tempDir()]);
    children.push(srv);
    const a = await connectRaw(`${srv.wsUrl}/ws/events?topics=*`);
    const b = await connectRaw(`${srv.wsUrl}/ws/agents`);
    await a.next((f) => f.type === 'snapshot');
    srv.child.kill('SIGTERM');
    expect((await a.closed).code).toBe(1001);
    expect((await b.closed).code).toBe(1001);
    expect(await srv.exited).toBe(0);
  });
});
