// The supervisor's health loop on its own: an instance the projection says is running, but that no process of this
// server backs (and no operation is busy with), is marked crashed rather than left stale.

import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, waitFor } from '@switchboard/testkit';
import { EventLog } from '../src/log/event-log';
import { SqliteEventStore } from '../src/store/sqlite-store';
import { Supervisor } from '../src/supervisor/supervisor';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe('supervisor health loop', () => {
  it('marks crashed a running instance without a process', async () => {
    const dir = makeTempDir();
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const log = new EventLog(new SqliteEventStore(dir), { retentionEvents: 1000 });
    cleanups.push(() => log.close());
    log.append([
      { topic: 'instance.created', data: { name: 'ghost', nickname: null, command: 'true', args: null, cwd: null, env_keys: [], port: null } },
      { topic: 'instance.status_changed', data: { name: 'ghost', status: 'running', pid: 999999, reason: 'user' } },
    ]);
    const sup = new Supervisor(log, { dataDir: dir, stopGraceMs: 100, healthIntervalMs: 20, log: () => {} });
    cleanups.push(() => sup.shutdown());
    await waitFor(() => sup.get('ghost')?.status === 'crashed', { message: 'ghost marked crashed' });
    expect(sup.get('ghost')).toMatchObject({ pid: null });
    const last = log.readSince(0, 10).at(-1)!;
    expect(last.data).toMatchObject({ name: 'ghost', status: 'crashed', reason: 'health' });
  }, 10_000);
});
