import type { AccessServiceHandlers } from '../../proto/gen/gatehouse/v1/AccessService.ts';
import type { EnrollServiceHandlers } from '../../proto/gen/gatehouse/v1/EnrollService.ts';
import { AppError } from '../domain/app-error.ts';
import { parseInviteToken } from '../auth/invite-token.ts';
import type { ApiDeps } from './api-deps.ts';
import type { Caller } from './authenticate.ts';
import { requireAllowed } from './authorize.ts';
import { anonymousUnary, unary, type RpcRuntime } from './rpc.ts';
import { optionalName, requireList, requireMillis, requireNonEmpty, requireRequestId } from './validate-field.ts';

type Handlers = Pick<AccessServiceHandlers, 'GenerateUserCerts'>;

const MAX_CSR_BYTES = 16 * 1024;
const DEFAULT_USER_CERT_TTL_MS = 12 * 3600_000;

/**
 * Certificates: a user renews their own identity or assumes approved requests; an admin signs
 * an identity for someone else (`gatehouse auth sign`). Only a CSR travels; keys never leave
 * the client.
 */
export function createCertHandlers(deps: ApiDeps, rt: RpcRuntime): Handlers {
  async function generate(req: Parameters<Handlers['GenerateUserCerts']>[0]['request'], caller: Caller) {
    const csrPem = requireNonEmpty('csr_pem', req.csrPem, MAX_CSR_BYTES);
    const userName = optionalName('user', req.user) || caller.name;
    const requestIds = [...new Set(requireList('access_request_ids', req.accessRequestIds, 16, requireRequestId))].sort();
    const forSelf = userName === caller.name;
    if (!forSelf) requireAllowed(caller, 'certificate', 'create');
    const maxTtl = forSelf ? deps.limits.maxUserCertTtlMs : deps.limits.maxSignedCertTtlMs;
    const ttlMs = requireMillis('ttl_ms', req.ttlMs) || DEFAULT_USER_CERT_TTL_MS;
    if (ttlMs > maxTtl) throw new AppError('invalid_argument', `ttl_ms: ${ttlMs} exceeds the maximum ${maxTtl} ms`);
    const publicKey = await deps.parseCsr(csrPem);
    const user = await deps.store.getUser(userName);
    if (!user) throw new AppError('not_found', `user "${userName}" not found`);
    // The caller was authenticated as this user a moment ago; if the name was deleted and
    // created again since, a renewal would hand the old holder a certificate of the new user.
    if (forSelf && user.incarnation !== caller.user.incarnation) {
      throw new AppError('unauthenticated', `user "${userName}" was deleted and created again; this certificate belongs to the earlier user`);
    }

    const now = deps.now();
    let expiresAt = now + ttlMs;
    // A user cannot extend their own session: a self-issued certificate never outlives the
    // certificate that asked for it.
    if (forSelf) expiresAt = Math.min(expiresAt, caller.certExpiresMs);
    const roles = new Set(user.roles);
    for (const id of requestIds) {
      const request = await deps.store.getRequest(id);
      if (!request || request.user !== userName) throw new AppError('not_found', `access request ${id} of user "${userName}" not found`);
      if (request.state === 'PENDING') throw new AppError('failed_precondition', `access request ${id} is awaiting approval`);
      if (request.state !== 'APPROVED') throw new AppError('failed_precondition', `access request ${id} is ${request.state}`);
      if (request.accessExpiresMs <= now) throw new AppError('failed_precondition', `access request ${id} has expired`);
      for (const r of request.roles) roles.add(r);
      expiresAt = Math.min(expiresAt, request.accessExpiresMs);
    }
    const roleList = [...roles].sort();
    const issued = await deps.issueClientCert({
      publicKey,
      user: userName,
      incarnation: user.incarnation,
      roles: roleList,
      accessRequestIds: requestIds,
      ttlMs: expiresAt - now,
    });
    await deps.store.appendAudit({
      type: 'cert.create',
      actor: caller.name,
      requestId: requestIds[0] ?? '',
      details: { user: userName, roles: roleList, access_request_ids: requestIds, expires_ms: issued.expiresMs },
    });
    return { certPem: issued.certPem, caPems: deps.caPems, expiresMs: issued.expiresMs, roles: roleList };
  }

  return { GenerateUserCerts: unary(rt, 'GenerateUserCerts', generate) };
}

/** The enrollment listener: discover the CA (pinned by the invite token) and redeem an invite. */
export function createEnrollHandlers(deps: ApiDeps, rt: RpcRuntime): EnrollServiceHandlers {
  return {
    GetClusterCA: anonymousUnary(rt, 'GetClusterCA', async () => ({ caPems: deps.caPems, clusterName: deps.clusterName })),
    RedeemInvite: anonymousUnary(rt, 'RedeemInvite', async (req) => {
      const token = requireNonEmpty('token', req.token, 512);
      const csrPem = requireNonEmpty('csr_pem', req.csrPem, MAX_CSR_BYTES);
      const parsed = parseInviteToken(token);
      const publicKey = await deps.parseCsr(csrPem);
      const now = deps.now();
      const invite = await deps.store.consumeInvite(parsed.tokenHash, now);
      if (!invite) throw new AppError('permission_denied', 'invite token is unknown, already used or expired; ask an admin for a new one');
      const user = await deps.store.getUser(invite.user);
      if (!user) throw new AppError('not_found', `user "${invite.user}" of this invite no longer exists`);
      if (user.incarnation !== invite.incarnation) {
        throw new AppError('permission_denied', `this invite was made for an earlier user "${invite.user}", deleted since; ask an admin for a new one`);
      }
      const issued = await deps.issueClientCert({
        publicKey,
        user: user.name,
        incarnation: user.incarnation,
        roles: user.roles,
        accessRequestIds: [],
        ttlMs: deps.limits.loginCertTtlMs,
      });
      await deps.store.appendAudit({
        type: 'user.login',
        actor: user.name,
        requestId: '',
        details: { user: user.name, roles: user.roles, invited_by: invite.createdBy, expires_ms: issued.expiresMs },
      });
      return { certPem: issued.certPem, caPems: deps.caPems, expiresMs: issued.expiresMs, roles: user.roles };
    }),
  };
}
