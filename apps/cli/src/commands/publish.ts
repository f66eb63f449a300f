// `switchboard publish TOPIC JSON`: append one event through `POST /api/events` and print the answer (docs/protocol.md#events).

import type { Command } from 'commander';
import { text } from 'node:stream/consumers';
import { usageError } from '../cli-error';
import { defineClientOptions, resolveServerTarget } from '../client-options';
import { postEvents } from '../http/api';

export function registerPublish(program: Command): void {
  defineClientOptions(
    program
      .command('publish')
      .description('Append one event through the REST API and print the answer ({"epoch","seq","id"}).')
      .argument('<topic>', 'event topic, e.g. agent.started or my.custom.topic')
      .argument('<json>', 'event data as JSON, or - to read it from stdin')
      .addHelpText(
        'after',
        '\nExit codes: 0 appended; 1 the server refused it (its code and message go to stderr) or is unreachable;\n' +
          '2 the JSON does not parse.\n\nExample:\n  switchboard publish task.progress \'{"id":"t1","kind":"index","percent":40}\'',
      ),
  ).action(async (topic: string, json: string, flags: { url?: string; token?: string }) => {
    const target = resolveServerTarget(flags, process.env);
    const data = parseJsonArgument(json === '-' ? await text(process.stdin) : json);
    const answer = await postEvents(target, { topic, data });
    process.stdout.write(`${JSON.stringify(answer)}\n`);
  });
}

/** Parse the JSON argument; a parse error is a usage error (exit 2) that shows where it broke. */
export function parseJsonArgument(source: string): unknown {
  try {
    return JSON.parse(source);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw usageError(`the event data is not valid JSON (${reason}); quote it for the shell, e.g. '{"id":"a1"}'`);
  }
}
