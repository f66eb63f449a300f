// `switchboard tui`: the terminal dashboard (README.md#dashboard) against a running server.

import type { Command } from 'commander';
import { defineClientOptions, resolveServerTarget } from '../client-options';

export function registerTui(program: Command): void {
  defineClientOptions(
    program
      .command('tui')
      .description('Open the terminal dashboard: live sessions, agents, cost and activity of a running server.')
      .addHelpText(
        'after',
        '\n--url takes http(s):// or ws(s):// addresses. Keys: ↑↓/jk move, tab switches pane, p pings, ? help,\n' +
          'q quits. After a disconnect it reconnects with backoff and resumes where it left off.\n\n' +
          'Example:\n  switchboard tui --url http://127.0.0.1:8000',
      ),
  ).action(async (flags: { url?: string; token?: string }) => {
    const target = resolveServerTarget(flags, process.env);
    // The SDK takes a ws(s) URL with a path as the stream itself (ws://host/ws/events); the normalised http form
    // would turn that path into a REST prefix.
    const raw = flags.url ?? (process.env.SWITCHBOARD_URL || undefined);
    const url = raw !== undefined && /^wss?:\/\//i.test(raw) ? raw : target.url;
    // Loaded here so the other commands never load React and Ink.
    const { runTui } = await import('@switchboard/tui');
    await runTui({ url, ...(target.token ? { token: target.token } : {}) });
  });
}
