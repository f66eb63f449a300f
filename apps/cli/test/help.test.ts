import { afterEach, describe, expect, it } from 'vitest';
import { killAll, startCli } from './helpers/cli-process';

afterEach(killAll);

describe('switchboard --help', () => {
  it('lists every command', { timeout: 30_000 }, async () => {
    const cli = startCli(['--help']);
    expect(await cli.exited).toBe(0);
    const out = cli.stdoutLines().join('\n');
    for (const command of ['serve', 'tail', 'publish', 'demo', 'cluster']) expect(out).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it.each([
    ['serve', ['--port <port>', 'SWITCHBOARD_PORT', '--idle-timeout <seconds>', 'SWITCHBOARD_IDLE_TIMEOUT', '--max-queue-bytes', '--allowed-origins', '--allowed-hosts', '--insecure', '--redis', '--node-id', '--demo', '--rate-limit', 'SWITCHBOARD_RATE_LIMIT', '--rate-burst', '--connect-rate', '--connect-burst', '--log-level', 'SWITCHBOARD_LOG_LEVEL', '--metrics-port', '--log-max-bytes', 'SWITCHBOARD_LOG_MAX_BYTES', '--log-max-files', '--message-retention', 'SWITCHBOARD_MESSAGE_RETENTION']],
    ['tail', ['<target>', '--topics', '--since', '--epoch', '--raw', '--url', '--token']],
    ['publish', ['<topic>', '<json>', '--url', 'SWITCHBOARD_URL', '--token']],
    ['demo', ['--url', '--rate', '--sessions', '--seed', '--duration']],
  ])('explains %s', { timeout: 30_000 }, async (command, mentions) => {
    const cli = startCli([command, '--help']);
    expect(await cli.exited).toBe(0);
    const out = cli.stdoutLines().join('\n');
    expect(out).toMatch(new RegExp(`^Usage: switchboard ${command} `, 'm'));
    for (const m of mentions) expect(out).toContain(m);
  });

  it('exits 2 on an unknown command', { timeout: 30_000 }, async () => {
    const cli = startCli(['frobnicate']);
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toMatch(/unknown command 'frobnicate'/);
  });
});
