import { z } from 'zod';
import { isEmail } from '../common/is-email.ts';
import type { SchemaHelpers } from '../common/load-plugin-config.ts';
import type { Secret } from '../common/secret.ts';

/** The Jira status names the plugin moves issues between (compared case-insensitively). */
export interface JiraStatuses {
  readonly pending: string;
  readonly approved: string;
  readonly denied: string;
  /** `undefined` when the workflow has no expiry status: expired requests are only commented. */
  readonly expired: string | undefined;
}

/** The validated `[jira]` part of `plugin.toml`. */
export interface JiraConfig {
  /** Site base URL without a trailing slash, e.g. `https://example.atlassian.net`. */
  readonly url: string;
  /** The bot account's email (basic auth user). */
  readonly username: string;
  readonly apiToken: Secret;
  readonly project: string;
  readonly issueType: string;
  /** The label every issue of this plugin carries; how the reconciler finds them with JQL. */
  readonly label: string;
  readonly statuses: JiraStatuses;
  /** When set, webhook deliveries must carry `X-Hub-Signature: sha256=<HMAC of the body>`. */
  readonly webhookSecret: Secret | undefined;
  /** How often changed issues are searched for and reconciled (lost webhooks). */
  readonly reconcileIntervalMs: number;
  /** How far back the first reconcile after a start looks. */
  readonly reconcileWindowMs: number;
  /** Jira accountId or email (lower case) -> Gatehouse user name; wins over email matching. */
  readonly userMapping: ReadonlyMap<string, string>;
}

export const DEFAULT_LABEL = 'gatehouse-access-request';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const statusName = z.string().trim().min(1, 'must not be empty').max(255);
const label = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\s"]+$/, 'a Jira label has no spaces or quotes');

/** The schema of `[jira]`, `[jira.statuses]` and `[jira.user_mapping]`. */
export function jiraSchema(h: SchemaHelpers) {
  return z
    .object({
      jira: z
        .object({
          url: z.url({ protocol: /^https?$/, error: 'expected an https URL' }).refine((u) => {
            const parsed = new URL(u);
            return parsed.protocol === 'https:' || LOOPBACK.has(parsed.hostname);
          }, 'must start with "https://" (plain http only for localhost)'),
          username: z.string().refine(isEmail, 'expected the email of the Jira account the plugin acts as'),
          api_token: h.secret(),
          project: z.string().trim().min(1, 'must not be empty').max(255),
          issue_type: z.string().trim().min(1).max(255).optional(),
          label: label.optional(),
          webhook_secret: h.secret().optional(),
          reconcile_interval: h.duration(100).optional(),
          reconcile_window: h.duration(60_000).optional(),
          statuses: z
            .object({ pending: statusName.optional(), approved: statusName.optional(), denied: statusName.optional(), expired: z.string().trim().max(255).optional() })
            .strict()
            .optional(),
          user_mapping: z.record(z.string().trim().min(1).max(255), z.string().trim().min(1).max(255)).optional(),
        })
        .strict(),
    })
    .strict()
    .superRefine((v, ctx) => {
      const s = v.jira.statuses ?? {};
      const names = [s.pending ?? 'Pending', s.approved ?? 'Approved', s.denied ?? 'Denied', s.expired ?? 'Expired'].filter((n) => n !== '').map((n) => n.toLowerCase());
      if (new Set(names).size !== names.length) ctx.addIssue({ code: 'custom', path: ['jira', 'statuses'], message: 'the status names must differ from each other' });
    })
    .transform((v): JiraConfig => {
      const s = v.jira.statuses ?? {};
      const expired = s.expired ?? 'Expired';
      return Object.freeze({
        url: v.jira.url.replace(/\/+$/, ''),
        username: v.jira.username,
        apiToken: v.jira.api_token,
        project: v.jira.project,
        issueType: v.jira.issue_type ?? 'Task',
        label: v.jira.label ?? DEFAULT_LABEL,
        statuses: Object.freeze({ pending: s.pending ?? 'Pending', approved: s.approved ?? 'Approved', denied: s.denied ?? 'Denied', expired: expired === '' ? undefined : expired }),
        webhookSecret: v.jira.webhook_secret,
        reconcileIntervalMs: v.jira.reconcile_interval ?? 5 * 60_000,
        reconcileWindowMs: v.jira.reconcile_window ?? 7 * 86_400_000,
        userMapping: new Map(Object.entries(v.jira.user_mapping ?? {}).map(([k, user]) => [isEmail(k) ? k.toLowerCase() : k, user])),
      });
    });
}
