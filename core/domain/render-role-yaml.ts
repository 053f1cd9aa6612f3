import { stringify } from 'yaml';
import { formatDuration } from './duration.ts';
import type { Role, RoleConditions } from './types.ts';

/**
 * Renders a domain role as a Teleport-style role document (`kind: role`, `version: v7`) that
 * {@link parseRoles} reads back to the same role. Empty fields are left out.
 */
export function renderRoleYaml(role: Omit<Role, 'yaml' | 'preset'>, description?: string): string {
  const spec: Record<string, unknown> = {};
  const allow = renderConditions(role.allow, true);
  const deny = renderConditions(role.deny, false);
  if (allow !== undefined) spec.allow = allow;
  if (deny !== undefined) spec.deny = deny;
  const options: Record<string, unknown> = {};
  if (role.options.maxSessionTtlMs > 0) options.max_session_ttl = formatDuration(role.options.maxSessionTtlMs);
  if (role.options.requestAccess !== 'optional') options.request_access = role.options.requestAccess;
  if (Object.keys(options).length > 0) spec.options = options;
  const metadata: Record<string, unknown> = { name: role.name };
  if (description !== undefined) metadata.description = description;
  return stringify({ kind: 'role', version: 'v7', metadata, spec }, { lineWidth: 0, aliasDuplicateObjects: false });
}

function renderConditions(c: RoleConditions, allow: boolean): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  if (c.logins.length > 0) out.logins = c.logins;
  if (Object.keys(c.nodeLabels).length > 0) out.node_labels = c.nodeLabels;
  if (c.rules.length > 0) out.rules = c.rules.map((r) => ({ resources: r.resources, verbs: r.verbs }));
  const request: Record<string, unknown> = {};
  if (c.request.roles.length > 0) request.roles = c.request.roles;
  if (allow && c.request.thresholds.length > 0) request.thresholds = c.request.thresholds;
  if (Object.keys(c.request.annotations).length > 0) request.annotations = c.request.annotations;
  if (allow && c.request.suggestedReviewers.length > 0) request.suggested_reviewers = c.request.suggestedReviewers;
  if (allow && c.request.maxDurationMs > 0) request.max_duration = formatDuration(c.request.maxDurationMs);
  if (Object.keys(request).length > 0) out.request = request;
  const review: Record<string, unknown> = {};
  if (c.reviewRequests.roles.length > 0) review.roles = c.reviewRequests.roles;
  if (c.reviewRequests.where !== '') review.where = c.reviewRequests.where;
  if (Object.keys(review).length > 0) out.review_requests = review;
  return Object.keys(out).length > 0 ? out : undefined;
}
