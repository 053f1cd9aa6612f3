#!/usr/bin/env node
import { homedir } from 'node:os';
import { CliError } from './cli-error.ts';
import { COMMANDS } from './commands.ts';
import { EXIT } from './exit-codes.ts';
import { runCli } from './run-cli.ts';

// The only place the CLI reads the environment; everything below gets it passed in.
const env = {
  home: process.env.HOME ?? homedir(),
  cwd: process.cwd(),
  addr: process.env.GATEHOUSE_ADDR || undefined,
  identity: process.env.GATEHOUSE_IDENTITY || undefined,
  profile: process.env.GATEHOUSE_PROFILE || undefined,
  web: process.env.GATEHOUSE_WEB || undefined,
};

runCli(process.argv.slice(2), env, COMMANDS).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // One line, never a stack trace: the messages say what went wrong and what to do.
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = err instanceof CliError ? err.exitCode : EXIT.failure;
  },
);
