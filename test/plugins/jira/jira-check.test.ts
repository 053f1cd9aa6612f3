import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPluginCommand } from '../../support/plugin-process.ts';
import { BOT, freePort, startJiraHarness, type JiraHarness } from './jira-harness.ts';

let h: JiraHarness;
beforeAll(async () => {
  h = await startJiraHarness();
});
afterAll(async () => {
  await h.close();
});

const MAIN = 'plugins/jira/main.ts';
const env = { JIRA_TOKEN: BOT.apiToken };

function variant(name: string, edit: (toml: string) => string): string {
  const file = path.join(h.dir, name);
  writeFileSync(file, edit(readBase()));
  return file;
}
let base: string | undefined;
function readBase(): string {
  base ??= readFileSync(h.config({ name: 'base.toml' }), 'utf8');
  return base;
}

describe('gatehouse-jira check and config', () => {
  it('check passes against a correct site and names what it found', async () => {
    const res = await runPluginCommand(['check', '-c', h.config({ name: 'ok.toml' })], { main: MAIN, env });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('authenticated as "Gatehouse Bot"');
    expect(res.stdout).toContain('project ACC');
    expect(res.stdout).toContain('statuses Pending/Approved/Denied/Expired found');
    expect(res.stdout).toContain('all checks passed');
  });

  it('check names a wrong token, project, issue type or status without printing secrets', async () => {
    const wrongToken = await runPluginCommand(['check', '-c', h.config({ name: 'token.toml' })], { main: MAIN, env: { JIRA_TOKEN: 'not-the-token' } });
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toMatch(/rejected jira\.username\/jira\.api_token/);
    expect(wrongToken.stderr + wrongToken.stdout).not.toContain('not-the-token');

    const project = await runPluginCommand(['check', '-c', variant('project.toml', (t) => t.replace('project = "ACC"', 'project = "NOPE"'))], { main: MAIN, env });
    expect(project.code).toBe(1);
    expect(project.stderr).toMatch(/project NOPE/);

    const type = await runPluginCommand(['check', '-c', variant('type.toml', (t) => t.replace('project = "ACC"', 'project = "ACC"\nissue_type = "Story"'))], { main: MAIN, env });
    expect(type.code).toBe(1);
    expect(type.stderr).toContain('no issue type "Story" (jira.issue_type; it has: Task, Bug)');

    const status = await runPluginCommand(['check', '-c', variant('status.toml', (t) => t.replace('[jira.user_mapping]', '[jira.statuses]\napproved = "Granted"\n\n[jira.user_mapping]'))], { main: MAIN, env });
    expect(status.code).toBe(1);
    expect(status.stderr).toContain('lacks approved status "Granted"');

    const noExpired = await runPluginCommand(['check', '-c', variant('expired.toml', (t) => t.replace('[jira.user_mapping]', '[jira.statuses]\nexpired = "Lapsed"\n\n[jira.user_mapping]'))], { main: MAIN, env });
    expect(noExpired.code).toBe(0);
    expect(noExpired.stdout).toContain('no status "Lapsed" in the workflow: expiries are commented only');
    // Five plugin commands, each a Node process that takes seconds to boot on a busy machine.
  }, 90_000);

  it('check against an unreachable Jira exits 1 with one line naming the step', async () => {
    const port = await freePort();
    const res = await runPluginCommand(['check', '-c', variant('down.toml', (t) => t.replace(/url = "http:\/\/127\.0\.0\.1:\d+"/, `url = "http://127.0.0.1:${port}"`))], { main: MAIN, env });
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^gatehouse-jira check: jira: unreachable error: cannot reach Jira at http://127\\.0\\.0\\.1:${port} to read its own profile`))]);
    expect(res.stdout).toContain('ok    server');
  });

  it('rejects hostile configs with every problem named', async () => {
    const bad = variant('bad.toml', (t) =>
      t
        .replace(/url = "http:\/\/127\.0\.0\.1:\d+"/, 'url = "http://jira.example.com"')
        .replace(`username = "${BOT.emailAddress}"`, 'username = "not an email"')
        .replace('reconcile_interval = "1h"', 'reconcile_interval = "soon"\nsurprise = true'),
    );
    const res = await runPluginCommand(['start', '-c', bad], { main: MAIN, env });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('jira.url: must start with "https://"');
    expect(res.stderr).toContain('jira.username: expected the email');
    expect(res.stderr).toContain('jira.reconcile_interval: expected a duration');
    expect(res.stderr).toContain('jira.surprise: unknown key');
    const missingToken = await runPluginCommand(['check', '-c', h.config({ name: 'env.toml' })], { main: MAIN, env: {} });
    expect(missingToken.code).toBe(1);
    expect(missingToken.stderr).toContain('environment variable JIRA_TOKEN is not set');
    const sample = await runPluginCommand(['configure'], { main: MAIN });
    expect(sample.code).toBe(0);
    expect(sample.stdout).toContain('[jira.user_mapping]');
  });
});
