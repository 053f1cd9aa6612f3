import { EXIT, type ExitCode } from './exit-codes.ts';

/**
 * A failure the CLI explains in one line on stderr (`error: <message>`) and turns into an exit
 * status; anything else thrown is printed the same way with status 1, never with a stack.
 */
export class CliError extends Error {
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode = EXIT.failure, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A problem with how the command was called: exit status 2, with a pointer to `--help`. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }
}
