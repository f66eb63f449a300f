// `switchboard cluster up --nodes 3 [--base-port 8000] [--redis-port 6380]`: a local cluster for development — a
// redis-server from PATH and N nodes on consecutive ports (README "Cluster"). Prints each URL, stops everything on
// SIGINT/SIGTERM.

import type { Command } from 'commander';
import { CliError, EXIT, usageError } from '../cli-error';
import { startLocalCluster } from '../cluster/local-cluster';
import { waitForSignal } from '../stop-signal';

interface UpFlags {
  nodes: string;
  basePort: string;
  redisPort: string;
  host: string;
  data: string;
}

export function registerCluster(program: Command): void {
  const cluster = program.command('cluster').description('Run a local cluster of Switchboard nodes for development.');
  cluster
    .command('up')
    .description('Start redis-server (from PATH) and N nodes sharing it; Ctrl-C stops them all.')
    .option('--nodes <n>', 'how many nodes (1–26)', '3')
    .option('--base-port <port>', "the first node's port; the others follow (0: free ports)", '8000')
    .option('--redis-port <port>', "redis-server's port (0: a free one)", '0')
    .option('--host <host>', 'address every node and Redis bind (loopback keeps them private)', '127.0.0.1')
    .option('--data <dir>', 'parent of each node\'s data dir (node-1, …) and of redis/', './.switchboard-cluster')
    .addHelpText(
      'after',
      '\nPrints one "node-N listening on URL" line per node, then "cluster ready". Each node is `switchboard serve\n' +
        '--redis … --node-id node-N --data DIR/node-N`; Redis keeps an append-only file in DIR/redis, so `cluster up`\n' +
        'again with the same --data resumes the same log. SIGINT/SIGTERM stops the nodes, then Redis, and exits 0.',
    )
    .action(async (flags: UpFlags) => {
      const nodes = intFlag(flags.nodes, '--nodes', 1, 26);
      const basePort = intFlag(flags.basePort, '--base-port', 0, 65535);
      const redisPort = intFlag(flags.redisPort, '--redis-port', 0, 65535);
      if (basePort !== 0 && basePort + nodes - 1 > 65535) throw usageError(`--base-port ${basePort} leaves no room for ${nodes} nodes`);
      const signal = waitForSignal();
      const running = await startLocalCluster({
        nodes,
        basePort,
        redisPort,
        host: flags.host,
        dataDir: flags.data,
        out: (line) => process.stderr.write(`${line}\n`),
      });
      process.stdout.write(`redis listening on ${running.redis.url} (pid ${running.redis.pid})\n`);
      for (const n of running.nodes) process.stdout.write(`${n.name} listening on ${n.url} (pid ${n.pid})\n`);
      process.stdout.write('cluster ready\n');
      const ended = await Promise.race([signal.then((sig) => ({ sig })), running.redisExited.then((code) => ({ code }))]);
      if ('sig' in ended) process.stderr.write(`${ended.sig}: stopping the cluster\n`);
      else process.stderr.write(`redis-server exited (${ended.code}); stopping the cluster\n`);
      await running.stop();
      if ('code' in ended) throw new CliError('redis-server exited; the cluster was stopped', EXIT.failure);
    });
}

function intFlag(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw usageError(`${flag} must be an integer from ${min} to ${max}`);
  return n;
}

