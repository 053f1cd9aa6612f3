import { z } from 'zod';
import { REQUEST_STATES } from '../domain/types.ts';
import type { AccessRequest, Role, User, UserDraft } from '../domain/types.ts';

/**
 * Schemas for the JSON documents the store keeps in its `json` columns. Rows are read back
 * through these, never cast: a row written by an older or buggy version fails loudly as
 * `internal` instead of flowing on as a half-shaped object. Unknown keys are stripped.
 */

const stringList = z.array(z.string());
const stringListMap = z.record(z.string(), stringList);
const int = z.number().int();

const thresholdSchema = z.object({
  name: z.string(),
  filter: z.string(),
  approve: int,
  deny: int,
});

const reviewSchema = z.object({
  author: z.string(),
  submittedBy: z.string(),
  proposedState: z.enum(['APPROVED', 'DENIED']),
  reason: z.string(),
  createdMs: int,
  thresholdIndexes: z.array(int),
});

export const accessRequestSchema: z.ZodType<AccessRequest> = z.object({
  id: z.string(),
  user: z.string(),
  roles: stringList,
  state: z.enum(REQUEST_STATES),
  reason: z.string(),
  resolveReason: z.string(),
  resolvedBy: z.string(),
  createdMs: int,
  pendingExpiresMs: int,
  accessExpiresMs: int,
  thresholds: z.array(thresholdSchema),
  roleThresholdMapping: z.record(z.string(), z.array(z.array(int))),
  reviews: z.array(reviewSchema),
  suggestedReviewers: stringList,
  annotations: stringListMap,
  revision: int,
  updatedMs: int,
});

const roleConditionsSchema = z.object({
  logins: stringList,
  nodeLabels: stringListMap,
  rules: z.array(z.object({ resources: stringList, verbs: stringList })),
  request: z.object({
    roles: stringList,
    thresholds: z.array(thresholdSchema),
    annotations: stringListMap,
    suggestedReviewers: stringList,
    maxDurationMs: int,
  }),
  reviewRequests: z.object({ roles: stringList, where: z.string() }),
});

export const roleSchema: z.ZodType<Role> = z.object({
  name: z.string(),
  allow: roleConditionsSchema,
  deny: roleConditionsSchema,
  options: z.object({
    maxSessionTtlMs: int,
    requestAccess: z.enum(['optional', 'reason', 'always']),
  }),
  yaml: z.string(),
  preset: z.boolean(),
});

const userFields = {
  name: z.string(),
  roles: stringList,
  traits: stringListMap,
  createdMs: int,
};

/** `users.json`: the user without its incarnation, which has a column of its own. */
export const userDocumentSchema: z.ZodType<UserDraft> = z.object(userFields);

/**
 * A user in an event (`events.json`). Events written before schema version 2 have no
 * incarnation: they read as `""`, what the migration gives the users of that time. Nothing
 * authenticates from events; they only tell watchers and caches that a user changed.
 */
export const userSchema: z.ZodType<User> = z.object({ ...userFields, incarnation: z.string().default('') });

/** One plugin's entry: key -> value. */
export const pluginEntrySchema: z.ZodType<Record<string, string>> = z.record(z.string(), z.string());

export const auditDetailsSchema: z.ZodType<Record<string, unknown>> = z.record(z.string(), z.unknown());
