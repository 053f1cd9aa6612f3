import { z } from 'zod';
import { compileNamePattern } from './compile-name-pattern.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { parsePredicate } from './predicate.ts';
import { REQUEST_LIMITS } from './request-limits.ts';

/**
 * The raw, snake_case shape of a Teleport role document, validated strictly: unknown fields
 * are errors, and so are Teleport fields Gatehouse does not implement (with a message saying
 * so, rather than silently granting or ignoring something). `role-yaml.ts` turns a
 * {@link RawRole} into the domain `Role`.
 */

/** Longest `max_duration` a role may set (Teleport's `MaxAccessDuration`, 14 days). */
export const MAX_ACCESS_DURATION_MS = REQUEST_LIMITS.maxAccessDurationMs;

/** Role versions accepted; none changes request or review handling. */
export const ROLE_VERSIONS = ['v3', 'v4', 'v5', 'v6', 'v7'] as const;

const ROLE_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const ANNOTATION_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/;
const LABEL_KEY = /^(\*|[A-Za-z0-9][A-Za-z0-9._/-]{0,252})$/;
const RULE_WORD = /^(\*|[a-z][a-z0-9_]{0,63})$/;

const LIST_MAX = 256;

/** A field Teleport knows but Gatehouse does not implement: present at all is an error. */
const unsupported = (field: string, hint = '') =>
  z.never({ error: `${field} is not supported by Gatehouse${hint === '' ? '' : `; ${hint}`}` }).optional();

const text = (max: number) => z.string().max(max, { message: `longer than ${max} characters` });
const list = <T extends z.ZodType>(item: T) =>
  z.array(item).max(LIST_MAX, { message: `more than ${LIST_MAX} entries` });

/** A name pattern: literal, `*`-glob or `^…$` regular expression (checked here). */
const namePattern = z
  .string()
  .min(1, { message: 'must not be empty' })
  .max(256, { message: 'longer than 256 characters' })
  .superRefine((value, ctx) => {
    try {
      compileNamePattern(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
    }
  });

const duration = z.string({ error: 'expected a duration string such as "8h"' }).superRefine((value, ctx) => {
  try {
    parseDuration(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
  }
});

const predicate = (scope: 'filter' | 'where') =>
  z.string().superRefine((value, ctx) => {
    try {
      parsePredicate(value, { scope });
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
    }
  });

const annotations = z.record(
  z.string().regex(ANNOTATION_KEY, { message: 'invalid annotation key' }),
  list(text(1024)),
);

const nodeLabels = z.record(
  z.string().regex(LABEL_KEY, { message: 'invalid label key' }),
  z.union([namePattern, list(namePattern)], { error: 'expected a string or a list of strings' }),
);

const count = z
  .number()
  .int()
  .min(0, { message: 'must be 0 or more' })
  .max(1000, { message: 'must be at most 1000' });

const threshold = z.strictObject({
  name: text(256).optional(),
  filter: predicate('filter').optional(),
  approve: count.optional(),
  deny: count.optional(),
});

const allowRequest = z.strictObject({
  roles: list(namePattern).optional(),
  thresholds: z.array(threshold).max(64, { message: 'more than 64 thresholds' }).optional(),
  annotations: annotations.optional(),
  suggested_reviewers: z
    .array(z.string().min(1, { message: 'must not be empty' }).max(256, { message: 'longer than 256 characters' }))
    .max(64, { message: 'more than 64 suggested reviewers' })
    .optional(),
  max_duration: duration
    .refine((v) => safeDuration(v) <= MAX_ACCESS_DURATION_MS, {
      message: `max access duration must be less than or equal to ${formatDuration(MAX_ACCESS_DURATION_MS)}`,
    })
    .optional(),
  claims_to_roles: unsupported('claims_to_roles', 'list the roles in "roles" instead'),
  search_as_roles: unsupported('search_as_roles', 'request roles instead of resources'),
  kubernetes_resources: unsupported('kubernetes_resources'),
  reason: unsupported('request.reason', 'use options.request_access: reason'),
});

const denyRequest = z.strictObject({
  roles: list(namePattern).optional(),
  annotations: annotations.optional(),
  thresholds: z
    .never({ error: 'deny.request cannot contain thresholds, set denial counts in allow.request.thresholds instead' })
    .optional(),
  claims_to_roles: unsupported('claims_to_roles'),
  search_as_roles: unsupported('search_as_roles', 'request roles instead of resources'),
  kubernetes_resources: unsupported('kubernetes_resources'),
});

const reviewRequests = z.strictObject({
  roles: list(namePattern).optional(),
  where: predicate('where').optional(),
  claims_to_roles: unsupported('claims_to_roles', 'list the roles in "roles" instead'),
  preview_as_roles: unsupported('preview_as_roles'),
  submit_for_users: unsupported('submit_for_users'),
});

const ruleWord = z.string().regex(RULE_WORD, { message: 'expected a lowercase name or "*"' });
const ruleLists = {
  resources: z.array(ruleWord).min(1, { message: 'must not be empty' }).max(64),
  verbs: z.array(ruleWord).min(1, { message: 'must not be empty' }).max(64),
  actions: unsupported('rule actions'),
};
// An allow rule with an ignored `where` would grant more than its author meant, so refuse it.
// A deny rule's `where` is accepted and the rule applies unconditionally: it denies at least
// what was meant (fail closed).
const allowRule = z.strictObject({
  ...ruleLists,
  where: unsupported('where on an allow rule', 'ignoring it would grant more than intended'),
});
const denyRule = z.strictObject({ ...ruleLists, where: z.string().max(4096).optional() });

const conditionCommon = {
  logins: list(text(256)).optional(),
  node_labels: nodeLabels.optional(),
  review_requests: reviewRequests.optional(),
};
const allowConditions = z.strictObject({
  ...conditionCommon,
  rules: list(allowRule).optional(),
  request: allowRequest.optional(),
});
const denyConditions = z.strictObject({
  ...conditionCommon,
  rules: list(denyRule).optional(),
  request: denyRequest.optional(),
});

const options = z.strictObject({
  max_session_ttl: duration.optional(),
  request_access: z.enum(['optional', 'reason', 'always']).optional(),
});

/** Strict schema of one role document. */
export const rawRoleSchema = z.strictObject({
  kind: z.literal('role'),
  version: z.enum(ROLE_VERSIONS),
  metadata: z.strictObject({
    name: z.string().regex(ROLE_NAME, {
      message: 'invalid role name (use 1-63 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit)',
    }),
    description: text(1024).optional(),
    labels: z.record(z.string().regex(LABEL_KEY, { message: 'invalid label key' }), text(256)).optional(),
  }),
  spec: z
    .strictObject({
      allow: allowConditions.optional(),
      deny: denyConditions.optional(),
      options: options.optional(),
    })
    .optional(),
});

/** A validated role document in its file shape. */
export type RawRole = z.infer<typeof rawRoleSchema>;
/** An `allow` block in its file shape. */
export type RawAllow = z.infer<typeof allowConditions>;
/** A `deny` block in its file shape. */
export type RawDeny = z.infer<typeof denyConditions>;

function safeDuration(value: string): number {
  try {
    return parseDuration(value);
  } catch {
    return 0; // reported by the duration check itself
  }
}
