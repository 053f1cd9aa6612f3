#!/usr/bin/env node
import { runPluginCli } from '../common/run-plugin-cli.ts';
import { emailPlugin } from './email-plugin.ts';

const code = await runPluginCli(emailPlugin, {
  argv: process.argv.slice(2),
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
process.exit(code);
