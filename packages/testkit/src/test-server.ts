// The real server on port 0 with a temp data dir, in-process or as a child process (for kill -9 and signals).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer, type ServerConfig } from '@switchboard/server';

export interface TestServer {
  url: string;
  wsUrl: string;
  port: number;
  dataDir: string;
  server: RunningServer;
  /** Graceful close; removes the data dir unless `keepData`. */
  close(opts?: { keepData?: boolean }): Promise<void>;
}

export function makeTempDir(prefix = 'switchboard-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startTestServer(overrides: Partial<ServerConfig> = {}): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? makeTempDir();
  const server = await startServer({ port: 0, log: () => {}, ...overrides, dataDir });
  return {
    url: server.url,
    wsUrl: server.url.replace(/^http/, 'ws'),
    port: server.port,
    dataDir,
    server,
    close: async (opts) => {
      await server.close();
      if (!opts?.keepData && !overrides.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const CLI_BIN = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../apps/cli/bin/switchboard.js');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  wsUrl: string;
  port: number;
  output: () => string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

/** Run `switchboard serve` as a child process and wait for its listening line. */
export async function spawnServer(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [CLI_BIN, 'serve', '--port', '0', ...args], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | string>((res) => child.on('exit', (code, signal) => res(code ?? signal ?? -1)));
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start in time; output:\n${out}`)), opts.timeoutMs ?? 20_000);
    const onData = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`server exited (${code}) before listening; output:\n${out}`));
    });
  });
  return {
    child,
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    port: Number(new URL(url).port),
    output: () => out,
    exited,
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
