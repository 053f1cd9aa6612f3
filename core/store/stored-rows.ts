import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../domain/app-error.ts';
import type { AccessRequest, AuditEvent, PluginData, ResourceKind, Role, StoredEvent, User, UserDraft } from '../domain/types.ts';
import { readRow } from './row-reader.ts';
import type { Invite } from './store.ts';
import { accessRequestSchema, auditDetailsSchema, pluginEntrySchema, roleSchema, userDocumentSchema, userSchema } from './stored-schemas.ts';

/**
 * Row <-> domain translation shared by the SQLite and PostgreSQL backends, which use the same
 * table and column names. Reads validate (see row-reader.ts); writes produce plain values.
 */

type Row = Readonly<Record<string, unknown>>;

/** An event about to be appended; the backend assigns position and time. */
export interface EventDraft {
  type: 'PUT' | 'DELETE';
  kind: ResourceKind;
  name: string;
  /** The resource as JSON on PUT; on DELETE of a request `{"owner": user}`, else null. */
  json: string | null;
  /** The same resource as an object, so a backend can announce the committed event without re-reading it. */
  resource?: Pick<StoredEvent, 'request' | 'role' | 'user' | 'owner'>;
}

/** The event a draft becomes once stored at `position`. */
export function storedEventOf(draft: EventDraft, position: number, timeMs: number): StoredEvent {
  return { position, timeMs, type: draft.type, kind: draft.kind, name: draft.name, ...draft.resource };
}

export const putRoleEvent = (role: Role): EventDraft => ({
  type: 'PUT',
  kind: 'role',
  name: role.name,
  json: JSON.stringify(role),
  resource: { role },
});
/**
 * What storing a user writes: the `users.json` document, which lists its fields so that an
 * incarnation a caller passed along is never stored in it, and the incarnation the user gets if
 * this write creates it. The incarnation has a column of its own that an upsert's
 * `ON CONFLICT … DO UPDATE SET json` leaves alone; the backend reads back the stored one in the
 * same transaction (`RETURNING incarnation`, or a SELECT).
 */
export function userWrite(draft: UserDraft): { document: UserDraft; json: string; freshIncarnation: string } {
  const document: UserDraft = { name: draft.name, roles: draft.roles, traits: draft.traits, createdMs: draft.createdMs };
  return { document, json: JSON.stringify(document), freshIncarnation: randomUUID() };
}

/** The user a write stored, from its document and the row with its stored `incarnation`, and its PUT event. */
export function storedUser(document: UserDraft, returned: Row | undefined): { user: User; event: EventDraft } {
  if (returned === undefined) throw new AppError('internal', `storing user ${document.name} returned no row`);
  const user: User = { ...document, incarnation: readRow(returned, 'users').string('incarnation') };
  return { user, event: { type: 'PUT', kind: 'user', name: user.name, json: JSON.stringify(user), resource: { user } } };
}
export const deleteEvent = (kind: ResourceKind, name: string): EventDraft => ({
  type: 'DELETE',
  kind,
  name,
  json: null,
});

/** The DELETE event of a request, naming its owner (see StoredEvent.owner). */
export const deleteRequestEvent = (request: AccessRequest): EventDraft => ({
  type: 'DELETE',
  kind: 'access_request',
  name: request.id,
  json: JSON.stringify({ owner: request.user }),
  resource: { owner: request.user },
});

const deletedRequestSchema = z.object({ owner: z.string() });

/**
 * What storing a request writes: its `requests` columns in table order (id, user_name, state,
 * pending/access expiry, revision, json) and its PUT event, sharing one JSON text.
 */
export function requestWrite(r: AccessRequest): { columns: [string, string, string, number, number, number, string]; event: EventDraft } {
  const json = JSON.stringify(r);
  return {
    columns: [r.id, r.user, r.state, r.pendingExpiresMs, r.accessExpiresMs, r.revision, json],
    event: { type: 'PUT', kind: 'access_request', name: r.id, json, resource: { request: r } },
  };
}

export const parseRequestRow = (row: Row): AccessRequest => readRow(row, 'requests').json('json', accessRequestSchema);
export const parseRoleRow = (row: Row): Role => readRow(row, 'roles').json('json', roleSchema);
/** A `users` row read with its `json` and `incarnation` columns. */
export function parseUserRow(row: Row): User {
  const r = readRow(row, 'users');
  return { ...r.json('json', userDocumentSchema), incarnation: r.string('incarnation') };
}

/** The `json` column of one plugin_data row: that plugin's entry. */
export const parsePluginEntryRow = (row: Row): Record<string, string> => readRow(row, 'plugin_data').json('json', pluginEntrySchema);

/** plugin_data rows (`plugin`, `json`) of one request, as the map by plugin name. */
export function parsePluginDataRows(rows: readonly Row[]): PluginData {
  return Object.fromEntries(rows.map((row) => [readRow(row, 'plugin_data').string('plugin'), parsePluginEntryRow(row)]));
}

export function parseInviteRow(row: Row): Invite {
  const r = readRow(row, 'invites');
  return {
    tokenHash: r.string('token_hash'),
    user: r.string('user_name'),
    incarnation: r.string('incarnation'),
    expiresMs: r.integer('expires_ms'),
    createdBy: r.string('created_by'),
  };
}

export function parseAuditRow(row: Row): AuditEvent {
  const r = readRow(row, 'audit');
  return {
    id: r.integer('id'),
    timeMs: r.integer('time_ms'),
    type: r.string('type'),
    actor: r.string('actor'),
    requestId: r.string('request_id'),
    details: r.json('json', auditDetailsSchema),
  };
}

export function parseEventRow(row: Row): StoredEvent {
  const r = readRow(row, 'events');
  const type = r.string('type');
  const kind = r.string('kind');
  const base = { position: r.integer('position'), timeMs: r.integer('time_ms'), name: r.string('name') };
  if (type === 'DELETE') {
    if (kind !== 'access_request' && kind !== 'role' && kind !== 'user') throw badKind(kind);
    const deleted = kind === 'access_request' ? r.optionalJson('json', deletedRequestSchema) : undefined;
    return deleted === undefined ? { ...base, type, kind } : { ...base, type, kind, owner: deleted.owner };
  }
  if (type !== 'PUT') throw new AppError('internal', `stored events.type is invalid: ${type}`);
  switch (kind) {
    case 'access_request':
      return { ...base, type, kind, request: r.json('json', accessRequestSchema) };
    case 'role':
      return { ...base, type, kind, role: r.json('json', roleSchema) };
    case 'user':
      return { ...base, type, kind, user: r.json('json', userSchema) };
    default:
      throw badKind(kind);
  }
}

const badKind = (kind: string): AppError => new AppError('internal', `stored events.kind is invalid: ${kind}`);
