import { z } from 'zod';
import type { SchemaHelpers } from '../common/load-plugin-config.ts';
import type { Secret } from '../common/secret.ts';

/** The validated Slack part of `plugin.toml`. */
export interface SlackConfig {
  readonly token: Secret;
  /** Base URL of the Slack Web API, ending in `/`. */
  readonly apiUrl: string;
  /** Recipients for a role with no `[role_to_recipients]` entry and no `"*"`. */
  readonly recipients: readonly string[];
  /** role -> recipients; `"*"` is the default. */
  readonly roleToRecipients: Readonly<Record<string, readonly string[]>>;
  /** Whether the requester gets a DM when the request is resolved. */
  readonly notifyRequester: boolean;
}

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

const recipient = z.string().trim().min(1, 'recipient must not be empty').max(256);
const recipientList = z.union([recipient.transform((r) => [r]), z.array(recipient)]);

/** The schema of `[slack]` and `[role_to_recipients]`. */
export function slackSchema(h: SchemaHelpers) {
  return z
    .object({
      slack: z
        .object({
          token: h.secret(),
          recipients: z.array(recipient).optional(),
          api_url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
          notify_requester: z.boolean().optional(),
        })
        .strict(),
      role_to_recipients: z.record(z.string().min(1), recipientList).optional(),
    })
    .strict()
    .superRefine((v, ctx) => {
      const defaults = v.role_to_recipients?.['*'] ?? v.slack.recipients ?? [];
      const any = defaults.length > 0 || Object.values(v.role_to_recipients ?? {}).some((list) => list.length > 0);
      if (!any) {
        ctx.addIssue({ code: 'custom', path: ['slack', 'recipients'], message: 'no recipients: set slack.recipients or role_to_recipients["*"]' });
      }
    })
    .transform(
      (v): SlackConfig =>
        Object.freeze({
          token: v.slack.token,
          apiUrl: (v.slack.api_url ?? DEFAULT_SLACK_API_URL).replace(/\/*$/, '/'),
          recipients: Object.freeze([...(v.slack.recipients ?? [])]),
          roleToRecipients: Object.freeze(Object.fromEntries(Object.entries(v.role_to_recipients ?? {}).map(([role, list]) => [role, Object.freeze([...list])]))),
          notifyRequester: v.slack.notify_requester ?? true,
        }),
    );
}

/**
 * The raw recipients of a request: for each role its `[role_to_recipients]` entry, else `"*"`,
 * else `slack.recipients`; plus the suggested reviewers that are emails. Deduplicated, in order.
 */
export function recipientsFor(config: SlackConfig, roles: readonly string[], suggestedEmails: readonly string[]): string[] {
  const out = new Set<string>();
  for (const role of roles.length > 0 ? roles : ['*']) {
    const own = config.roleToRecipients[role];
    const list = own !== undefined && own.length > 0 ? own : (config.roleToRecipients['*'] ?? config.recipients);
    for (const r of list) out.add(r);
  }
  for (const email of suggestedEmails) out.add(email);
  return [...out];
}
