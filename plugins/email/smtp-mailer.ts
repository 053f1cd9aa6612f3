import nodemailer from 'nodemailer';
import type { NodemailerError } from 'nodemailer/lib/errors';
import type Mail from 'nodemailer/lib/mailer';
import type { SMTPPoolOptions, SMTPPoolSentMessageInfo } from 'nodemailer/lib/smtp-pool';
import type { Logger } from 'pino';
import { isEmail } from '../common/is-email.ts';
import { withRetry, type RetryOptions } from '../common/with-retry.ts';
import type { Sender, SmtpConfig } from './email-config.ts';
import { headerText } from './email-message.ts';

/** One email to one address; the caller made every header value (see email-thread.ts). */
export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** `<local@domain>`: the same for every attempt at this message, so a resent copy is known as the same message. */
  readonly messageId: string;
  /** The thread's first message, for a reply: sets `In-Reply-To` and `References`, and `Re: ` on the subject. */
  readonly replyTo?: string;
}

/** What the server said about a message: taken, or refused for good (a 5xx for the recipient or the message). */
export type SendOutcome = { readonly kind: 'accepted'; readonly response: string } | { readonly kind: 'refused'; readonly code: number; readonly response: string };

/** Connection errors of Node and nodemailer that another attempt may get past. */
const CONNECTION_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Node's codes for a server certificate that does not verify. */
const CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
/** Commands whose 5xx refuses this message or recipient, not the plugin's session. */
const MESSAGE_COMMANDS = /^(MAIL FROM|RCPT TO|DATA)/;

function asMailError(err: unknown): NodemailerError | undefined {
  return err instanceof Error ? (err as NodemailerError) : undefined;
}

/** Whether the server's certificate failed verification. */
export function isCertificateError(err: unknown): boolean {
  const e = asMailError(err);
  return e !== undefined && (CERTIFICATE_CODES.has(e.originalCode ?? '') || CERTIFICATE_CODES.has(e.code ?? ''));
}

/** Whether TLS itself failed (a certificate, or TLS spoken to a plain port and the reverse): settings, not the network. */
export function isTlsError(err: unknown): boolean {
  const e = asMailError(err);
  return e !== undefined && (e.code === 'ETLS' || isCertificateError(e) || /^ERR_(SSL|TLS)_/.test(e.originalCode ?? ''));
}

/** Whether the server answered with an SMTP reply (so the command it answered was not carried out). */
export function isSmtpReply(err: unknown): boolean {
  const code = asMailError(err)?.responseCode;
  return code !== undefined && code >= 400;
}

/** A 4xx reply, a dropped or refused connection, a timeout: worth another attempt. */
export function isTransientSmtpError(err: unknown): boolean {
  const e = asMailError(err);
  if (e === undefined || e.code === 'EABORT' || isTlsError(e)) return false;
  if (e.responseCode !== undefined) return e.permanent === false && e.responseCode >= 400;
  return CONNECTION_CODES.has(e.code ?? '') || CONNECTION_CODES.has(e.originalCode ?? '');
}

/** A 5xx for the envelope or the message (a recipient that does not exist, content refused). */
function refusal(err: unknown): { code: number; response: string } | undefined {
  const e = asMailError(err);
  if (e?.responseCode === undefined || e.permanent !== true || !MESSAGE_COMMANDS.test(e.command ?? '')) return undefined;
  return { code: e.responseCode, response: headerText(e.response ?? e.message, 300) };
}

/** One line on an SMTP error for logs: code, command and the server's reply, never a password. */
export function describeSmtpError(err: unknown): string {
  const e = asMailError(err);
  if (e === undefined) return String(err);
  const parts = [e.code, e.originalCode, e.command, e.responseCode].filter((p) => p !== undefined && p !== '');
  const text = headerText(e.response ?? e.message, 300);
  return parts.length === 0 ? text : `${parts.join(' ')}: ${text}`;
}

export interface SmtpMailerOptions {
  smtp: SmtpConfig;
  sender: Sender;
  log: Logger;
  /** Retries of one message (signal, metrics hook); budgets default to 4 retries within 20 s. */
  retry: RetryOptions;
}

/** nodemailer's transport options for a config: TLS as configured, certificates always verified. */
export function transportOptions(smtp: SmtpConfig): SMTPPoolOptions {
  return {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.implicitTls,
    requireTLS: !smtp.implicitTls && smtp.starttls === 'mandatory',
    ignoreTLS: !smtp.implicitTls && smtp.starttls === 'disabled',
    tls: { rejectUnauthorized: true, minVersion: 'TLSv1.2', ...(smtp.caPem === undefined ? {} : { ca: [smtp.caPem] }) },
    ...(smtp.auth === undefined ? {} : { auth: { user: smtp.auth.user, pass: smtp.auth.pass.reveal() } }),
    connectionTimeout: smtp.timeoutMs,
    greetingTimeout: smtp.timeoutMs,
    socketTimeout: smtp.timeoutMs,
    dnsTimeout: smtp.timeoutMs,
    // The message never loads files or URLs (no attachments); refuse them outright.
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  };
}

/**
 * Sends mail over a pool of SMTP connections. A 4xx reply, a dropped connection or a timeout is
 * retried with backoff (the same message, the same Message-ID); a 5xx for the recipient or the
 * message is returned as `refused`, not retried; anything else (authentication, TLS) is thrown.
 */
export class SmtpMailer {
  readonly #transport: Mail<SMTPPoolSentMessageInfo, SMTPPoolOptions>;
  readonly #from: { name: string; address: string } | string;
  readonly #sender: string;
  readonly #retry: RetryOptions;
  readonly #log: Logger;

  constructor(options: SmtpMailerOptions) {
    this.#log = options.log;
    this.#sender = options.sender.address;
    this.#from = options.sender.name === undefined ? options.sender.address : { name: headerText(options.sender.name, 100), address: options.sender.address };
    this.#retry = { retries: 4, maxElapsedMs: 20_000, initialDelayMs: 250, maxDelayMs: 5000, ...options.retry, isRetryable: isTransientSmtpError };
    // maxRequeues 0: a message whose connection dropped comes back to us, and our retry (logged,
    // counted, bounded by the event deadline) sends it again, rather than the pool on its own.
    this.#transport = nodemailer.createTransport({ ...transportOptions(options.smtp), pool: true as const, maxConnections: options.smtp.poolSize, maxMessages: 100, maxRequeues: 0 });
  }

  /**
   * Sends `mail`, retrying what is worth it within the retry budget and `signal`.
   * @throws the last error when it was not a 5xx refusal (the effect is then retried later).
   */
  async send(mail: OutgoingMail, signal: AbortSignal): Promise<SendOutcome> {
    if (!isEmail(mail.to)) throw new Error(`not an email address: ${JSON.stringify(mail.to.slice(0, 80))}`);
    const subject = headerText(mail.replyTo === undefined ? mail.subject : `Re: ${mail.subject}`, 200);
    try {
      const info = await withRetry(
        () =>
          this.#transport.sendMail({
            from: this.#from,
            to: mail.to,
            envelope: { from: this.#sender, to: [mail.to] },
            subject,
            text: mail.text,
            html: mail.html,
            messageId: mail.messageId,
            date: new Date(),
            ...(mail.replyTo === undefined ? {} : { inReplyTo: mail.replyTo, references: [mail.replyTo] }),
            // RFC 3834: no vacation auto-replies to a notification; Outlook's own switch too.
            headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
            signal,
          }),
        { ...this.#retry, signal },
      );
      return { kind: 'accepted', response: headerText(info.response, 200) };
    } catch (err) {
      const refused = refusal(err);
      if (refused === undefined) throw err;
      return { kind: 'refused', ...refused };
    }
  }

  /** Closes the pooled connections. */
  close(): void {
    this.#transport.close();
    this.#log.debug('SMTP pool closed');
  }
}

/**
 * Connects, does STARTTLS and AUTH as configured, and says QUIT: sends nothing.
 * @throws the connection's error.
 */
export async function verifySmtp(smtp: SmtpConfig): Promise<void> {
  const transport = nodemailer.createTransport(transportOptions(smtp));
  try {
    await transport.verify();
  } finally {
    transport.close();
  }
}
