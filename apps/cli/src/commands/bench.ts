// `switchboard bench`: the fan-out benchmark of docs/benchmarks.md / issue 5 — Switchboard against plain ws, corked ws and
// Socket.IO 4 under one load generator — printed as markdown and written to docs/benchmarks.md.

import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runBench, readFdLimits, TARGET_NAMES, type TargetName } from '@switchboard/bench';
import { CliError, usageError } from '../cli-error';

/** The fd limit the harness asks for, so 50 000 idle connections fit in one server process. */
const WANTED_FD_LIMIT = 200_000;
/** Set in the re-executed child so it does not try again. */
const REEXEC_ENV = 'SWITCHBOARD_BENCH_FD_RAISED';

interface BenchFlags {
  quick?: boolean;
  scenarios?: string;
  servers?: string;
  out: string;
  cpuProf?: string;
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('Fan-out benchmark: Switchboard vs plain ws, corked ws and Socket.IO 4, in one run (loopback only).')
    .option('--quick', 'the short set (one rate cell, saturation, 2 000 idle, resume): about a minute')
    .option('--scenarios <ids>', 'comma-separated scenario ids, e.g. 1k-20,sat-1k,idle-10k,resume')
    .option('--servers <names>', `comma-separated servers (${TARGET_NAMES.join(', ')})`)
    .option('--out <file>', 'markdown file whose bench section is replaced ("-" for stdout only)', 'docs/benchmarks.md')
    .option('--cpu-prof <dir>', 'write a V8 CPU profile of every server process into DIR')
    .addHelpText(
      'after',
      '\nScenarios (full run, under 10 minutes): 1k-20, 1k-100, 5k-50, 10k-20, sat-1k, idle-10k, idle-50k, resume.\n' +
        'Quick: 1k-20, sat-1k, idle-2k, resume. The harness raises `ulimit -n` as far as the hard limit allows and says\n' +
        'in the report when the fd limit capped an idle scenario.\n\nExample:\n  switchboard bench --quick --out -',
    )
    .action(async (flags: BenchFlags) => {
      const code = await maybeReexecWithMoreFds();
      if (code !== null) {
        if (code !== 0) throw new CliError(`bench exited with ${code}`, code);
        return;
      }
      const servers = flags.servers ? splitList(flags.servers) : undefined;
      for (const s of servers ?? []) {
        if (!(TARGET_NAMES as string[]).includes(s)) throw usageError(`unknown server "${s}"; known: ${TARGET_NAMES.join(', ')}`);
      }
      const out = flags.out === '-' ? null : resolve(flags.out);
      let report;
      try {
        report = await runBench({
          quick: flags.quick,
          scenarios: flags.scenarios ? splitList(flags.scenarios) : undefined,
          servers: servers as TargetName[] | undefined,
          out,
          cpuProfDir: flags.cpuProf ? resolve(flags.cpuProf) : undefined,
          command: ['switchboard', ...process.argv.slice(2)].join(' '),
        });
      } catch (err) {
        if (err instanceof Error && err.message.startsWith('unknown scenario')) throw usageError(err.message);
        throw err;
      }
      process.stdout.write(`${report.markdown}\n`);
      if (out) process.stderr.write(`bench: written to ${out}\n`);
    });
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Node cannot raise its own RLIMIT_NOFILE, so when the soft limit is below what 50 000 idle connections need and
 * the hard limit allows more, run the same command again under `sh -c 'ulimit -n …; exec …'`. Returns that child's
 * exit code, or null when this process should run the benchmark itself.
 */
async function maybeReexecWithMoreFds(): Promise<number | null> {
  if (process.env[REEXEC_ENV]) return null;
  const { soft, hard } = readFdLimits();
  const wanted = Math.min(WANTED_FD_LIMIT, hard);
  if (soft >= wanted) return null;
  const child = spawn('sh', ['-c', `ulimit -n ${wanted} && exec "$0" "$@"`, process.execPath, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [REEXEC_ENV]: '1' },
  });
  return new Promise((res) => child.on('exit', (code, signal) => res(code ?? (signal ? 1 : 0))));
}
