import type { NodemailerError } from 'nodemailer/lib/errors';
import type { PluginDefinition } from '../common/plugin-definition.ts';
import { PluginError } from '../common/plugin-error.ts';
import { emailSchema, type EmailConfig, type SmtpConfig } from './email-config.ts';
import { createEmailHandler } from './email-handler.ts';
import { EMAIL_SAMPLE_CONFIG } from './email-sample-config.ts';
import { describeSmtpError, isCertificateError, isTransientSmtpError, SmtpMailer, verifySmtp } from './smtp-mailer.ts';

export const EMAIL_PLUGIN_VERSION = '0.1.0';

/** How the connection is protected, in words, for `check`. */
function describeTls(smtp: SmtpConfig): string {
  if (smtp.implicitTls) return 'TLS from the first byte';
  switch (smtp.starttls) {
    case 'mandatory':
      return 'STARTTLS';
    case 'opportunistic':
      return 'STARTTLS when offered (opportunistic)';
    case 'disabled':
      return 'no TLS (starttls_policy = "disabled": mail and password cross the network in the clear)';
    default: {
      const never: never = smtp.starttls;
      throw new Error(`unknown policy ${String(never)}`);
    }
  }
}

/** Turns a failed SMTP check into what the runtime does with it: wait (unreachable) or stop (refused). */
export function smtpCheckError(smtp: SmtpConfig, err: unknown): PluginError {
  const where = `${smtp.host}:${smtp.port}`;
  const e = err instanceof Error ? (err as NodemailerError) : undefined;
  const detail = describeSmtpError(err);
  if (isTransientSmtpError(err)) return new PluginError('unreachable', `cannot reach the SMTP server at ${where} (${detail})`, { cause: err });
  if (isCertificateError(err)) {
    return new PluginError('service', `the certificate of the SMTP server at ${where} is not trusted (${e?.originalCode ?? e?.code ?? 'unverified'}); set smtp.ca_file to the CA that signed it`, { cause: err });
  }
  if (e?.code === 'ETLS') return new PluginError('service', `STARTTLS failed at ${where}, and smtp.starttls_policy is "mandatory" (${detail})`, { cause: err });
  if (e?.code === 'EAUTH' || e?.code === 'ENOAUTH') return new PluginError('service', `the SMTP server at ${where} refused AUTH as "${smtp.auth?.user ?? ''}" (${detail}); check smtp.username and smtp.password`, { cause: err });
  return new PluginError('service', `the SMTP server at ${where} refused the session (${detail})`, { cause: err });
}

/** The email plugin: one thread per recipient (the request, its reviews, its outcome), and the outcome to the requester. */
export const emailPlugin: PluginDefinition<EmailConfig> = {
  name: 'email',
  version: EMAIL_PLUGIN_VERSION,
  pluginSchema: emailSchema,
  sampleConfig: EMAIL_SAMPLE_CONFIG,
  presets: () => ['access-plugin'],

  async check(ctx) {
    const { smtp } = ctx.config.plugin;
    try {
      await verifySmtp(smtp);
    } catch (err) {
      throw smtpCheckError(smtp, err);
    }
    const auth = smtp.auth === undefined ? 'without AUTH' : `AUTH as "${smtp.auth.user}" accepted`;
    return `SMTP server ${smtp.host}:${smtp.port}: ${describeTls(smtp)}, ${auth}; nothing sent`;
  },

  createHandler(ctx) {
    const { plugin } = ctx.config;
    const log = ctx.log.child({ component: 'email' });
    const mailer = new SmtpMailer({ smtp: plugin.smtp, sender: plugin.sender, log, retry: ctx.retry('smtp') });
    return createEmailHandler({
      config: plugin,
      mailer,
      data: ctx.data,
      client: ctx.client,
      log,
      context: { cluster: ctx.pong.clusterName, webConsoleUrl: ctx.config.gatehouse.webConsoleUrl },
      now: ctx.now,
    });
  },
};
