// Runs the real `switchboard` bin as a child process and waits on its output lines, never on sleeps.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** apps/cli/bin/switchboard.js, found from this file so tests run from any cwd. */
export const BIN = fileURLToPath(new URL('../../bin/switchboard.js', import.meta.url));
/** The repo root: the bin runs from there, as `npx switchboard` would. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export interface CliProcess {
  child: ChildProcess;
  stdoutLines(): string[];
  stderr(): string;
  /** Resolves with the first stdout line matching `match`; rejects on timeout or exit, quoting what was seen. */
  waitForLine(match: RegExp | ((line: string) => boolean), timeoutMs?: number): Promise<string>;
  /** Resolves once stderr matches `match`. */
  waitForStderr(match: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves once at least `count` stdout lines match. */
  waitForLines(match: (line: string) => boolean, count: number, timeoutMs?: number): Promise<string[]>;
  /** Exit code, or the signal name when killed by one. */
  exited: Promise<number | string>;
  signal(sig: NodeJS.Signals): void;
}

const running = new Set<ChildProcess>();

/** Start `switchboard ...args`. Untouched env vars are removed so the host's SWITCHBOARD_* never leak in. */
export function startCli(args: string[], options: { env?: Record<string, string>; stdin?: 'pipe' | 'ignore' } = {}): CliProcess {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('SWITCHBOARD_')) delete env[key];
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...env, ...options.env },
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const lines: string[] = [];
  let partial = '';
  let err = '';
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((fn) => fn());
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    notify();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    notify();
  });
  let exitedWith: number | string | undefined;
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, sig) => {
      running.delete(child);
      exitedWith = code ?? sig ?? -1;
      resolve(exitedWith);
      notify();
    }),
  );
  const describe = () => `stdout:\n${lines.slice(-20).join('\n')}\nstderr:\n${err.slice(-2000)}`;

  function waitUntil<T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        listeners.delete(onChange);
      };
      const onChange = () => {
        const value = check();
        if (value !== undefined) {
          done();
          resolve(value);
        } else if (exitedWith !== undefined) {
          done();
          reject(new Error(`switchboard ${args.join(' ')} exited (${exitedWith}) before ${what}\n${describe()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${describe()}`));
      }, timeoutMs);
      listeners.add(onChange);
      onChange();
    });
  }

  return {
    child,
    stdoutLines: () => [...lines],
    stderr: () => err,
    waitForLine(match, timeoutMs = 15_000) {
      const test = typeof match === 'function' ? match : (l: string) => match.test(l);
      return waitUntil(() => lines.find(test), `a line matching ${String(match)}`, timeoutMs);
    },
    waitForStderr(match, timeoutMs = 15_000) {
      return waitUntil(() => (match.test(err) ? err : undefined), `stderr matching ${String(match)}`, timeoutMs);
    },
    waitForLines(match, count, timeoutMs = 15_000) {
      return waitUntil(() => {
        const found = lines.filter(match);
        return found.length >= count ? found : undefined;
      }, `${count} lines matching ${String(match)}`, timeoutMs);
    },
    exited,
    signal: (sig) => {
      if (exitedWith === undefined) child.kill(sig);
    },
  };
}

/** Kill every child still running (afterEach) and wait for them to go. */
export async function killAll(): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** Start `switchboard serve` and resolve with its URL once the listening line is printed. */
export async function startServe(args: string[], env?: Record<string, string>): Promise<{ cli: CliProcess; url: string }> {
  const cli = startCli(['serve', ...args], { env });
  const line = await cli.waitForLine(/^Switchboard listening on /, 20_000);
  return { cli, url: line.replace('Switchboard listening on ', '') };
}
