#!/usr/bin/env node
import { runPluginCli } from '../common/run-plugin-cli.ts';
import { jiraPlugin } from './jira-plugin.ts';

const code = await runPluginCli(jiraPlugin, {
  argv: process.argv.slice(2),
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
process.exit(code);
