// `switchboard token create --role read|write [--ttl 1h]`: mint a signed, expiring token with the admin token
// as the secret (SPEC §6). Runs offline: the server verifies the signature with the same secret.

import type { Command } from 'commander';
import { usageError } from '../cli-error';

export function registerToken(program: Command): void {
  const token = program.command('token').description('Mint access tokens for a server started with --token.');
  token
    .command('create')
    .description('Print a signed token for the given role that expires after --ttl.')
    .option('--role <role>', 'read (GET and streams) or write (everything)', 'read')
    .option('--ttl <duration>', 'lifetime: 90s, 15m, 1h, 7d', '1h')
    .option('--secret <token>', 'the admin token the server was started with (env SWITCHBOARD_TOKEN)')
    .addHelpText('after', '\nExample:\n  SWITCHBOARD_TOKEN=s3cret switchboard token create --role read --ttl 1h')
    .action(async (flags: { role: string; ttl: string; secret?: string }) => {
      const secret = flags.secret ?? process.env.SWITCHBOARD_TOKEN;
      if (!secret) throw usageError('no secret: pass --secret or set SWITCHBOARD_TOKEN to the server\'s --token');
      if (flags.role !== 'read' && flags.role !== 'write') throw usageError('--role must be read or write');
      // Loaded lazily so other commands never load the server.
      const { createToken, parseTtl } = await import('@switchboard/server');
      const ttl = parseTtl(flags.ttl);
      if (ttl === null) throw usageError(`--ttl ${JSON.stringify(flags.ttl)} is not a duration like 90s, 15m, 1h or 7d`);
      process.stdout.write(`${createToken(secret, flags.role, ttl)}\n`);
    });
}
