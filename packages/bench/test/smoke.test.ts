// A seconds-long run of the real harness (server children, generator processes, publisher) on a tiny scenario:
// it must produce a row per server, and Switchboard's must show no lost and no duplicated frame. No thresholds.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBench, writeReport, type LoadResult } from '@switchboard/bench';

describe('bench harness', () => {
  it('runs a tiny scenario against Switchboard and plain ws and counts every frame', async () => {
    const lines: string[] = [];
    const report = await runBench({
      out: null,
      servers: ['switchboard', 'ws'],
      scenarioList: [{ id: 'smoke', kind: 'rate', subscribers: 20, eventsPerSecond: 50, warmupMs: 200, measureMs: 1000, drainMs: 3000 }],
      log: (l) => lines.push(l),
    });
    expect(report.failures, lines.join('\n')).toEqual([]);
    const rows = report.results.filter((r): r is LoadResult => r.kind === 'load');
    expect(rows.map((r) => r.target)).toEqual(['Switchboard', 'ws (plain)']);
    const sb = rows[0]!;
    expect(sb.connectFailed).toBe(0);
    expect(sb.deliveredPerSecond).toBeGreaterThan(0);
    expect(sb.lost).toBe(0);
    expect(sb.duplicated).toBe(0);
    expect(sb.behind).toBe(0);
    expect(report.markdown).toMatch(/^\| smoke \| Switchboard \| /m);
  }, 60_000);

  it('replaces only the marked section of an existing report file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-report-'));
    try {
      const file = join(dir, 'benchmarks.md');
      writeReport(file, 'first run');
      const analysis = '\n## Analysis\n\nhand-written\n';
      writeFileSync(file, readFileSync(file, 'utf8') + analysis);
      writeReport(file, 'second run');
      const text = readFileSync(file, 'utf8');
      expect(text).toContain('second run');
      expect(text).not.toContain('first run');
      expect(text.endsWith(analysis)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
