import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseToml } from 'smol-toml';
import { ALL_SLACK_SCOPES, createFakeSlack } from '../../fakes/fake-slack.ts';
import { runPluginCommand } from '../../support/plugin-process.ts';
import { startHarness, TOKEN, type Harness } from './slack-harness.ts';

let h: Harness;
let dir: string;
beforeAll(async () => {
  h = await startHarness();
  dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-slack-cli-'));
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** A failing command: non-zero, one clear message on stderr, no stack trace. */
function expectCleanFailure(result: { code: number | null; stderr: string }, pattern: RegExp): void {
  expect(result.code).not.toBe(0);
  expect(result.code).not.toBeNull();
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('gatehouse-slack commands', () => {
  it('configure prints a commented sample that parses as TOML', async () => {
    const r = await runPluginCommand(['configure']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('# ');
    const parsed = parseToml(r.stdout);
    expect(Object.keys(parsed)).toEqual(expect.arrayContaining(['gatehouse', 'slack', 'log']));
  });

  it('check passes with a good config and names every part', async () => {
    const r = await runPluginCommand(['check', '-c', h.config()]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ok +config/);
    expect(r.stdout).toMatch(/ok +identity: user "slack-plugin"/);
    expect(r.stdout).toMatch(/ok +server/);
    expect(r.stdout).toMatch(/ok +slack: token accepted/);
    expect(r.stdout).not.toContain(TOKEN);
  });

  it('check names the scopes the token lacks: no chat:write fails, no history scopes is a note', async () => {
    const run = async (scopes: readonly string[]) => {
      const limited = createFakeSlack({ token: TOKEN, channels: [{ id: 'C0ACCESS1', name: 'access-requests' }], scopes });
      await limited.start();
      try {
        const text = readFileSync(h.config({ name: `scopes-${scopes.length}.toml` }), 'utf8').replace(h.slack.apiUrl(), limited.apiUrl());
        return await runPluginCommand(['check', '-c', write(`scopes-${scopes.length}.toml`, text)]);
      } finally {
        await limited.stop();
      }
    };
    const noHistory = await run(ALL_SLACK_SCOPES.filter((s) => !s.endsWith(':history')));
    expect(noHistory.code).toBe(0);
    expect(noHistory.stdout).toMatch(/ok +slack: token accepted .*without the scopes channels:history, groups:history, im:history a post left in doubt/);
    const all = await run(ALL_SLACK_SCOPES);
    expect(all.stdout).not.toContain('without the scopes');
    expectCleanFailure(await run(['users:read.email']), /lacks the chat:write scope.*it has: users:read\.email/);
  });

  it('check names an unreachable Slack and a Slack that refuses the call, one line each, exit 1', async () => {
    const text = readFileSync(h.config({ name: 'no-slack.toml' }), 'utf8');
    // A port nothing listens on: connection refused.
    const closed = createFakeSlack({ token: TOKEN });
    const url = (await closed.start()).url;
    await closed.stop();
    const unreachable = await runPluginCommand(['check', '-c', write('no-slack.toml', text.replace(h.slack.apiUrl(), `${url}/api/`))]);
    expectCleanFailure(unreachable, /^gatehouse-slack check: slack: unreachable error: cannot reach Slack at http:\/\/127\.0\.0\.1:\d+\/api\/ \(request_error/);
    expect(unreachable.stderr.trim().split('\n')).toHaveLength(1);
    // Not the Slack API (a wrong api_url): a 404 that no wait will change.
    const wrongPath = await runPluginCommand(['check', '-c', write('wrong-path.toml', text.replace(h.slack.apiUrl(), `${h.slack.apiUrl()}nope/`))]);
    expectCleanFailure(wrongPath, /^gatehouse-slack check: slack: service error: Slack at .*\/nope\/ refused auth\.test \(http_404/);
    expect(wrongPath.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('check reads the token from env:NAME and never prints it', async () => {
    const file = h.config({ name: 'env-token.toml' });
    const text = (await import('node:fs')).readFileSync(file, 'utf8').replace(`token = "${TOKEN}"`, 'token = "env:SLACK_TOKEN"');
    const r = await runPluginCommand(['check', '-c', write('env.toml', text)], { env: { SLACK_TOKEN: TOKEN } });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it('check fails on a token Slack rejects', async () => {
    const file = h.config({ name: 'bad-token.toml' });
    const text = (await import('node:fs')).readFileSync(file, 'utf8').replace(TOKEN, 'xoxb-wrong');
    expectCleanFailure(await runPluginCommand(['check', '-c', write('bad-token.toml', text)]), /slack.*invalid_auth/);
  });

  it('the seed 003 config loads unchanged (then fails only on its identity file)', async () => {
    const seed = `[teleport]
addr = "teleport.example.com:443" 
identity = "${path.join(dir, 'access-plugin.pem')}"

[slack]
token = "<token-id>" # Slack Bot OAuth token
recipients = ["requests"] # Channel to post to

[log]
output = "stderr" # Logger output. Could be "stdout", "stderr" or "/var/lib/teleport/slack.log"
severity = "INFO" # Logger severity. Could be "INFO", "ERROR", "DEBUG" or "WARN".
`;
    const r = await runPluginCommand(['check', '-c', write('seed.toml', seed)]);
    expect(r.stdout).toMatch(/ok +config/);
    expectCleanFailure(r, /identity.*access-plugin\.pem does not exist/);
  });

  it('rejects malformed TOML naming the file and line', async () => {
    const file = write('malformed.toml', '[gatehouse\naddr = "x"\n');
    expectCleanFailure(await runPluginCommand(['start', '-c', file]), new RegExp(`${file.replace(/[.]/g, '\\.')}: malformed TOML at line 1`));
  });

  it('rejects unknown keys and wrong types with their key paths', async () => {
    const file = write(
      'unknown.toml',
      `[gatehouse]\naddr = 5\nidentity = "x"\nidentiti = "y"\n[slack]\ntoken = "t"\nrecipients = ["c"]\nrecipents = ["d"]\n[slak]\ntoken = "t"\n`,
    );
    const r = await runPluginCommand(['start', '-c', file]);
    expectCleanFailure(r, /unknown\.toml: invalid configuration/);
    expect(r.stderr).toContain('gatehouse.identiti: unknown key');
    expect(r.stderr).toContain('slack.recipents: unknown key');
    expect(r.stderr).toContain('slak: unknown key');
    expect(r.stderr).toMatch(/gatehouse\.addr: expected "HOST:PORT"/);
  });

  it('rejects a config without a token', async () => {
    const file = write('no-token.toml', `[gatehouse]\naddr = "127.0.0.1:1"\nidentity = "x"\n[slack]\nrecipients = ["c"]\n`);
    expectCleanFailure(await runPluginCommand(['start', '-c', file]), /slack\.token: required/);
  });

  it('rejects an env: token whose variable is missing, without a value in the message', async () => {
    const file = write('env-missing.toml', `[gatehouse]\naddr = "127.0.0.1:1"\nidentity = "x"\n[slack]\ntoken = "env:NOPE_TOKEN"\nrecipients = ["c"]\n`);
    expectCleanFailure(await runPluginCommand(['start', '-c', file]), /slack\.token: environment variable NOPE_TOKEN is not set/);
  });

  it('refuses to start with an expired identity', async () => {
    const expired = await h.server.identityFile('expired-plugin', ['access-plugin'], { ttlMs: 1000 });
    await new Promise((r) => setTimeout(r, 1500));
    const r = await runPluginCommand(['start', '-c', h.config({ name: 'expired.toml', identity: expired })]);
    expectCleanFailure(r, /identity error: identity file .*expired-plugin\.pem expired at/);
    const c = await runPluginCommand(['check', '-c', h.config({ name: 'expired2.toml', identity: expired })]);
    expectCleanFailure(c, /expired at/);
  });

  it('rejects a missing config file and unknown commands', async () => {
    expectCleanFailure(await runPluginCommand(['start', '-c', path.join(dir, 'nope.toml')]), /cannot read config file .*nope\.toml \(ENOENT\)/);
    const r = await runPluginCommand(['launch']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "launch"');
  });
});
