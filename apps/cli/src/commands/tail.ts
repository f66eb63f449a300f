// `switchboard tail URL-or-PATH`: a websocat for this server. Prints each frame as one JSON line; on /ws/events and
// /ws/agents it subscribes, keeps the connection alive and resumes without gap or duplicate (docs/protocol.md#shared-websocket-rules, docs/protocol.md#wsevents-and-wsagents).

import type { Command } from 'commander';
import { createInterface } from 'node:readline';
import { isValidPattern, splitTopics } from '@switchboard/protocol';
import { usageError } from '../cli-error';
import { defineClientOptions, resolveServerTarget, type ServerTarget } from '../client-options';
import { pollEvents } from '../http/api';
import { startTail } from '../tail/tailer';
import { resolveTailTarget, type TailTarget } from '../tail/tail-target';

interface TailFlags {
  topics?: string;
  since?: string;
  epoch?: string;
  raw?: boolean;
  url?: string;
  token?: string;
}

export function registerTail(program: Command): void {
  defineClientOptions(
    program
      .command('tail')
      .description('Print the frames of a WebSocket stream as JSON lines, reconnecting and resuming as needed.')
      .argument('<target>', 'ws:// or http:// URL, or a path such as /ws/events, /ws/instances, /ws/instances/NAME/logs')
      .option('--topics <patterns>', 'comma-separated topic patterns for /ws/events and /ws/agents (default *)')
      .option('--since <seq>', 'start after this seq (exclusive); the current epoch is used unless --epoch is given')
      .option('--epoch <epoch>', 'epoch of --since')
      .option('--raw', 'print frames exactly as received, send nothing on our own, exit when the stream closes; stdin lines are sent as frames')
      .addHelpText(
        'after',
        '\nOn /ws/events and /ws/agents the subscribe frame is sent for you, a {"type":"ping"} goes out every 30 s\n' +
          '(the pongs are not printed), and after a disconnect it reconnects with backoff and resumes after the\n' +
          'last printed seq. On /ws/instances/NAME/logs it reconnects at the position of the last frame (file and\n' +
          'offset), so no line prints twice or goes missing. Frames go to stdout, diagnostics to stderr. Ctrl-C exits 0.\n\n' +
          'Examples:\n  switchboard tail /ws/events --topics "task.*,search.completed" --since 0\n' +
          '  switchboard tail ws://127.0.0.1:8000/ws/instances',
      ),
  ).action(async (input: string, flags: TailFlags) => {
    process.exitCode = await runTail(input, flags);
  });
}

async function runTail(input: string, flags: TailFlags): Promise<number> {
  const server = resolveServerTarget(flags, process.env);
  let target: TailTarget;
  try {
    target = resolveTailTarget(input, server.url);
  } catch (err) {
    throw usageError((err as Error).message);
  }
  const topics = flags.topics === undefined ? undefined : splitTopics(flags.topics);
  if (topics !== undefined && (topics.length === 0 || topics.some((t) => !isValidPattern(t)))) {
    throw usageError(`invalid --topics ${JSON.stringify(flags.topics)}: use exact topics, family.* or *, comma-separated`);
  }
  const since = flags.since === undefined ? undefined : parseSeq(flags.since);
  if (flags.epoch !== undefined && since === undefined) throw usageError('--epoch needs --since');
  if (target.kind !== 'events' && (flags.topics !== undefined || since !== undefined)) {
    process.stderr.write('tail: --topics/--since apply to /ws/events and /ws/agents only; ignored\n');
  }
  // A subscribe frame's cursor needs an epoch; the query string takes a seq alone (the server fills in its epoch).
  const needsEpoch = since !== undefined && target.kind === 'events' && target.subscribeBy === 'frame' && flags.epoch === undefined;
  const epoch = needsEpoch ? await currentEpoch(server, since) : flags.epoch;

  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0); // `tail … | head` closed the pipe: a normal way to stop
    throw err;
  });
  const tail = startTail({
    target,
    topics,
    start: since === undefined ? undefined : { epoch, seq: since },
    token: server.token,
    raw: flags.raw === true,
    write: (line) => process.stdout.write(`${line}\n`),
    warn: (line) => process.stderr.write(`tail: ${line}\n`),
  });
  const stop = () => tail.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (flags.raw) createInterface({ input: process.stdin }).on('line', (line) => tail.send(line));
  return tail.done;
}

function parseSeq(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw usageError(`invalid --since ${JSON.stringify(value)}: expected a seq, a non-negative integer`);
  }
  return Number(value);
}

/** The epoch `--since` refers to when none is given: the server's current one, read from the polling endpoint. */
async function currentEpoch(server: ServerTarget, since: number): Promise<string> {
  return (await pollEvents(server, { since, limit: 1 })).epoch;
}
