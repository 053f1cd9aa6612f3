#!/usr/bin/env node
import { runPluginCli } from '../common/run-plugin-cli.ts';
import { createPagerDutyPlugin } from './pagerduty-plugin.ts';

const argv = process.argv.slice(2);
// The runtime runs the same `check` at start and for the `check` command; only the command
// should fail on a service a role names but PagerDuty lacks.
const code = await runPluginCli(createPagerDutyPlugin({ strictServices: argv[0] === 'check' }), {
  argv,
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
process.exit(code);
