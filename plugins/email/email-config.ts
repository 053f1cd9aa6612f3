import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { isEmail } from '../common/is-email.ts';
import type { SchemaHelpers } from '../common/load-plugin-config.ts';
import type { Secret } from '../common/secret.ts';

/** Teleport's `starttls_policy` values: STARTTLS required, used when offered, or never used. */
export const STARTTLS_POLICIES = ['mandatory', 'opportunistic', 'disabled'] as const;
export type StartTlsPolicy = (typeof STARTTLS_POLICIES)[number];

/** The validated `[smtp]` section. */
export interface SmtpConfig {
  readonly host: string;
  /** @default 587 */
  readonly port: number;
  /** TLS from the first byte (SMTPS); @default true on port 465, else false */
  readonly implicitTls: boolean;
  /** STARTTLS on a plain connection (ignored with implicit TLS). @default mandatory */
  readonly starttls: StartTlsPolicy;
  /** AUTH (PLAIN or LOGIN, whichever the server offers); none when `username` is not set. */
  readonly auth: { readonly user: string; readonly pass: Secret } | undefined;
  /** Extra CA certificates (PEM) trusted for the server's certificate, from `ca_file`. */
  readonly caPem: string | undefined;
  /** Pooled connections. @default 5 */
  readonly poolSize: number;
  /** Connect, greeting and idle-socket timeout of one SMTP conversation. @default 10 s */
  readonly timeoutMs: number;
}

/** A sender: the address, and a display name when the config gave `Name <address>`. */
export interface Sender {
  readonly address: string;
  readonly name: string | undefined;
}

/** The validated email part of `plugin.toml`. */
export interface EmailConfig {
  readonly smtp: SmtpConfig;
  readonly sender: Sender;
  /** role -> addresses; `"*"` is the default for roles without an entry. Lower-cased. */
  readonly roleToRecipients: Readonly<Record<string, readonly string[]>>;
  /** Whether the requester is told the outcome. @default true */
  readonly notifyRequester: boolean;
}

const DEFAULT_PORT = 587;
const SMTPS_PORT = 465;
/** `Name <address>`; the name may be quoted. Control characters are refused before this runs. */
const NAMED_ADDRESS = /^\s*"?([^"<>]*?)"?\s*<([^<>]+)>\s*$/;
const HOST = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?)$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

const address = z
  .string()
  .trim()
  .refine((a) => isEmail(a.toLowerCase()), { error: (issue) => `${JSON.stringify(issue.input)} is not an email address (expected name@example.com)` })
  .transform((a) => a.toLowerCase());
/** One address or a list of them (Teleport takes both). */
const addressList = z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(address));

/** Parses `sender`: `noreply@example.com` or `Gatehouse <noreply@example.com>`. */
export function parseSender(text: string): Sender | undefined {
  if (CONTROL.test(text)) return undefined;
  const named = NAMED_ADDRESS.exec(text);
  const addr = (named ? named[2] : text)?.trim().toLowerCase() ?? '';
  if (!isEmail(addr)) return undefined;
  const name = named?.[1]?.trim();
  return { address: addr, name: name === undefined || name === '' ? undefined : name };
}

/** The schema of `[smtp]`, `[delivery]` and `[role_to_recipients]` (Teleport's email plugin keys, plus a few). */
export function emailSchema(h: SchemaHelpers) {
  return z
    .object({
      smtp: z
        .object({
          host: z.string().trim().regex(HOST, 'expected a host name or IP address'),
          port: z.number().int().min(1).max(65_535).optional(),
          username: z.string().min(1).max(256).optional(),
          password: h.secret().optional(),
          /** Teleport's spelling: a file holding the password. */
          password_file: z.string().min(1).transform((path) => `file:${path}`).pipe(h.secret()).optional(),
          starttls_policy: z.enum(STARTTLS_POLICIES, { error: (issue) => `unsupported starttls_policy ${JSON.stringify(issue.input)}: provide one of mandatory, opportunistic, disabled or leave it out for mandatory` }).optional(),
          implicit_tls: z.boolean().optional(),
          ca_file: z
            .string()
            .min(1)
            .transform((path, ctx) => {
              const problem = readCaFile(path);
              if (typeof problem === 'object') return problem.pem;
              ctx.addIssue({ code: 'custom', message: problem });
              return z.NEVER;
            })
            .optional(),
          pool_size: z.number().int().min(1).max(50).optional(),
          timeout: h.duration(100).optional(),
        })
        .strict()
        .superRefine((v, ctx) => {
          if (v.password !== undefined && v.password_file !== undefined) ctx.addIssue({ code: 'custom', path: ['password_file'], message: 'give smtp.password or smtp.password_file, not both' });
          const hasPassword = v.password !== undefined || v.password_file !== undefined;
          if (v.username !== undefined && !hasPassword) ctx.addIssue({ code: 'custom', path: ['password'], message: 'smtp.username needs smtp.password or smtp.password_file' });
          if (v.username === undefined && hasPassword) ctx.addIssue({ code: 'custom', path: ['username'], message: 'a password is set but smtp.username is not' });
        }),
      delivery: z
        .object({
          sender: z.string().transform((text, ctx) => {
            const sender = parseSender(text);
            if (sender === undefined) {
              ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text.slice(0, 80))} is not a sender address (expected noreply@example.com or "Gatehouse <noreply@example.com>")` });
              return z.NEVER;
            }
            return sender;
          }),
          /** Teleport's deprecated spelling of `role_to_recipients["*"]`. */
          recipients: z.array(address).optional(),
          notify_requester: z.boolean().optional(),
        })
        .strict(),
      role_to_recipients: z.record(z.string().min(1), addressList).optional(),
      mailgun: z.unknown().optional(),
    })
    .strict()
    .superRefine((v, ctx) => {
      if (v.mailgun !== undefined) ctx.addIssue({ code: 'custom', path: ['mailgun'], message: 'Mailgun\'s HTTP API is not supported; use [smtp] (Mailgun also takes SMTP at smtp.mailgun.org:587)' });
      if (v.delivery.recipients !== undefined && v.role_to_recipients !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['delivery', 'recipients'], message: 'provide either delivery.recipients or role_to_recipients, not both' });
      }
      const defaults = v.role_to_recipients?.['*'] ?? v.delivery.recipients ?? [];
      if (defaults.length === 0) ctx.addIssue({ code: 'custom', path: ['role_to_recipients', '*'], message: 'missing required value: role_to_recipients["*"] (or delivery.recipients), the addresses for roles without their own entry' });
    })
    .transform((v): EmailConfig => {
      const port = v.smtp.port ?? DEFAULT_PORT;
      const user = v.smtp.username;
      const pass = v.smtp.password ?? v.smtp.password_file;
      const map = v.role_to_recipients ?? { '*': v.delivery.recipients ?? [] };
      return Object.freeze({
        smtp: Object.freeze({
          host: v.smtp.host,
          port,
          implicitTls: v.smtp.implicit_tls ?? port === SMTPS_PORT,
          starttls: v.smtp.starttls_policy ?? 'mandatory',
          auth: user !== undefined && pass !== undefined ? Object.freeze({ user, pass }) : undefined,
          caPem: v.smtp.ca_file,
          poolSize: v.smtp.pool_size ?? 5,
          timeoutMs: v.smtp.timeout ?? 10_000,
        }),
        sender: Object.freeze(v.delivery.sender),
        roleToRecipients: Object.freeze(Object.fromEntries(Object.entries(map).map(([role, list]) => [role, Object.freeze([...new Set(list)])]))),
        notifyRequester: v.delivery.notify_requester ?? true,
      });
    });
}

/** The PEM text of a CA file, or what is wrong with it. */
function readCaFile(path: string): { pem: string } | string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return `cannot read CA file ${path}${code ? ` (${code})` : ''}`;
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) return `CA file ${path} holds no PEM certificate`;
  return { pem: text };
}

/**
 * The addresses a request goes to: for each requested role its `[role_to_recipients]` entry,
 * else `"*"`; then the suggested reviewers that are email addresses. Lower-cased, deduplicated,
 * in that order.
 */
export function recipientsFor(config: EmailConfig, roles: readonly string[], suggestedReviewers: readonly string[]): string[] {
  const out = new Set<string>();
  for (const role of roles.length > 0 ? roles : ['*']) {
    const own = config.roleToRecipients[role];
    for (const a of own !== undefined && own.length > 0 ? own : (config.roleToRecipients['*'] ?? [])) out.add(a);
  }
  for (const reviewer of suggestedReviewers) {
    const a = reviewer.trim().toLowerCase();
    if (isEmail(a)) out.add(a);
  }
  return [...out];
}
