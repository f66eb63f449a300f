// `switchboard demo`: drive a simulated fleet against a running server over REST (batched `POST /api/events`).

import type { Command } from 'commander';
import { CliError, usageError } from '../cli-error';
import { defineClientOptions, resolveServerTarget } from '../client-options';
import { DEFAULT_DEMO_MAX_SESSIONS, DEFAULT_DEMO_RATE } from '../constants';
import { createFleetSimulator } from '../demo/fleet-simulator';
import { createRestPublisher } from '../demo/rest-publisher';
import { createSeededRandom } from '../demo/seeded-random';

interface DemoFlags {
  url?: string;
  token?: string;
  rate?: string;
  sessions?: string;
  seed?: string;
  duration?: string;
}

export function registerDemo(program: Command): void {
  defineClientOptions(
    program
      .command('demo')
      .description('Drive a simulated fleet (sessions, agents, swarms, tasks, costs) against a running server.')
      .option('--rate <events-per-second>', `events per second (default ${DEFAULT_DEMO_RATE})`)
      .option('--sessions <n>', `most live sessions at once (default ${DEFAULT_DEMO_MAX_SESSIONS})`)
      .option('--seed <n>', 'random seed, for a reproducible run (default: random)')
      .option('--duration <seconds>', 'stop after this many seconds (default: until Ctrl-C)')
      .addHelpText('after', '\nOn exit the live sessions are ended, so dashboards are not left with ghosts.'),
  ).action(async (flags: DemoFlags) => {
    await runDemo(flags);
  });
}

async function runDemo(flags: DemoFlags): Promise<void> {
  const target = resolveServerTarget(flags, process.env);
  const rate = flags.rate === undefined ? DEFAULT_DEMO_RATE : positiveNumber('--rate', flags.rate);
  const sessions = flags.sessions === undefined ? DEFAULT_DEMO_MAX_SESSIONS : positiveInteger('--sessions', flags.sessions);
  const seed = flags.seed === undefined ? Math.floor(Math.random() * 2 ** 32) : nonNegativeInteger('--seed', flags.seed);
  const durationSeconds = flags.duration === undefined ? undefined : positiveNumber('--duration', flags.duration);

  let failure: CliError | undefined;
  let stopNow!: () => void;
  const stopped = new Promise<void>((resolve) => (stopNow = resolve));
  const publisher = createRestPublisher({
    target,
    onError: (err, { fatal, lost }) => {
      // Before the first acknowledgement, any failure means a wrong --url/--token: give up with its message.
      if (fatal || publisher.acknowledged === 0) {
        failure ??= err instanceof CliError ? err : new CliError(err.message);
        stopNow();
      } else {
        process.stderr.write(`demo: ${err.message} (${lost} events lost; continuing)\n`);
      }
    },
  });
  const simulator = createFleetSimulator({ publish: (batch) => publisher.publish(batch), random: createSeededRandom(seed), rate, maxSessions: sessions });

  process.stderr.write(`demo: ${rate} events/s, up to ${sessions} sessions, seed ${seed} → ${target.url}\n`);
  process.once('SIGINT', stopNow);
  process.once('SIGTERM', stopNow);
  const timer = durationSeconds === undefined ? undefined : setTimeout(stopNow, durationSeconds * 1000);
  simulator.start();
  await stopped;
  if (timer) clearTimeout(timer);
  simulator.stop({ windDown: failure === undefined });
  await publisher.flush();
  if (failure) throw failure;
  process.stderr.write(`demo: ${publisher.acknowledged} events published\n`);
}

function positiveNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(n > 0)) throw usageError(`invalid ${flag} ${JSON.stringify(value)}: expected a positive number`);
  return n;
}

function positiveInteger(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !(n > 0)) throw usageError(`invalid ${flag} ${JSON.stringify(value)}: expected a positive integer`);
  return n;
}

function nonNegativeInteger(flag: string, value: string): number {
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) {
    throw usageError(`invalid ${flag} ${JSON.stringify(value)}: expected a non-negative integer`);
  }
  return Number(value) >>> 0;
}
