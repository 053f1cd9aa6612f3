import { z } from 'zod';
import { isEmail } from '../common/is-email.ts';
import type { SchemaHelpers } from '../common/load-plugin-config.ts';
import type { Secret } from '../common/secret.ts';

/** Guardrails and identity mapping of on-call auto-approval. */
export interface AutoApproveConfig {
  /** Whether to auto-approve at all. @default true */
  readonly enabled: boolean;
  /** Escalation levels that count as "on call"; undefined = every level. */
  readonly escalationLevels: readonly number[] | undefined;
  /** Only requests whose every role is listed may be auto-approved; undefined = any role. */
  readonly roles: readonly string[] | undefined;
  /** The requester must also have an acknowledged open incident on one of the services. @default false */
  readonly requireAcknowledgedIncident: boolean;
  /** The user trait that holds a person's PagerDuty email. @default "pagerduty_email" */
  readonly emailTrait: string;
  /** Gatehouse user -> PagerDuty email; wins over traits and the user name. */
  readonly userEmails: Readonly<Record<string, string>>;
}

/** The validated PagerDuty part of `plugin.toml`. */
export interface PagerDutyConfig {
  readonly apiKey: Secret;
  /** A PagerDuty user's email, sent as `From` on incident writes. */
  readonly userEmail: string;
  /** Base URL of the REST API, without a trailing slash (EU: https://api.eu.pagerduty.com). */
  readonly apiEndpoint: string;
  /** Names of the request annotations that carry service names. */
  readonly annotations: { readonly notifyService: string; readonly services: string };
  readonly autoApprove: AutoApproveConfig;
}

export const DEFAULT_PAGERDUTY_API_ENDPOINT = 'https://api.pagerduty.com';
export const DEFAULT_NOTIFY_SERVICE_ANNOTATION = 'pagerduty_notify_service';
export const DEFAULT_SERVICES_ANNOTATION = 'pagerduty_services';
export const DEFAULT_EMAIL_TRAIT = 'pagerduty_email';

const name = z.string().trim().min(1, 'must not be empty').max(256);
const email = z.string().trim().refine(isEmail, 'expected a bare email address (name@example.com)');

/** The schema of `[pagerduty]` (with `request_annotations` and `auto_approve` sub-tables). */
export function pagerDutySchema(h: SchemaHelpers) {
  return z
    .object({
      pagerduty: z
        .object({
          api_key: h.secret(),
          user_email: email,
          api_endpoint: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
          request_annotations: z.object({ notify_service: name.optional(), services: name.optional() }).strict().optional(),
          auto_approve: z
            .object({
              enabled: z.boolean().optional(),
              escalation_levels: z.array(z.number().int().min(1, 'levels start at 1').max(100)).min(1, 'list at least one level, or leave it out for all').optional(),
              roles: z.array(name).min(1, 'list at least one role, or leave it out for all').optional(),
              require_acknowledged_incident: z.boolean().optional(),
              email_trait: name.optional(),
              user_emails: z.record(name, email).optional(),
            })
            .strict()
            .optional(),
        })
        .strict(),
    })
    .strict()
    .transform((v): PagerDutyConfig => {
      const pd = v.pagerduty;
      const auto = pd.auto_approve ?? {};
      return Object.freeze({
        apiKey: pd.api_key,
        userEmail: pd.user_email,
        apiEndpoint: (pd.api_endpoint ?? DEFAULT_PAGERDUTY_API_ENDPOINT).replace(/\/+$/, ''),
        annotations: Object.freeze({
          notifyService: pd.request_annotations?.notify_service ?? DEFAULT_NOTIFY_SERVICE_ANNOTATION,
          services: pd.request_annotations?.services ?? DEFAULT_SERVICES_ANNOTATION,
        }),
        autoApprove: Object.freeze({
          enabled: auto.enabled ?? true,
          escalationLevels: auto.escalation_levels === undefined ? undefined : Object.freeze([...new Set(auto.escalation_levels)].sort((a, b) => a - b)),
          roles: auto.roles === undefined ? undefined : Object.freeze([...auto.roles]),
          requireAcknowledgedIncident: auto.require_acknowledged_incident ?? false,
          emailTrait: auto.email_trait ?? DEFAULT_EMAIL_TRAIT,
          userEmails: Object.freeze({ ...auto.user_emails }),
        }),
      });
    });
}
