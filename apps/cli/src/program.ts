// Builds the `switchboard` commander program from command modules and runs it, mapping errors to exit codes.

import { Command, CommanderError } from 'commander';
import { CliError, EXIT } from './cli-error';

/** A command module: registers one command (with its options, help and action) on the program. */
export type RegisterCommand = (program: Command) => void;

/**
 * The root program with every given command registered. Commander's own exits (help, usage errors) are thrown
 * instead, so `run()` decides the exit code.
 */
export function createProgram(commands: readonly RegisterCommand[]): Command {
  const program = new Command('switchboard')
    .description('The live control plane for fleets of AI agents.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  // Commands created with `program.command()` inherit the exit override and help-after-error settings.
  for (const register of commands) register(program);
  return program;
}

/**
 * Parse `argv` (as `process.argv`) and run the chosen command. Resolves with the exit code: 0 on success and
 * help, 2 for usage errors, 1 (or a command's own `process.exitCode`) for failures. Never calls `process.exit`.
 */
export async function run(program: Command, argv: readonly string[]): Promise<number> {
  try {
    await program.parseAsync([...argv]);
    // A command that finished with its own code (tail after a refused stream) sets process.exitCode.
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed the message (or the help); only the code is left to choose.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof CliError) {
      process.stderr.write(`switchboard: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`switchboard: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.failure;
  }
}
