// `switchboard serve`: start the server with flags/env settings, print one listening line, optionally run the demo
// fleet in-process, and shut down gracefully on SIGINT/SIGTERM (README.md#quick-start).

import type { Command } from 'commander';
import { DEFAULT_HOST, DEFAULT_PORT } from '@switchboard/protocol';
import { CliError, EXIT } from '../cli-error';
import { createFleetSimulator } from '../demo/fleet-simulator';
import { createSeededRandom } from '../demo/seeded-random';
import { defineServeOptions, resolveServeSettings, type ServeSettings } from '../serve/serve-options';
import { waitForSignal } from '../stop-signal';

export function registerServe(program: Command): void {
  defineServeOptions(
    program
      .command('serve')
      .description('Run the Switchboard server (REST, WebSocket streams, dashboard).')
      .addHelpText(
        'after',
        '\nPrints "Switchboard listening on http://HOST:PORT" once listening. SIGINT/SIGTERM closes every\n' +
          'WebSocket with 1001, flushes the store and exits 0; a second signal exits at once.\n' +
          'Flags win over environment variables.',
      ),
  ).action(async (flags: Record<string, unknown>) => {
    await runServe(resolveServeSettings(flags, process.env));
  });
}

/** Start, announce, and resolve once a signal has closed the server. */
export async function runServe(settings: ServeSettings): Promise<void> {
  // Loaded here so `--help` and the client commands never load the server (and its native SQLite binding).
  const { startServer } = await import('@switchboard/server');
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(settings.config);
  } catch (err) {
    throw new CliError(startFailureMessage(err, settings), EXIT.failure, { cause: err });
  }

  const simulator = settings.demo
    ? createFleetSimulator({
        publish: (batch) => {
          try {
            server.publish(batch);
          } catch (err) {
            server.logger.warn(`demo: publish failed: ${err instanceof Error ? err.message : String(err)}`);
          }
        },
        random: createSeededRandom(Math.floor(Math.random() * 2 ** 32)),
        // The demo's permission requests become approvals in the inbox; its agents wait for the answer.
        awaitDecisions: true,
      })
    : undefined;
  if (simulator) {
    server.log.onAppend((events) => {
      for (const e of events) {
        if (e.topic !== 'approval.decided') continue;
        const d = e.data as { agent_id?: unknown; decision?: unknown };
        if (typeof d.agent_id === 'string' && (d.decision === 'allow' || d.decision === 'deny' || d.decision === 'expired')) simulator.decide(d.agent_id, d.decision);
      }
    });
  }

  const stopped = waitForSignal();
  process.stdout.write(`Switchboard listening on ${server.url}\n`);
  simulator?.start();
  const signal = await stopped;

  // A second signal during a slow shutdown means "now": exit without waiting for the store.
  const now = (sig: NodeJS.Signals) => process.exit(128 + (sig === 'SIGINT' ? 2 : 15));
  process.once('SIGINT', now);
  process.once('SIGTERM', now);
  server.logger.info({ signal }, 'shutting down');
  simulator?.stop(); // publishes the wind-down batch while the store is still open
  try {
    await server.close();
  } catch (err) {
    throw new CliError(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`, EXIT.failure, { cause: err });
  }
}

function startFailureMessage(err: unknown, settings: ServeSettings): string {
  const code = (err as { code?: unknown } | null)?.code;
  const where = `${settings.config.host ?? DEFAULT_HOST}:${settings.config.port ?? DEFAULT_PORT}`;
  if (code === 'EADDRINUSE') return `cannot listen on ${where}: the port is already in use (try --port 0 or another port)`;
  if (code === 'EADDRNOTAVAIL') return `cannot listen on ${where}: no such address on this machine`;
  if (code === 'EACCES') return `cannot listen on ${where}: permission denied`;
  return `server failed to start: ${err instanceof Error ? err.message : String(err)}`;
}
