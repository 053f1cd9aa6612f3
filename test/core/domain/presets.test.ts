import { describe, expect, it } from 'vitest';
import { createAccessChecker } from '../../../core/domain/access-checker.ts';
import { PRESET_ROLES } from '../../../core/domain/presets.ts';
import { parseRoles } from '../../../core/domain/role-yaml.ts';
import type { Role } from '../../../core/domain/types.ts';

const preset = (name: string): Role => {
  const r = PRESET_ROLES.find((x) => x.name === name);
  if (r === undefined) throw new Error(name);
  return r;
};

describe('preset roles', () => {
  it('are admin, access-plugin, requester, reviewer, access-plugin-delegate and access-plugin-reviewer, marked preset and frozen', () => {
    expect(PRESET_ROLES.map((r) => r.name)).toEqual(['admin', 'access-plugin', 'requester', 'reviewer', 'access-plugin-delegate', 'access-plugin-reviewer']);
    for (const role of PRESET_ROLES) {
      expect(role.preset).toBe(true);
      expect(Object.isFrozen(role)).toBe(true);
      expect(Object.isFrozen(role.allow.rules)).toBe(true);
    }
  });

  it('render YAML that parses back to the same role', () => {
    for (const role of PRESET_ROLES) {
      const [back] = parseRoles(role.yaml, `${role.name}.yaml`);
      expect({ ...back, yaml: '', preset: true }).toEqual({ ...role, yaml: '' });
      expect(role.yaml).not.toContain('&'); // no YAML anchors in what users read
    }
  });

  it('admin may do everything, request and review anything', () => {
    const c = createAccessChecker({ name: 'root' }, [preset('admin')]);
    expect(c.allows('access_request', 'update')).toBe(true);
    expect(c.allows('anything', 'whatever')).toBe(true);
    expect(c.canRequestRole('prodaccess')).toBe(true);
    expect(c.mayReviewRequests()).toBe(true);
  });

  it('access-plugin reads and watches requests, manages plugin data, reads users and roles, and reviews nothing', () => {
    const c = createAccessChecker({ name: 'slack' }, [preset('access-plugin')]);
    for (const verb of ['list', 'read', 'watch']) expect(c.allows('access_request', verb)).toBe(true);
    for (const verb of ['create', 'update', 'delete']) expect(c.allows('access_request', verb)).toBe(false);
    for (const verb of ['list', 'read', 'create', 'update', 'delete']) expect(c.allows('access_plugin_data', verb)).toBe(true);
    expect(c.allows('user', 'read')).toBe(true);
    expect(c.allows('user', 'create')).toBe(false);
    expect(c.allows('role', 'list')).toBe(true);
    expect(c.allows('role', 'update')).toBe(false);
    expect(c.canRequestRole('admin')).toBe(false);
    expect(c.mayReviewRequests()).toBe(false);
    expect(c.allows('access_request', 'review_on_behalf')).toBe(false);
  });

  it('access-plugin-reviewer reviews any request as itself and has no other rule', () => {
    const role = preset('access-plugin-reviewer');
    expect(role.allow.rules).toEqual([]);
    expect(role.allow.reviewRequests.roles).toEqual(['*']);
    const c = createAccessChecker({ name: 'pagerduty' }, [role]);
    expect(c.mayReviewRequests()).toBe(true);
    expect(c.allows('access_request', 'review_on_behalf')).toBe(false);
    expect(c.allows('access_plugin_data', 'update')).toBe(false);
  });

  it('among the presets only admin, reviewer and access-plugin-reviewer may review', () => {
    const may = PRESET_ROLES.filter((r) => createAccessChecker({ name: 'x' }, [r]).mayReviewRequests()).map((r) => r.name);
    expect(may).toEqual(['admin', 'reviewer', 'access-plugin-reviewer']);
  });

  it('requester has no special rules; reviewer lists, reads, watches and reviews', () => {
    const requester = createAccessChecker({ name: 'u' }, [preset('requester')]);
    expect(requester.allows('access_request', 'list')).toBe(false);
    expect(requester.mayReviewRequests()).toBe(false);
    const reviewer = createAccessChecker({ name: 'r' }, [preset('reviewer')]);
    expect(reviewer.allows('access_request', 'list')).toBe(true);
    expect(reviewer.allows('access_plugin_data', 'read')).toBe(false);
    expect(reviewer.mayReviewRequests()).toBe(true);
  });
});

describe('access-plugin-delegate', () => {
  it('is the only preset besides admin that may review on behalf of others', () => {
    const may = PRESET_ROLES.filter((r) => r.allow.rules.some((rule) => rule.verbs.includes('review_on_behalf') || rule.verbs.includes('*'))).map((r) => r.name);
    expect(may).toEqual(['admin', 'access-plugin-delegate']);
  });
});
