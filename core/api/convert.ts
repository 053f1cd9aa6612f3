import type { AccessRequest as ProtoAccessRequest } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import type { AuditEvent as ProtoAuditEvent } from '../../proto/gen/gatehouse/v1/AuditEvent.ts';
import type { Event as ProtoEvent } from '../../proto/gen/gatehouse/v1/Event.ts';
import type { Role as ProtoRole } from '../../proto/gen/gatehouse/v1/Role.ts';
import type { StringList } from '../../proto/gen/gatehouse/v1/StringList.ts';
import type { User as ProtoUser } from '../../proto/gen/gatehouse/v1/User.ts';
import type { AccessRequest, AuditEvent, Role, StoredEvent, User } from '../domain/types.ts';

/** Domain -> wire translations. No logic beyond shape. */

function toStringLists(map: Record<string, string[]>): Record<string, StringList> {
  const out: Record<string, StringList> = {};
  for (const [key, values] of Object.entries(map)) out[key] = { values };
  return out;
}

export function toProtoRequest(r: AccessRequest): ProtoAccessRequest {
  return {
    id: r.id,
    user: r.user,
    roles: r.roles,
    state: r.state,
    reason: r.reason,
    resolveReason: r.resolveReason,
    resolvedBy: r.resolvedBy,
    createdMs: r.createdMs,
    pendingExpiresMs: r.pendingExpiresMs,
    accessExpiresMs: r.accessExpiresMs,
    thresholds: r.thresholds,
    reviews: r.reviews.map((v) => ({
      author: v.author,
      proposedState: v.proposedState,
      reason: v.reason,
      createdMs: v.createdMs,
      submittedBy: v.submittedBy,
    })),
    suggestedReviewers: r.suggestedReviewers,
    annotations: toStringLists(r.annotations),
    revision: r.revision,
    updatedMs: r.updatedMs,
  };
}

export function toProtoRole(role: Role): ProtoRole {
  return { name: role.name, yaml: role.yaml, preset: role.preset };
}

export function toProtoUser(user: User): ProtoUser {
  return { name: user.name, roles: user.roles, traits: toStringLists(user.traits), createdMs: user.createdMs };
}

export function toProtoEvent(e: StoredEvent): ProtoEvent {
  const base: ProtoEvent = { type: e.type, position: e.position, timeMs: e.timeMs, kind: e.kind, name: e.name };
  if (e.type === 'PUT') {
    if (e.request) base.request = toProtoRequest(e.request);
    else if (e.role) base.role = toProtoRole(e.role);
    else if (e.user) base.user = toProtoUser(e.user);
  }
  return base;
}

export function toProtoAuditEvent(e: AuditEvent): ProtoAuditEvent {
  return {
    id: e.id,
    timeMs: e.timeMs,
    type: e.type,
    actor: e.actor,
    requestId: e.requestId,
    detailsJson: JSON.stringify(e.details),
  };
}
