/**
 * The fake SMTP server, driven by the real nodemailer the plugin uses: TLS and AUTH as a real
 * submission server does them, what it records, and every failure it can be told to inject.
 */
import nodemailer from 'nodemailer';
import type { SMTPPoolOptions } from 'nodemailer/lib/smtp-pool';
import type { NodemailerError } from 'nodemailer/lib/errors';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeSmtp, SMTP_PASSWORD, SMTP_USER, type FakeSmtp, type FakeSmtpOptions } from './fake-smtp.ts';

let smtp: FakeSmtp | undefined;
afterEach(async () => {
  await smtp?.stop();
  smtp = undefined;
});

async function start(options: FakeSmtpOptions = {}): Promise<FakeSmtp> {
  smtp = createFakeSmtp(options);
  await smtp.start();
  return smtp;
}

function transport(s: FakeSmtp, extra: Partial<SMTPPoolOptions> = {}) {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port: s.port,
    requireTLS: true,
    tls: { ca: [s.caPem] },
    auth: { user: SMTP_USER, pass: SMTP_PASSWORD },
    connectionTimeout: 2000,
    greetingTimeout: 2000,
    socketTimeout: 2000,
    ...extra,
  });
}

const mail = (to: string, extra: Record<string, unknown> = {}) => ({
  from: 'gatehouse@example.com',
  to,
  subject: 'hello',
  text: 'plain body',
  html: '<p>html body</p>',
  messageId: '<one.two@example.com>',
  ...extra,
});

async function failure(call: Promise<unknown>): Promise<NodemailerError> {
  const err = await call.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof Error)) throw new Error(`expected an error, got ${String(err)}`);
  return err as NodemailerError;
}

describe('fake SMTP server through nodemailer', () => {
  it('takes STARTTLS on the test CA and AUTH PLAIN, and records the message as a client parses it', async () => {
    const s = await start();
    const t = transport(s, { authMethod: 'PLAIN' });
    const info = await t.sendMail(mail('alice@example.com', { inReplyTo: '<root@example.com>', references: ['<root@example.com>'] }));
    t.close();
    expect(info.accepted).toEqual(['alice@example.com']);
    const [m] = s.messages();
    expect(m).toMatchObject({
      envelope: { from: 'gatehouse@example.com', to: ['alice@example.com'] },
      messageId: '<one.two@example.com>',
      inReplyTo: '<root@example.com>',
      references: ['<root@example.com>'],
      subject: 'hello',
      from: ['gatehouse@example.com'],
      to: ['alice@example.com'],
      contentType: 'multipart/alternative',
      secure: true,
      user: SMTP_USER,
    });
    expect(m?.text.trim()).toBe('plain body');
    expect(m?.html).toContain('<p>html body</p>');
    expect(s.commands().map((c) => c.command)).toEqual(['CONNECT', 'AUTH', 'MAIL', 'RCPT', 'DATA']);
  });

  it('takes AUTH LOGIN and refuses a wrong password with 535', async () => {
    const s = await start();
    const ok = transport(s, { authMethod: 'LOGIN' });
    await ok.sendMail(mail('alice@example.com'));
    ok.close();
    const bad = transport(s, { auth: { user: SMTP_USER, pass: 'wrong' } });
    const err = await failure(bad.sendMail(mail('alice@example.com')));
    expect(err).toMatchObject({ code: 'EAUTH', responseCode: 535 });
    expect(s.messages()).toHaveLength(1);
  });

  it('presents a certificate a client without the test CA does not trust', async () => {
    const s = await start();
    const t = transport(s, { tls: {} });
    const err = await failure(t.sendMail(mail('alice@example.com')));
    expect(err).toMatchObject({ code: 'ESOCKET', originalCode: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(s.messages()).toHaveLength(0);
  });

  it('without STARTTLS a client that requires it gives up; implicit TLS works from the first byte', async () => {
    const plain = await start({ tls: 'none' });
    const err = await failure(transport(plain).sendMail(mail('alice@example.com')));
    expect(err.code).toBe('ETLS');
    expect(err.message).toMatch(/STARTTLS/i);
    const insecure = transport(plain, { requireTLS: false, ignoreTLS: true });
    await insecure.sendMail(mail('alice@example.com'));
    expect(plain.messages()[0]?.secure).toBe(false);
    await plain.stop();

    const implicit = await start({ tls: 'implicit' });
    await transport(implicit, { secure: true, requireTLS: false }).sendMail(mail('alice@example.com'));
    expect(implicit.messages()[0]?.secure).toBe(true);
  });

  it('answers an injected reply for one recipient only, as many times as told', async () => {
    const s = await start();
    s.failNext(1, { reply: 451, message: '4.3.0 try later' }, { command: 'RCPT', recipient: 'Alice@example.com' });
    s.failNext(Infinity, { reply: 550, message: '5.1.1 no such user' }, { command: 'RCPT', recipient: 'ghost@example.com' });
    const t = transport(s);
    const soft = await failure(t.sendMail(mail('alice@example.com')));
    expect(soft).toMatchObject({ responseCode: 451, command: 'RCPT TO' });
    expect(soft.response).toContain('try later');
    await t.sendMail(mail('alice@example.com'));
    await t.sendMail(mail('bob@example.com'));
    for (let i = 0; i < 2; i++) {
      const hard = await failure(t.sendMail(mail('ghost@example.com')));
      expect(hard).toMatchObject({ responseCode: 550, permanent: true });
    }
    expect(s.messages().map((m) => m.envelope.to[0])).toEqual(['alice@example.com', 'bob@example.com']);
  });

  it('closes the connection after an injected 421, as a real server does', async () => {
    const s = await start();
    s.failNext(1, { reply: 421, message: '4.4.2 closing' }, { command: 'MAIL' });
    const t = transport(s);
    const err = await failure(t.sendMail(mail('alice@example.com')));
    expect(err.responseCode).toBe(421);
    await t.sendMail(mail('alice@example.com'));
    expect(s.connections()).toBe(2);
  });

  it('drops a connection at DATA without accepting the message', async () => {
    const s = await start();
    s.failNext(1, { dropConnection: true }, { command: 'DATA' });
    const err = await failure(transport(s).sendMail(mail('alice@example.com')));
    expect(['ECONNECTION', 'ESOCKET']).toContain(err.code);
    expect(s.messages()).toHaveLength(0);
  });

  it('can take a message and hold the reply: the client never learns it was accepted', async () => {
    const s = await start();
    s.failNext(1, { performThenStall: true }, { command: 'DATA' });
    const abort = new AbortController();
    const sending = failure(transport(s, { socketTimeout: 60_000 }).sendMail({ ...mail('alice@example.com'), signal: abort.signal }));
    await s.waitFor(() => s.messages()[0], 5000, 'the held message');
    abort.abort();
    expect((await sending).code).toBe('EABORT');
    expect(s.messages()).toHaveLength(1);
    // Stopping does not wait for the held transaction.
    const t0 = Date.now();
    await s.stop();
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('delays an answer when told to', async () => {
    const s = await start();
    s.failNext(1, { delayMs: 300 }, { command: 'DATA' });
    const t0 = Date.now();
    await transport(s).sendMail(mail('alice@example.com'));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });
});
