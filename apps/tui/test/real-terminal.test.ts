// The whole `switchboard tui` in a real terminal (tmux), against a server in a child process: what a person sees,
// through a server crash and restart on the same data dir and port.

import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CLI_BIN, makeTempDir, spawnServer, waitFor, type ServerProcess } from '@switchboard/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { publish, uniqueName } from './helpers/server';

const exec = promisify(execFile);
const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/** A detached tmux session on its own tmux server (`-L`), so tests never touch a user's tmux. */
interface Terminal {
  socket: string;
  name: string;
  tmux(...args: string[]): Promise<string>;
  /** What the pane shows now, as plain text. */
  screen(): Promise<string>;
}

const terminals: Terminal[] = [];
const servers: ServerProcess[] = [];
const dirs: string[] = [];

async function openTerminal(command: string, columns: number, rows: number): Promise<Terminal> {
  const name = uniqueName('sb-tui');
  const socket = name;
  const tmux = async (...args: string[]) => (await exec('tmux', ['-L', socket, ...args], { cwd: REPO_ROOT })).stdout;
  const term: Terminal = { socket, name, tmux, screen: () => tmux('capture-pane', '-p', '-t', name) };
  terminals.push(term);
  // A person's terminal has no CI variable; with one set (as on CI), Ink renders only the last frame on exit.
  const asPerson = `env -u CI -u CONTINUOUS_INTEGRATION ${command}`;
  await tmux('new-session', '-d', '-s', name, '-x', String(columns), '-y', String(rows), '-c', REPO_ROOT, asPerson);
  return term;
}

/** Wait until the pane shows `text`; the failure shows the whole screen. */
async function sees(term: Terminal, text: string | RegExp, timeoutMs = 15_000): Promise<string> {
  let last = '';
  return waitFor<string | undefined>(
    async () => {
      last = await term.screen();
      return (typeof text === 'string' ? last.includes(text) : text.test(last)) ? last : undefined;
    },
    { timeoutMs, intervalMs: 100, message: `the terminal to show ${String(text)}\n--- screen ---\n${last}` },
  ).catch((err: Error) => {
    throw new Error(`${err.message.split('; last saw')[0]}\n--- screen ---\n${last}`);
  });
}

async function startServer(dataDir: string, port?: number): Promise<ServerProcess> {
  const server = await spawnServer(['--data', dataDir, ...(port === undefined ? [] : ['--port', String(port)])]);
  servers.push(server);
  return server;
}

afterEach(async () => {
  for (const term of terminals.splice(0)) await term.tmux('kill-server').catch(() => {});
  for (const server of servers.splice(0)) await server.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('switchboard tui in a real terminal', () => {
  it('shows the fleet live, survives a server crash and restart, and quits on q', { timeout: 60_000 }, async () => {
    const dataDir = makeTempDir('switchboard-tui-e2e-');
    dirs.push(dataDir);
    let server = await startServer(dataDir);
    const port = server.port;
    const term = await openTerminal(`${process.execPath} ${CLI_BIN} tui --url ${server.wsUrl}/ws/events`, 100, 30);

    // Startup loads Ink and compiles the CLI through tsx: slow on a busy CI machine.
    await sees(term, '● live', 30_000);
    await sees(term, 'no sessions yet');

    await publish(server.url, [
      { topic: 'session.created', data: { id: 's1', name: 'build-api', target: 'claude' } },
      { topic: 'session.created', data: { id: 's2', name: 'fix-flaky-test', target: 'codex' } },
      { topic: 'agent.started', data: { id: 'a1', session_id: 's1', name: 'planner' } },
      { topic: 'agent.started', data: { id: 'a2', session_id: 's1', name: 'coder' } },
      { topic: 'metrics.cost_updated', data: { session_id: 's1', cost_usd: 0.42, tokens_in: 1200, tokens_out: 300, total_cost_usd: 0.42 } },
      { topic: 'agent.permission_requested', data: { id: 'a2', detail: 'Bash: npm publish' } },
      { topic: 'session.ended', data: { id: 's2' } },
    ]);
    let screen = await sees(term, 'requests permission (build-api): Bash: npm publish');
    expect(screen).toMatch(/sessions 1 │ 1 ended/);
    expect(screen).toContain('agents 2');
    expect(screen).toContain('cost $0.4200');
    expect(screen).toMatch(/○ fix-flaky-test\s+ended/);
    expect(screen).toContain('● build-api');

    // Keyboard: the list holds build-api (active) then fix-flaky-test (ended); j selects the ended one.
    await term.tmux('send-keys', '-t', term.name, 'j');
    await sees(term, 'Detail · fix-flaky-test');
    await term.tmux('send-keys', '-t', term.name, 'k');
    await sees(term, 'Detail · build-api');

    // The server dies without a goodbye: the status counts down to the next reconnect attempt.
    await server.kill('SIGKILL');
    await sees(term, /◌ reconnecting in \d+s|◍ polling/);
    await sees(term, 'connection lost: reconnecting');

    // Same data dir, same port: the TUI comes back by itself and resumes; the feed is intact.
    server = await startServer(dataDir, port);
    expect(server.port).toBe(port);
    screen = await sees(term, '● live', 30_000);
    await sees(term, 'reconnected: live again');
    screen = await term.screen();
    expect(screen).toContain('requests permission (build-api)');
    expect(screen).toContain('cost $0.4200');

    // New events arrive again.
    await publish(server.url, [
      { topic: 'agent.completed', data: { id: 'a2', detail: 'published' } },
      { topic: 'session.created', data: { id: 's3', name: 'after-restart', target: 'claude' } },
    ]);
    screen = await sees(term, 'session after-restart created');
    await sees(term, 'agents 1');
    expect(screen).toContain('agent coder completed (build-api): published');

    // q quits: the process ends, and with it the tmux session.
    await term.tmux('send-keys', '-t', term.name, 'q');
    await waitFor(
      async () => term.tmux('has-session', '-t', term.name).then(() => false, () => true),
      { timeoutMs: 10_000, intervalMs: 100, message: 'the tui to exit on q' },
    );
  });

  it('answers a permission request from the inbox with the keyboard', { timeout: 60_000 }, async () => {
    const dataDir = makeTempDir('switchboard-tui-e2e-');
    dirs.push(dataDir);
    const server = await startServer(dataDir);
    const term = await openTerminal(`${process.execPath} ${CLI_BIN} tui --url ${server.url}`, 100, 30);
    await sees(term, '● live', 30_000);
    await publish(server.url, [
      { topic: 'session.created', data: { id: 's1', name: 'build-api', target: 'claude' } },
      { topic: 'agent.started', data: { id: 'a1', session_id: 's1', name: 'coder' } },
      { topic: 'agent.permission_requested', data: { id: 'a1', tool: 'Bash', tool_input: { command: 'npm publish' } } },
    ]);
    await sees(term, 'inbox 1 (1 new)');
    await term.tmux('send-keys', '-t', term.name, 'i');
    await sees(term, /› \[ \]\s+\d+s\s+Bash\s+command: npm publish\s+coder · build-api/);
    await term.tmux('send-keys', '-t', term.name, 'r');
    await sees(term, 'reason ›');
    await term.tmux('send-keys', '-t', term.name, '-l', 'not from a laptop');
    await sees(term, 'reason › not from a laptop');
    await term.tmux('send-keys', '-t', term.name, 'Enter');
    await sees(term, '✗ Bash deny by local: not from a laptop');
    const approvals = (await (await fetch(`${server.url}/api/approvals?status=decided`)).json()) as { approvals: Array<{ decision: string; agent_id: string }> };
    expect(approvals.approvals).toMatchObject([{ decision: 'deny', agent_id: 'a1' }]);
    // The agent no longer waits.
    const agents = (await (await fetch(`${server.url}/api/snapshot?topics=agent.*`)).json()) as { state: { agents: Record<string, { status: string }> } };
    expect(agents.state.agents.a1!.status).toBe('running');
  });

  it('runs React and Ink in production mode when NODE_ENV is unset, as a user starts it', { timeout: 60_000 }, async () => {
    const dataDir = makeTempDir('switchboard-tui-e2e-');
    dirs.push(dataDir);
    const server = await startServer(dataDir);
    const report = join(dataDir, 'react-build.json');
    const preload = resolve(REPO_ROOT, 'apps/tui/test/helpers/report-react-build.mjs');
    // The test runner sets NODE_ENV=test for itself; a person's shell usually has none.
    const term = await openTerminal(
      `env -u NODE_ENV REACT_BUILD_REPORT=${report} ${process.execPath} --import ${preload} ${CLI_BIN} tui --url ${server.url}`,
      100,
      30,
    );
    await sees(term, '● live', 30_000);
    await term.tmux('send-keys', '-t', term.name, 'q');
    await waitFor(() => existsSync(report), { timeoutMs: 10_000, intervalMs: 100, message: 'the tui to exit on q and write its report' });
    const { nodeEnv, builds } = JSON.parse(readFileSync(report, 'utf8')) as { nodeEnv: string | null; builds: string[] };
    expect(nodeEnv).toBe('production');
    expect(builds.some((f) => /[\\/]react[\\/]cjs[\\/]react\.production\.js$/.test(f))).toBe(true);
    expect(builds.some((f) => /react-reconciler[\\/]cjs[\\/]react-reconciler\.production/.test(f))).toBe(true);
    expect(builds.filter((f) => f.includes('.development.'))).toEqual([]);
  });

  it('lays out 80×24 without wrapping', { timeout: 60_000 }, async () => {
    const dataDir = makeTempDir('switchboard-tui-e2e-');
    dirs.push(dataDir);
    const server = await startServer(dataDir);
    const term = await openTerminal(`${process.execPath} ${CLI_BIN} tui --url ${server.url}`, 80, 24);
    await sees(term, '● live', 30_000);
    await publish(server.url, [
      { topic: 'session.created', data: { id: 's1', name: 'a-rather-long-session-name-that-does-not-fit', target: 'claude' } },
      { topic: 'agent.started', data: { id: 'a1', session_id: 's1', name: 'an-agent-with-a-long-name' } },
      { topic: 'agent.permission_requested', data: { id: 'a1', detail: `Bash: ${'x'.repeat(200)}` } },
    ]);
    const screen = await sees(term, 'requests permission');
    const lines = screen.replace(/\n$/, '').split('\n');
    expect(lines).toHaveLength(24);
    // Stats bar on top, key hints at the bottom, every pane border closed on the right.
    expect(lines[0]).toContain('● live');
    expect(lines[22]).toContain('q quit');
    for (const line of lines.slice(1, 22)) expect(line.trimEnd()).toMatch(/[│╮╯]$/);
  });
});
