/**
 * `npm run bench`: every benchmark, each printing its figures beside a baseline measured in
 * the same run. Figures, not pass/fail: targets are printed next to them.
 *   npm run bench            all
 *   npm run bench -- core    only the core server
 */
import { existsSync } from 'node:fs';
import { runCoreBench } from './core-bench.ts';

const only = process.argv[2];
const results: Record<string, Record<string, string | number>> = {};

async function section(name: string, file: string, exportName: string, run?: () => Promise<Record<string, string | number>>): Promise<void> {
  if (only && only !== name) return;
  console.log(`\n== ${name} ==`);
  if (run) {
    results[name] = await run();
    return;
  }
  if (!existsSync(new URL(file, import.meta.url))) {
    console.log(`(${file} not present)`);
    return;
  }
  const mod: Record<string, unknown> = await import(file);
  const fn = mod[exportName];
  if (typeof fn !== 'function') throw new Error(`${file} does not export ${exportName}`);
  results[name] = (await fn()) as Record<string, string | number>;
}

await section('core', './core-bench.ts', 'runCoreBench', runCoreBench);
await section('wire', './wire-check-bench.ts', 'runWireCheckBench');
await section('slack', './slack-bench.ts', 'runSlackBench');
await section('pagerduty', './pagerduty-bench.ts', 'runPagerDutyBench');
await section('jira', './jira-bench.ts', 'runJiraBench');
await section('email', './email-bench.ts', 'runEmailBench');
await section('web', './web-bench.ts', 'runWebBench');
console.log('\n== summary (JSON) ==');
console.log(JSON.stringify(results, null, 2));
process.exit(0);
