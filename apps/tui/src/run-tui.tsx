// Starts the terminal dashboard: one SDK client, its store, the Ink app on the alternate screen; resolves on exit.
/** @jsxRuntime automatic */ // tsx reads the tsconfig of the cwd only; this keeps JSX working from any directory.

import { createClient, type ClientOptions } from '@switchboard/client';
import { render } from 'ink';
import { App } from './app';
import { RENDER_INTERVAL_MS, TUI_TOPICS } from './constants';
import { createDashboardStore } from './dashboard-store';

export interface RunTuiOptions {
  /** Server URL: `http://host:port` or `ws://host:port[/ws/events]`. */
  url: string;
  /** Token for a server started with `--token`. */
  token?: string;
  /** @default process.stdout */
  stdout?: NodeJS.WriteStream;
  /** @default process.stdin */
  stdin?: NodeJS.ReadStream;
  /** Extra SDK options (tests: timers, backoff). `url`, `token` and `topics` are the dashboard's. */
  client?: Omit<ClientOptions, 'url' | 'token' | 'topics'>;
}

const ENTER_ALT_SCREEN = '\u001b[?1049h\u001b[H';
const LEAVE_ALT_SCREEN = '\u001b[?1049l';

/**
 * Run the dashboard until the user quits (`q`, Ctrl-C) or the process gets SIGTERM/SIGHUP. The client is closed
 * with 1000 on the way out and the terminal is restored.
 *
 * @example
 * await runTui({ url: 'http://127.0.0.1:8000' });
 */
export async function runTui(options: RunTuiOptions): Promise<void> {
  const stdout = options.stdout ?? process.stdout;
  const stdin = options.stdin ?? process.stdin;
  const client = createClient({ ...options.client, url: options.url, token: options.token, topics: TUI_TOPICS });
  const store = createDashboardStore(client, { token: options.token });
  // A full-screen app owns the screen while it runs and gives the shell its scrollback back afterwards.
  const fullScreen = stdout.isTTY === true;
  if (fullScreen) stdout.write(ENTER_ALT_SCREEN);
  const app = render(<App store={store} interactive={stdin.isTTY === true} />, {
    stdout,
    stdin,
    exitOnCtrlC: true,
    patchConsole: true,
    // Our own throttle already coalesces to one render per RENDER_INTERVAL_MS; Ink's must not add a second delay.
    maxFps: Math.ceil(1000 / RENDER_INTERVAL_MS) * 2,
  });
  const stop = () => app.unmount();
  process.once('SIGTERM', stop);
  process.once('SIGHUP', stop);
  try {
    await app.waitUntilExit();
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGHUP', stop);
    store.close();
    if (fullScreen) stdout.write(LEAVE_ALT_SCREEN);
  }
}
