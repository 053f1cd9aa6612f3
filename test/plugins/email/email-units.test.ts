/**
 * The email plugin's pure parts: its config (defaults, Teleport's keys, every mistake named),
 * recipients, Message-IDs and the rendered messages.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AccessRequest__Output } from '../../../proto/gen/gatehouse/v1/AccessRequest.ts';
import { loadPluginConfig } from '../../../plugins/common/load-plugin-config.ts';
import { PluginError } from '../../../plugins/common/plugin-error.ts';
import { emailSchema, parseSender, recipientsFor, type EmailConfig } from '../../../plugins/email/email-config.ts';
import { headerText, renderNewRequest, renderRequesterNotice, renderStateChange } from '../../../plugins/email/email-message.ts';
import { messageIdFor, threadKey } from '../../../plugins/email/email-thread.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-email-units-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CA = path.join(dir, 'ca.pem');
writeFileSync(CA, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');

const HEAD = `[gatehouse]
addr = "127.0.0.1:3025"
identity = "/var/lib/gatehouse/plugin.pem"
`;
const GOOD = `${HEAD}
[smtp]
host = "smtp.example.com"
username = "gatehouse"
password = "env:SMTP_PASSWORD"
starttls_policy = "mandatory"
ca_file = "${CA}"

[delivery]
sender = "Gatehouse <NoReply@Example.com>"

[role_to_recipients]
"*" = "Reviewers@Example.com"
"prodaccess" = ["oncall@example.com", "lead@example.com"]
`;

let files = 0;
function load(text: string, env: Record<string, string> = { SMTP_PASSWORD: 'secret' }): EmailConfig {
  const file = path.join(dir, `c${++files}.toml`);
  writeFileSync(file, text);
  return loadPluginConfig({ file, pluginSchema: emailSchema, env }).plugin;
}

function problems(text: string): string {
  try {
    load(text);
  } catch (err) {
    if (err instanceof PluginError) return err.message;
    throw err;
  }
  throw new Error('expected the config to be refused');
}

describe('email config', () => {
  it('fills the defaults and reads the secret, the CA and the recipients', () => {
    const c = load(GOOD);
    expect(c.smtp).toMatchObject({ host: 'smtp.example.com', port: 587, implicitTls: false, starttls: 'mandatory', poolSize: 5, timeoutMs: 10_000 });
    expect(c.smtp.auth?.user).toBe('gatehouse');
    expect(c.smtp.auth?.pass.reveal()).toBe('secret');
    expect(String(c.smtp.auth?.pass)).toBe('[redacted]');
    expect(c.smtp.caPem).toContain('BEGIN CERTIFICATE');
    expect(c.sender).toEqual({ address: 'noreply@example.com', name: 'Gatehouse' });
    expect(c.roleToRecipients).toEqual({ '*': ['reviewers@example.com'], prodaccess: ['oncall@example.com', 'lead@example.com'] });
    expect(c.notifyRequester).toBe(true);
  });

  it('takes implicit TLS on port 465, and no AUTH without a username', () => {
    const c = load(GOOD.replace('username = "gatehouse"\npassword = "env:SMTP_PASSWORD"\n', 'port = 465\n'));
    expect(c.smtp).toMatchObject({ port: 465, implicitTls: true, auth: undefined });
  });

  it("takes Teleport's delivery.recipients and password_file", () => {
    const secret = path.join(dir, 'password');
    writeFileSync(secret, 'from-file\n');
    const c = load(GOOD.replace('password = "env:SMTP_PASSWORD"', `password_file = "${secret}"`).replace(/\[role_to_recipients\][^]*$/, '').replace('[delivery]', '[delivery]\nrecipients = ["all@example.com"]'));
    expect(c.smtp.auth?.pass.reveal()).toBe('from-file');
    expect(c.roleToRecipients).toEqual({ '*': ['all@example.com'] });
  });

  it.each([
    ['a policy Teleport does not know', GOOD.replace('"mandatory"', '"always"'), 'smtp.starttls_policy: unsupported starttls_policy "always"'],
    ['an address that is not one', GOOD.replace('"Reviewers@Example.com"', '"Bob <bob@example.com>"'), 'role_to_recipients.*.0: "Bob <bob@example.com>" is not an email address'],
    ['no default recipients', GOOD.replace('"*" = "Reviewers@Example.com"\n', ''), 'role_to_recipients.*: missing required value'],
    ['both recipient spellings', GOOD.replace('[delivery]', '[delivery]\nrecipients = ["a@example.com"]'), 'delivery.recipients: provide either delivery.recipients or role_to_recipients, not both'],
    ['a Mailgun section', `${GOOD}\n[mailgun]\ndomain = "example.com"\n`, "mailgun: Mailgun's HTTP API is not supported"],
    ['a sender with a line break', GOOD.replace('"Gatehouse <NoReply@Example.com>"', '"noreply@example.com\\nBcc: x@example.com"'), 'delivery.sender: "noreply@example.com\\nBcc: x@example.com" is not a sender address'],
    ['a username without a password', GOOD.replace('password = "env:SMTP_PASSWORD"\n', ''), 'smtp.password: smtp.username needs smtp.password or smtp.password_file'],
    ['both password spellings', GOOD.replace('password = "env:SMTP_PASSWORD"', 'password = "x"\npassword_file = "/etc/hostname"'), 'smtp.password_file: give smtp.password or smtp.password_file, not both'],
    ['an unknown key', GOOD.replace('[smtp]', '[smtp]\ntls = true'), 'smtp.tls: unknown key'],
    ['a missing CA file', GOOD.replace(CA, '/nonexistent/ca.pem'), 'smtp.ca_file: cannot read CA file /nonexistent/ca.pem (ENOENT)'],
    ['a CA file without a certificate', GOOD.replace(CA, '/etc/hostname'), 'smtp.ca_file: CA file /etc/hostname holds no PEM certificate'],
    ['a host with a space', GOOD.replace('"smtp.example.com"', '"smtp example.com"'), 'smtp.host: expected a host name or IP address'],
    ['no [smtp]', GOOD.replace(/\[smtp\][^[]*/, ''), 'smtp: required'],
  ])('names %s', (_what, text, message) => {
    expect(problems(text)).toContain(message);
  });

  it('parses a sender with or without a display name, and refuses control characters', () => {
    expect(parseSender('"Access Bot" <bot@example.com>')).toEqual({ address: 'bot@example.com', name: 'Access Bot' });
    expect(parseSender('bot@example.com')).toEqual({ address: 'bot@example.com', name: undefined });
    expect(parseSender('Bot <bot@example.com>\r\nBcc: x@example.com')).toBeUndefined();
    expect(parseSender('not an address')).toBeUndefined();
  });
});

describe('recipients', () => {
  const config = load(GOOD);
  it("takes each role's addresses, else the default, then suggested reviewers that are bare addresses", () => {
    expect(recipientsFor(config, ['prodaccess'], ['Lead@Example.com', 'bob', 'New@example.com'])).toEqual(['oncall@example.com', 'lead@example.com', 'new@example.com']);
    expect(recipientsFor(config, ['prodaccess', 'dev'], [])).toEqual(['oncall@example.com', 'lead@example.com', 'reviewers@example.com']);
    expect(recipientsFor(config, [], ['x@example.com, y@example.com'])).toEqual(['reviewers@example.com']);
  });
});

describe('message ids and keys', () => {
  const id = '01936f3c-8a4b-7cde-8f01-23456789abcd';
  it('are made from the request, the step and the address alone', () => {
    const first = messageIdFor(id, 'new', 'a@example.com', 'noreply@Mail.Example.com');
    expect(first).toMatch(/^<gatehouse\.01936f3c-8a4b-7cde-8f01-23456789abcd\.new\.[0-9a-f]{12}@mail\.example\.com>$/);
    expect(messageIdFor(id, 'new', 'A@example.com', 'noreply@mail.example.com')).toBe(first);
    expect(messageIdFor(id, 'new', 'b@example.com', 'noreply@mail.example.com')).not.toBe(first);
    expect(messageIdFor(id, 'review-0', 'a@example.com', 'noreply@mail.example.com')).not.toBe(first);
    expect(() => messageIdFor(id, 'new>\r\nBcc', 'a@example.com', 'noreply@example.com')).toThrow('is not lower-case letters');
  });

  it('keep a long address within the 256 characters of a plugin-data key', () => {
    expect(threadKey('a@example.com').name).toBe('to:a@example.com');
    const long = `${'x'.repeat(67)}@${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(60)}.com`;
    expect(long.length).toBe(254);
    expect(threadKey(long).name).toMatch(/^to:#[0-9a-f]{32}$/);
  });
});

describe('messages', () => {
  const request: AccessRequest__Output = {
    id: '01936f3c-8a4b-7cde-8f01-23456789abcd',
    user: 'alice',
    roles: ['prodaccess', 'dba'],
    state: 'APPROVED',
    reason: 'line one\nline <two> & "three"',
    resolveReason: 'ok then',
    resolvedBy: 'bob',
    createdMs: Date.UTC(2025, 0, 2, 15, 4),
    pendingExpiresMs: Date.UTC(2025, 0, 3, 15, 4),
    accessExpiresMs: Date.UTC(2025, 0, 2, 23, 4),
    thresholds: [],
    reviews: [],
    suggestedReviewers: ['lead@example.com'],
    annotations: {},
    revision: 3,
    updatedMs: 0,
  };
  const ctx = { cluster: 'prod', webConsoleUrl: 'https://gh.example.com' };

  it('render the same content as text and as escaped HTML', () => {
    const m = renderNewRequest(request, ctx);
    expect(m.subject).toBe('[prod] Access request 01936f3c-8a4b-7cde-8f01-23456789abcd by alice for prodaccess, dba');
    expect(m.text).toContain('Reason:\n    line one\n    line <two> & "three"');
    expect(m.text).toContain('Review by:');
    expect(m.text).toContain('2025-01-03 15:04 UTC');
    expect(m.text).toContain('Web console: https://gh.example.com/web/requests/01936f3c-8a4b-7cde-8f01-23456789abcd');
    expect(m.text).toContain('Status: ⏳ PENDING');
    expect(m.html).toContain('line &lt;two&gt; &amp; &quot;three&quot;');
    expect(m.html).toContain('<a href="https://gh.example.com/web/requests/01936f3c-8a4b-7cde-8f01-23456789abcd">');
    expect(m.html).not.toContain('<two>');
  });

  it('tell an outcome to the thread and to the requester', () => {
    expect(renderStateChange(request, 'APPROVED', ctx).text).toContain('The access request of alice was approved by bob.\n\nalice can use it with:\n    gatehouse request assume');
    expect(renderRequesterNotice({ ...request, state: 'DENIED' }, 'DENIED', ctx).text).toContain('Your access request for prodaccess, dba was denied by bob.');
    expect(renderStateChange({ ...request, resolvedBy: 'system' }, 'EXPIRED', ctx).text).toContain('has expired without a decision');
  });

  it('keep header text on one line', () => {
    expect(headerText('a\r\nBcc: x\u2028y\tz')).toBe('a Bcc: x y z');
    expect(headerText('x'.repeat(500)).length).toBeLessThanOrEqual(160 + 14);
  });
});
