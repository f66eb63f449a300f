// The error a command throws to end the process with a message on stderr and a chosen exit code.

/** Exit codes of the `switchboard` bin. */
export const EXIT = {
  ok: 0,
  /** The request failed: the server answered an error, or could not be reached. */
  failure: 1,
  /** Bad usage: unknown flag, bad value, unparsable JSON, unsafe settings. */
  usage: 2,
} as const;

/** Thrown by commands; `run()` prints `switchboard: <message>` to stderr and exits with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = EXIT.failure, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A usage error (exit 2): the command line or environment asks for something invalid. */
export function usageError(message: string): CliError {
  return new CliError(message, EXIT.usage);
}
