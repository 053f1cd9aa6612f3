import { renderRoleYaml } from './render-role-yaml.ts';
import type { Role, RoleConditions, Rule } from './types.ts';

/*
 * Built-in roles. They always exist, cannot be removed or replaced, and are rendered as YAML
 * so `role get` shows them like any other role.
 *
 * - admin: every verb on every resource; may request and review any role.
 * - access-plugin: what every plugin needs and no more (least privilege, as Teleport's
 *   notification plugins): list, read and watch requests; manage plugin data; read users,
 *   because a notification plugin looks up the requester's (and a reviewer's) email trait to
 *   tell them the outcome, and Jira maps its accounts to users by listing them; list and read
 *   roles, because PagerDuty's check lists them to find the services their request
 *   annotations name (and a role list shows the whole definitions, so read adds nothing).
 *   NO review rights: a notify-only plugin (Slack, email) must not be able to approve.
 * - access-plugin-reviewer: review any request as the plugin itself (PagerDuty's on-call
 *   auto-approval), next to access-plugin. The request's thresholds still decide what a
 *   review does. To scope it, give the plugin's user a custom role with
 *   `allow.review_requests.roles: [...]` instead of this preset, or keep the preset and add a
 *   role with `deny.review_requests.roles: [...]` (deny wins).
 * - requester: nothing special; every user may create and read their own requests anyway.
 *   Give users request rights with `allow.request.roles` in your own roles.
 * - reviewer: list, read and watch requests; review any request.
 * - access-plugin-delegate: submit reviews on behalf of other users (verb review_on_behalf).
 *   Deliberately NOT part of access-plugin: a plugin that only notifies (Slack, email) must not
 *   be able to approve as anyone it names. Give it only to plugins that carry a person's
 *   decision (Jira transitions, GitLab labels), next to access-plugin. The server still judges
 *   such a review as the named person: their review rights, no self-review, one per person.
 */
const RO = ['list', 'read'];

function emptyConditions(): RoleConditions {
  return {
    logins: [],
    nodeLabels: {},
    rules: [],
    request: { roles: [], thresholds: [], annotations: {}, suggestedReviewers: [], maxDurationMs: 0 },
    reviewRequests: { roles: [], where: '' },
  };
}

function preset(
  name: string,
  description: string,
  allow: { rules?: Rule[]; requestRoles?: string[]; reviewRoles?: string[] },
): Role {
  const conditions = emptyConditions();
  conditions.rules = allow.rules ?? [];
  conditions.request.roles = allow.requestRoles ?? [];
  conditions.reviewRequests.roles = allow.reviewRoles ?? [];
  const role: Omit<Role, 'yaml' | 'preset'> = {
    name,
    allow: conditions,
    deny: emptyConditions(),
    options: { maxSessionTtlMs: 0, requestAccess: 'optional' },
  };
  return deepFreeze({ ...role, yaml: renderRoleYaml(role, description), preset: true });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * The built-in roles, frozen: admin, access-plugin, requester, reviewer, access-plugin-delegate,
 * access-plugin-reviewer.
 */
export const PRESET_ROLES: readonly Role[] = Object.freeze([
  preset('admin', 'Full control of Gatehouse: every verb on every resource', {
    rules: [{ resources: ['*'], verbs: ['*'] }],
    requestRoles: ['*'],
    reviewRoles: ['*'],
  }),
  preset('access-plugin', 'Access request plugins: watch requests, keep plugin data, read users and roles; no reviews', {
    rules: [
      { resources: ['access_request'], verbs: [...RO, 'watch'] },
      { resources: ['access_plugin_data'], verbs: ['list', 'read', 'create', 'update', 'delete'] },
      { resources: ['user'], verbs: RO },
      { resources: ['role'], verbs: RO },
    ],
  }),
  preset('requester', 'Create and read your own access requests (every user can)', {}),
  preset('reviewer', 'See and review access requests', {
    rules: [{ resources: ['access_request'], verbs: [...RO, 'watch'] }],
    reviewRoles: ['*'],
  }),
  preset('access-plugin-delegate', 'Submit reviews on behalf of the person who decided (Jira, GitLab plugins)', {
    rules: [{ resources: ['access_request'], verbs: ['review_on_behalf'] }],
  }),
  preset('access-plugin-reviewer', 'Review any request as the plugin itself (PagerDuty on-call approval); next to access-plugin', {
    reviewRoles: ['*'],
  }),
]);
