import type { AccessServiceHandlers } from '../../proto/gen/gatehouse/v1/AccessService.ts';
import { AppError } from '../domain/app-error.ts';
import { parseRoles } from '../domain/role-yaml.ts';
import { quoteShort } from '../domain/quote-short.ts';
import type { UserDraft } from '../domain/types.ts';
import { createInviteToken } from '../auth/invite-token.ts';
import type { ApiDeps } from './api-deps.ts';
import type { Caller } from './authenticate.ts';
import { isAllowed, requireAllowed } from './authorize.ts';
import { toProtoRole, toProtoUser } from './convert.ts';
import { unary, type RpcRuntime } from './rpc.ts';
import { requireList, requireMillis, requireName, requireNonEmpty, requireString } from './validate-field.ts';

type Handlers = Pick<
  AccessServiceHandlers,
  'UpsertUser' | 'GetUser' | 'ListUsers' | 'DeleteUser' | 'ApplyRoles' | 'GetRole' | 'ListRoles' | 'DeleteRole'
>;

const MAX_ROLES_YAML_BYTES = 1024 * 1024;

function parseTraits(value: unknown): Record<string, string[]> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new AppError('invalid_argument', 'user.traits: must be a map');
  const out: Record<string, string[]> = {};
  const entries = Object.entries(value);
  if (entries.length > 64) throw new AppError('invalid_argument', 'user.traits: more than 64 traits');
  for (const [key, list] of entries) {
    requireName('user.traits key', key);
    const values = typeof list === 'object' && list !== null && 'values' in list ? list.values : undefined;
    out[key] = requireList(`user.traits[${quoteShort(key)}]`, values, 64, (f, v) => requireString(f, v, 1024));
  }
  return out;
}

/** Users, invites and roles. */
export function createUserRoleHandlers(deps: ApiDeps, rt: RpcRuntime): Handlers {
  const { store } = deps;

  function requireKnownRoles(field: string, names: string[]): void {
    for (const name of names) {
      if (!deps.getRole(name)) throw new AppError('invalid_argument', `${field}: unknown role "${name}" (apply it first with \`gatehouse roles apply\`)`);
    }
  }

  async function upsertUser(req: Parameters<Handlers['UpsertUser']>[0]['request'], caller: Caller) {
    if (!req.user) throw new AppError('invalid_argument', 'user: is required');
    const name = requireName('user.name', req.user.name);
    const roles = requireList('user.roles', req.user.roles, 64, requireName);
    requireKnownRoles('user.roles', roles);
    const traits = parseTraits(req.user.traits);
    const inviteTtlMs = requireMillis('invite_ttl_ms', req.inviteTtlMs);
    if (inviteTtlMs > deps.limits.maxInviteTtlMs) {
      throw new AppError('invalid_argument', `invite_ttl_ms: at most ${deps.limits.maxInviteTtlMs} ms`);
    }
    const existing = await store.getUser(name);
    requireAllowed(caller, 'user', existing ? 'update' : 'create');
    if (existing && req.createOnly) throw new AppError('already_exists', `user "${name}" already exists`);
    const now = deps.now();
    const user: UserDraft = { name, roles: [...new Set(roles)].sort(), traits, createdMs: existing?.createdMs ?? now };
    const committed = await store.putUser(
      user,
      { type: existing ? 'user.update' : 'user.create', actor: caller.name, requestId: '', details: { user: name, roles: user.roles } },
      { createOnly: !existing },
    );
    if (inviteTtlMs === 0) return { user: toProtoUser(committed.value), inviteToken: '', inviteExpiresMs: 0 };
    const invite = createInviteToken(deps.caFingerprint);
    const expiresMs = now + inviteTtlMs;
    // Bound to this user's incarnation: after a delete and re-create the invite is void.
    await store.createInvite({ tokenHash: invite.tokenHash, user: name, incarnation: committed.value.incarnation, expiresMs, createdBy: caller.name });
    return { user: toProtoUser(committed.value), inviteToken: invite.token, inviteExpiresMs: expiresMs };
  }

  async function getUser(req: Parameters<Handlers['GetUser']>[0]['request'], caller: Caller) {
    const name = requireName('name', req.name);
    if (name !== caller.name) requireAllowed(caller, 'user', 'read');
    const user = await store.getUser(name);
    if (!user) throw new AppError('not_found', `user "${name}" not found`);
    return toProtoUser(user);
  }

  async function listUsers(_req: unknown, caller: Caller) {
    requireAllowed(caller, 'user', 'list');
    return { users: (await store.listUsers()).map(toProtoUser) };
  }

  async function deleteUser(req: Parameters<Handlers['DeleteUser']>[0]['request'], caller: Caller) {
    const name = requireName('name', req.name);
    requireAllowed(caller, 'user', 'delete');
    if (name === caller.name) throw new AppError('failed_precondition', 'you cannot delete yourself');
    await store.deleteUser(name, { type: 'user.delete', actor: caller.name, requestId: '', details: { user: name } });
    return {};
  }

  async function applyRoles(req: Parameters<Handlers['ApplyRoles']>[0]['request'], caller: Caller) {
    const yaml = requireNonEmpty('yaml', req.yaml, MAX_ROLES_YAML_BYTES);
    const source = requireString('source', req.source ?? '', 256) || 'roles.yaml';
    const roles = parseRoles(yaml, source);
    if (roles.length === 0) throw new AppError('invalid_argument', `${source}: no role documents found`);
    for (const role of roles) {
      if (deps.getRole(role.name)?.preset) throw new AppError('failed_precondition', `${source}: role "${role.name}" is a built-in preset and cannot be replaced; use another name`);
    }
    requireAllowed(caller, 'role', 'create');
    requireAllowed(caller, 'role', 'update');
    const committed = await store.putRoles(roles, {
      type: 'role.apply',
      actor: caller.name,
      requestId: '',
      details: { roles: roles.map((r) => r.name), source },
    });
    await deps.rolesChanged();
    return { roles: committed.value.map(toProtoRole) };
  }

  async function getRole(req: Parameters<Handlers['GetRole']>[0]['request'], caller: Caller) {
    const name = requireName('name', req.name);
    if (!caller.roleNames.includes(name)) requireAllowed(caller, 'role', 'read');
    const role = deps.getRole(name);
    if (!role) throw new AppError('not_found', `role "${name}" not found`);
    return toProtoRole(role);
  }

  async function listRoles(_req: unknown, caller: Caller) {
    if (!isAllowed(caller, 'role', 'list')) return { roles: caller.roles.map(toProtoRole) };
    return { roles: deps.allRoles().map(toProtoRole) };
  }

  async function deleteRole(req: Parameters<Handlers['DeleteRole']>[0]['request'], caller: Caller) {
    const name = requireName('name', req.name);
    requireAllowed(caller, 'role', 'delete');
    if (deps.getRole(name)?.preset) throw new AppError('failed_precondition', `role "${name}" is a built-in preset and cannot be removed`);
    const holders = (await store.listUsers()).filter((u) => u.roles.includes(name)).map((u) => u.name);
    if (holders.length > 0) {
      throw new AppError('failed_precondition', `role "${name}" is still assigned to ${holders.slice(0, 10).join(', ')}${holders.length > 10 ? ', …' : ''}`);
    }
    await store.deleteRole(name, { type: 'role.delete', actor: caller.name, requestId: '', details: { role: name } });
    await deps.rolesChanged();
    return {};
  }

  return {
    UpsertUser: unary(rt, 'UpsertUser', upsertUser),
    GetUser: unary(rt, 'GetUser', getUser),
    ListUsers: unary(rt, 'ListUsers', listUsers),
    DeleteUser: unary(rt, 'DeleteUser', deleteUser),
    ApplyRoles: unary(rt, 'ApplyRoles', applyRoles),
    GetRole: unary(rt, 'GetRole', getRole),
    ListRoles: unary(rt, 'ListRoles', listRoles),
    DeleteRole: unary(rt, 'DeleteRole', deleteRole),
  };
}
