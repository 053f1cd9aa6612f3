/**
 * `gatehouse-email` as an operator runs it: configure, check (connects, STARTTLS, AUTH, sends
 * nothing; one clear line on each kind of failure), a Teleport email config, start against an
 * SMTP server that is not up yet, and config mistakes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeSmtp, SMTP_PASSWORD, SMTP_USER } from '../../fakes/fake-smtp.ts';
import { createSmtpTlsMaterial } from '../../fakes/fake-smtp-tls.ts';
import { runPluginCommand, startPluginProcess } from '../../support/plugin-process.ts';
import { freePort } from '../../support/server-process.ts';
import { REVIEWERS, startEmailHarness, type EmailHarness } from './email-harness.ts';

const MAIN = 'plugins/email/main.ts';
let h: EmailHarness;
beforeAll(async () => {
  h = await startEmailHarness();
});
afterAll(async () => {
  await h?.close();
});

const run = (args: readonly string[], env?: Record<string, string>) => runPluginCommand(args, { main: MAIN, ...(env ? { env } : {}) });

/** A failing command: exit 1, one clear line on stderr, no stack trace. */
function expectCleanFailure(result: { code: number | null; stderr: string }, pattern: RegExp): void {
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr.trim().split('\n').length).toBeLessThanOrEqual(4);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

function write(name: string, text: string): string {
  const file = path.join(h.dir, name);
  writeFileSync(file, text);
  return file;
}

describe('gatehouse-email commands', () => {
  it('configure prints a commented sample that parses as TOML', async () => {
    const r = await run(['configure']);
    expect(r.code).toBe(0);
    const parsed = parseToml(r.stdout);
    expect(Object.keys(parsed)).toEqual(expect.arrayContaining(['gatehouse', 'smtp', 'delivery', 'role_to_recipients', 'log']));
  });

  it('check connects, does STARTTLS and AUTH, and sends nothing', async () => {
    const before = h.smtp.commands().length;
    const r = await run(['check', '-c', h.config()]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ok +identity: user "email-plugin"/);
    expect(r.stdout).toMatch(new RegExp(`ok +email: SMTP server 127\\.0\\.0\\.1:${h.smtp.port}: STARTTLS, AUTH as "${SMTP_USER}" accepted; nothing sent`));
    expect(r.stdout).not.toContain(SMTP_PASSWORD);
    expect(h.smtp.commands().slice(before).map((c) => c.command)).toEqual(['CONNECT', 'AUTH']);
  });

  it('check fails in one line on a wrong password, an untrusted certificate, a server without STARTTLS, and no server', { timeout: 90_000 }, async () => {
    const plain = createFakeSmtp({ tls: 'none' });
    await plain.start();
    try {
      const noCa = write('no-ca.toml', readFileSync(h.config(), 'utf8').replace(/^ca_file = .*$/m, ''));
      // One after another: five Node processes at once are slow to start on a small machine.
      const password = await run(['check', '-c', h.config({ smtp: { password: 'wrong' } })]);
      const certificate = await run(['check', '-c', noCa]);
      const starttls = await run(['check', '-c', h.config({ smtp: { port: plain.port } })]);
      const disabled = await run(['check', '-c', h.config({ smtp: { port: plain.port, starttls: 'disabled' } })]);
      const nobody = await run(['check', '-c', h.config({ smtp: { port: await freePort() } })]);
      expectCleanFailure(password, /^gatehouse-email check: email: service error: the SMTP server at 127\.0\.0\.1:\d+ refused AUTH as "gatehouse" \(EAUTH .*535/);
      expectCleanFailure(certificate, /email: service error: the certificate of the SMTP server at 127\.0\.0\.1:\d+ is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\); set smtp\.ca_file/);
      expectCleanFailure(starttls, /email: service error: STARTTLS failed at 127\.0\.0\.1:\d+, and smtp\.starttls_policy is "mandatory"/);
      expect(disabled.code).toBe(0);
      expect(disabled.stdout).toContain('no TLS (starttls_policy = "disabled"');
      expectCleanFailure(nobody, /email: unreachable error: cannot reach the SMTP server at 127\.0\.0\.1:\d+ \(ESOCKET ECONNREFUSED/);
    } finally {
      await plain.stop();
    }
  });

  it('check takes implicit TLS on a port-465 style server', async () => {
    const tls = createFakeSmtp({ tls: 'implicit' });
    await tls.start();
    try {
      const ca = path.join(h.dir, 'implicit-ca.pem');
      writeFileSync(ca, tls.caPem);
      const r = await run(['check', '-c', h.config({ smtp: { port: tls.port, caFile: ca, implicitTls: true } })]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/ok +email: SMTP server .*: TLS from the first byte, AUTH as "gatehouse" accepted/);
    } finally {
      await tls.stop();
    }
  });

  it('loads a Teleport email plugin config unchanged', async () => {
    const passwordFile = write('smtp-password', `${SMTP_PASSWORD}\n`);
    const teleport = write(
      'teleport.toml',
      `[teleport]
addr = "${h.server.addr}"
identity = "${h.pluginIdentity}"

[smtp]
host = "127.0.0.1"
port = ${h.smtp.port}
username = "${SMTP_USER}"
password_file = "${passwordFile}"
starttls_policy = "mandatory"
ca_file = "${h.caFile}"

[delivery]
sender = "noreply@example.com"
recipients = ["${REVIEWERS}"]

[log]
output = "stderr"
severity = "INFO"
`,
    );
    const r = await run(['check', '-c', teleport]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('start waits for an SMTP server that is not up yet, then delivers', async () => {
    const port = await freePort();
    const material = await createSmtpTlsMaterial();
    const later = createFakeSmtp({ material });
    const plugin = startPluginProcess({ main: MAIN, args: ['start', '-c', h.config({ smtp: { port, caFile: write('later-ca.pem', material.caPem) } })] });
    try {
      await plugin.waitForLog((l) => l.msg === 'service not reachable, retrying', 20_000);
      await later.start(port);
      await plugin.waitForLog((l) => l.msg === 'plugin is ready', 30_000);
      const request = await h.alice.createAccessRequest({ roles: ['prodaccess'], reason: 'smtp came up late' });
      await later.waitFor(() => later.messages().find((m) => m.subject.includes(request.id)), 10_000, 'the request announced');
      expect((await plugin.stop()).code).toBe(0);
    } finally {
      await plugin.kill();
      await later.stop();
    }
  });

  it('start stops at once, in one line, when the SMTP server refuses the credentials', async () => {
    const p = startPluginProcess({ main: MAIN, args: ['start', '-c', h.config({ smtp: { password: 'wrong' } })] });
    const timer = setTimeout(() => p.child.kill('SIGKILL'), 30_000);
    const exit = await p.exited();
    clearTimeout(timer);
    expect(exit.code).toBe(1);
    expect(p.stderr()).toMatch(/^gatehouse-email: service error: the SMTP server at .* refused AUTH/);
  });

  it('names a config mistake with its key, in one line (every mistake: email-units.test.ts)', async () => {
    const base = readFileSync(h.config(), 'utf8');
    const policy = await run(['check', '-c', write('bad-policy.toml', base.replace('starttls_policy = "mandatory"', 'starttls_policy = "always"'))]);
    const address = await run(['check', '-c', write('bad-address.toml', base.replace(`"*" = ["${REVIEWERS}"]`, '"*" = ["not an address"]'))]);
    expectCleanFailure(policy, /smtp\.starttls_policy: unsupported starttls_policy "always": provide one of mandatory, opportunistic, disabled/);
    expectCleanFailure(address, /role_to_recipients\.\*\.0: "not an address" is not an email address/);
  });
});
