// One benchmark run: every selected scenario against every selected server, one cell after another, then the
// markdown report to stdout and (between markers, keeping the hand-written analysis) to the output file.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { runIdleCell, runLoadCell, runResumeCell, type CellContext, type CellResult } from './cells';
import { machineInfo } from './machine';
import { renderReport, type BenchReport } from './report';
import { FULL_SCENARIOS, QUICK_SCENARIOS, selectScenarios, type Scenario } from './scenarios';
import { TARGET_NAMES, TARGETS, type TargetName } from './targets';

export interface BenchOptions {
  /** Run the short scenario set (about a minute). */
  quick?: boolean;
  /** Scenario ids to run (see FULL_SCENARIOS / QUICK_SCENARIOS); all of the set when unset. */
  scenarios?: string[];
  /** Explicit scenarios (tests); overrides `quick` and `scenarios`. */
  scenarioList?: Scenario[];
  /** Servers to run; all four when unset. */
  servers?: TargetName[];
  /** Markdown file to write (the section between the bench markers is replaced); none when null. */
  out?: string | null;
  /** The command line shown in the report. */
  command?: string;
  /** Write a V8 CPU profile of every server child into this directory. */
  cpuProfDir?: string;
  /** Progress lines (stderr by default). */
  log?: (line: string) => void;
  /** A cell that runs longer than this is abandoned (its processes are stopped). @default 180000 */
  cellTimeoutMs?: number;
}

export const REPORT_START = '<!-- bench:start (written by `switchboard bench`; edit outside the markers) -->';
export const REPORT_END = '<!-- bench:end -->';

export async function runBench(opts: BenchOptions = {}): Promise<BenchReport & { markdown: string }> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const scenarios = opts.scenarioList ?? selectScenarios(opts.quick ? QUICK_SCENARIOS : FULL_SCENARIOS, opts.scenarios);
  const servers = opts.servers ?? TARGET_NAMES;
  for (const s of servers) if (!TARGETS[s]) throw new Error(`unknown server "${s}"; known: ${TARGET_NAMES.join(', ')}`);
  const machine = machineInfo();
  const ctx: CellContext = { fdLimit: machine.fdLimit, cpuProfDir: opts.cpuProfDir, log };
  if (opts.cpuProfDir) mkdirSync(opts.cpuProfDir, { recursive: true });
  const startedAt = new Date();
  const t0 = Date.now();
  const results: CellResult[] = [];
  const failures: BenchReport['failures'] = [];

  for (const sc of scenarios) {
    const names = sc.servers ? servers.filter((s) => sc.servers!.includes(s)) : servers;
    const rounds = sc.kind === 'saturation' ? (sc.rounds ?? 1) : 1;
    const best = new Map<TargetName, CellResult>();
    for (let round = 1; round <= rounds; round++) {
      for (const name of names) {
        const target = TARGETS[name];
        const label = `${sc.id} × ${target.label}${rounds > 1 ? ` (round ${round}/${rounds})` : ''}`;
        log(`bench: ${label} …`);
        const cellStart = Date.now();
        try {
          const cell: Promise<CellResult> =
            sc.kind === 'rate' || sc.kind === 'saturation'
              ? runLoadCell(target, sc, ctx)
              : sc.kind === 'idle'
                ? runIdleCell(target, sc, ctx)
                : runResumeCell(target, sc, ctx);
          const result = await withTimeout(cell, opts.cellTimeoutMs ?? 180_000, label);
          log(`bench: ${label} done in ${((Date.now() - cellStart) / 1000).toFixed(1)} s: ${summary(result)}`);
          const prev = best.get(name);
          if (result.kind === 'load') result.rounds = rounds;
          if (!prev || (result.kind === 'load' && prev.kind === 'load' && result.deliveredPerSecond > prev.deliveredPerSecond)) best.set(name, result);
        } catch (err) {
          const error = (err as Error).message ?? String(err);
          if (round === rounds && !best.has(name)) failures.push({ scenario: sc.id, target: target.label, error });
          log(`bench: ${label} failed: ${error.slice(0, 1500)}`);
        }
      }
    }
    for (const name of names) if (best.has(name)) results.push(best.get(name)!);
  }

  const report: BenchReport = {
    startedAt,
    durationSeconds: (Date.now() - t0) / 1000,
    command: opts.command ?? 'switchboard bench',
    machine,
    generatorProcesses: '2 generator processes (1 below 200 subscribers, more when the fd limit needs it)',
    results,
    failures,
  };
  const markdown = renderReport(report);
  if (opts.out) writeReport(opts.out, markdown);
  return { ...report, markdown };
}

/** Replace the marked section of `file` (or create the file with a title and the section). */
export function writeReport(file: string, markdown: string): void {
  const section = `${REPORT_START}\n${markdown}\n${REPORT_END}`;
  let text = `# Benchmarks\n\nFan-out of Switchboard against plain \`ws\`, corked \`ws\` and Socket.IO 4 (issue 5). Regenerate with \`npm run bench\`; see packages/bench/README.md for what each column means.\n\n${section}\n`;
  if (existsSync(file)) {
    const old = readFileSync(file, 'utf8');
    const a = old.indexOf(REPORT_START);
    const b = old.indexOf(REPORT_END);
    text = a >= 0 && b > a ? old.slice(0, a) + section + old.slice(b + REPORT_END.length) : `${old.trimEnd()}\n\n${section}\n`;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function summary(r: CellResult): string {
  if (r.kind === 'load') {
    return `${Math.round(r.deliveredPerSecond)} frames/s${r.deliveredPct === null ? '' : ` (${r.deliveredPct.toFixed(1)} %)`}, p99 ${r.p99Ms.toFixed(1)} ms, lost ${r.lost}, dup ${r.duplicated}, server ${Math.round(r.serverCpuPct)} %`;
  }
  if (r.kind === 'idle') return `${r.connected} held, ${(r.rssPerConnectionBytes / 1024).toFixed(1)} KB/conn, heartbeat ${r.heartbeatCpuPct.toFixed(2)} %`;
  return `p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms (${r.completed}/${r.tries})`;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
    }),
  ]);
}
