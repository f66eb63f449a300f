// `switchboard token create --role read|publish|control|admin [--topics …] [--instances …] [--ttl 1h] [--sub NAME]`:
// mint a JWT signed HS256 with the admin token as the secret (docs/protocol.md, "Auth"). Runs offline: the server
// verifies the signature with the same secret.

import type { Command } from 'commander';
import { isValidPattern, splitTopics } from '@switchboard/protocol';
import { usageError } from '../cli-error';

/** `write` was the role of the first token format and meant "everything"; it stays accepted as `admin`. */
const ROLE_ALIASES: Record<string, string> = { write: 'admin' };

export function registerToken(program: Command): void {
  const token = program.command('token').description('Mint access tokens for a server started with --token.');
  token
    .command('create')
    .description('Print a signed JWT for the given role that expires after --ttl.')
    .option('--role <role>', 'read (GET and streams), publish (+ events, messages), control (+ instances, plans, workspaces) or admin (everything); write = admin', 'read')
    .option('--topics <patterns>', 'comma-separated topic patterns the token may read and publish (a.*,b.c); default all')
    .option('--instances <names>', 'comma-separated instance names or globs it may control (web-*,api); default all')
    .option('--sub <name>', 'who holds the token; recorded where the server records an actor')
    .option('--ttl <duration>', 'lifetime: 90s, 15m, 1h, 7d', '1h')
    .option('--secret <token>', 'the admin token the server was started with (env SWITCHBOARD_TOKEN)')
    .addHelpText('after', '\nExample:\n  SWITCHBOARD_TOKEN=s3cret switchboard token create --role publish --topics "task.*" --ttl 1h')
    .action(async (flags: { role: string; ttl: string; secret?: string; topics?: string; instances?: string; sub?: string }) => {
      const secret = flags.secret ?? process.env.SWITCHBOARD_TOKEN;
      if (!secret) throw usageError('no secret: pass --secret or set SWITCHBOARD_TOKEN to the server\'s --token');
      // Loaded lazily so other commands never load the server.
      const { isInstanceGlob, isRole, mintToken, parseTtl } = await import('@switchboard/server');
      const role = ROLE_ALIASES[flags.role] ?? flags.role;
      if (!isRole(role)) throw usageError('--role must be read, publish, control or admin (write is accepted as admin)');
      const ttl = parseTtl(flags.ttl);
      if (ttl === null) throw usageError(`--ttl ${JSON.stringify(flags.ttl)} is not a duration like 90s, 15m, 1h or 7d`);
      const topics = flags.topics === undefined ? undefined : splitTopics(flags.topics);
      const badTopic = topics?.find((t) => !isValidPattern(t));
      if (badTopic !== undefined) throw usageError(`--topics: ${JSON.stringify(badTopic)} is not a topic pattern (exact name, "family.*" or "*")`);
      const instances = flags.instances === undefined ? undefined : splitTopics(flags.instances);
      const badInstance = instances?.find((i) => !isInstanceGlob(i));
      if (badInstance !== undefined) throw usageError(`--instances: ${JSON.stringify(badInstance)} is not an instance name or glob like web-*`);
      if (flags.sub !== undefined && (flags.sub === '' || flags.sub.length > 200)) throw usageError('--sub must be 1–200 characters');
      const jwt = await mintToken(secret, {
        role,
        ttlSeconds: ttl,
        ...(flags.sub !== undefined ? { sub: flags.sub } : {}),
        ...(topics ? { topics } : {}),
        ...(instances ? { instances } : {}),
      });
      process.stdout.write(`${jwt}\n`);
    });
}
