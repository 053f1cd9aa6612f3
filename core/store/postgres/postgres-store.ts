import { AppError, invalidArgument, notFound } from '../../domain/app-error.ts';
import type { AccessRequest, AuditDraft, AuditEvent, PluginData, Role, StoredEvent, User, UserDraft } from '../../domain/types.ts';
import { AppendListeners } from '../append-listeners.ts';
import { checkPageSize, decodeIntegerPageToken, decodeStringPageToken, toPage } from '../page-token.ts';
import { applyPluginDataChange } from '../plugin-data-change.ts';
import { auditConditions, expiringByState, idOrder, requestConditions } from '../query-filters.ts';
import { silentLog } from '../store-log.ts';
import type { StoreLog } from '../store-log.ts';
import type { AuditQuery, Committed, Invite, Page, RequestChange, RequestQuery, Store, StoreObserver } from '../store.ts';
import {
  deleteEvent,
  deleteRequestEvent,
  parseAuditRow,
  parseInviteRow,
  parsePluginDataRows,
  parsePluginEntryRow,
  parseRequestRow,
  parseRoleRow,
  parseUserRow,
  putRoleEvent,
  requestWrite,
  storedUser,
  userWrite,
} from '../stored-rows.ts';
import { PostgresConnection } from './postgres-connection.ts';
import type { Query } from './postgres-connection.ts';
import type { ConstraintMessages } from './postgres-errors.ts';
import { EVENTS_CHANNEL, appendEvents, lockEventLog, pruneEventPrefix, readEventsAfter, readLastPosition } from './postgres-event-log.ts';
import type { Tx } from './postgres-event-log.ts';
import { PostgresListener } from './postgres-listener.ts';

export { EVENTS_CHANNEL } from './postgres-event-log.ts';

export interface PostgresStoreOptions {
  /** e.g. postgres://user:pass@host:5432/gatehouse (never logged). */
  connectionString: string;
  /** @default a logger that discards everything */
  log?: StoreLog;
  /** Clock for event and audit times and `updatedMs`. @default Date.now */
  now?: () => number;
  /** Pool size, plus one connection for LISTEN. @default 10 */
  maxConnections?: number;
  /** How long to wait for a pooled connection before `unavailable`. @default 10000 */
  connectTimeoutMs?: number;
  /** Told how long each write transaction took (metrics). */
  observe?: StoreObserver;
}

/**
 * Opens a PostgreSQL-backed Store on a `pg` Pool, migrating the schema if needed. Several
 * replicas may share one database: writes are serialised per row (SELECT … FOR NO KEY UPDATE,
 * the lock an UPDATE takes, so foreign-key checks are not blocked), event positions become
 * visible strictly in order (EVENT_LOG_LOCK), and every commit that appends events sends
 * NOTIFY gatehouse_events, '<position>' so `onAppend` fires in every replica.
 *
 * `onAppend` listeners run in a microtask after this process's own COMMIT, and after a
 * notification for other replicas' commits; positions are reported only upwards.
 *
 * @throws AppError `unavailable` if the database cannot be reached, `failed_precondition` if
 * its schema is newer than this code.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const log = options.log ?? silentLog;
  const db = await PostgresConnection.open(
    {
      connectionString: options.connectionString,
      maxConnections: options.maxConnections ?? 10,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    },
    log,
  );
  const store = new PostgresStore(db, log, options.now ?? Date.now, options.connectionString, options.observe);
  try {
    await store.start();
  } catch (err) {
    await store.close();
    throw new AppError('unavailable', 'cannot LISTEN for event notifications', { cause: err });
  }
  return store;
}

class PostgresStore implements Store {
  readonly #db: PostgresConnection;
  readonly #log: StoreLog;
  readonly #now: () => number;
  readonly #appended: AppendListeners;
  readonly #listener: PostgresListener;
  readonly #observe: StoreObserver | undefined;
  #closing: Promise<void> | undefined;
  /** One statement outside any transaction (autocommit). */
  readonly #read: Query = (sql, params) => this.#db.query(sql, params);

  constructor(db: PostgresConnection, log: StoreLog, now: () => number, connectionString: string, observe: StoreObserver | undefined) {
    this.#db = db;
    this.#log = log;
    this.#now = now;
    this.#observe = observe;
    this.#appended = new AppendListeners(log);
    this.#listener = new PostgresListener({
      connectionString,
      channel: EVENTS_CHANNEL,
      log,
      onPosition: (position) => this.#appended.notify(position),
      onListening: () => {
        this.lastPosition().then(
          (position) => this.#appended.notify(position),
          (err: unknown) => this.#log.warn({ err }, 'cannot read the event log position after reconnecting'),
        );
      },
    });
  }

  async start(): Promise<void> {
    await this.#listener.start();
  }

  // ---- access requests ----

  async createRequest(request: AccessRequest, audit: AuditDraft): Promise<Committed<AccessRequest>> {
    return this.#write(async (tx) => {
      const timeMs = this.#now();
      const value: AccessRequest = { ...request, revision: 1, updatedMs: timeMs };
      const { columns, event } = requestWrite(value);
      await tx.query(
        'INSERT INTO requests (id, user_name, state, pending_expires_ms, access_expires_ms, revision, json) VALUES (?, ?, ?, ?, ?, ?, ?)',
        columns,
      );
      return { value, position: await appendEvents(tx, [event], audit, timeMs) };
    }, { alreadyExists: `access request ${request.id} already exists` });
  }

  async getRequest(id: string): Promise<AccessRequest | undefined> {
    const row = (await this.#read('SELECT json FROM requests WHERE id = ?', [id]))[0];
    return row === undefined ? undefined : parseRequestRow(row);
  }

  async listRequests(query: RequestQuery): Promise<Page<AccessRequest>> {
    checkPageSize(query.pageSize);
    const { where, params } = requestConditions(query, decodeStringPageToken(query.pageToken), {
      inList: (column, values) => ({ sql: `${column} = ANY(?::text[])`, param: [...values] }),
      expiring: expiringByState,
    });
    const rows = await this.#read(`SELECT json FROM requests ${where} ${idOrder(query)} LIMIT ?`, [...params, query.pageSize + 1]);
    return toPage(rows.map(parseRequestRow), query.pageSize, (r) => r.id);
  }

  async updateRequest(id: string, change: RequestChange): Promise<Committed<AccessRequest>> {
    return this.#write(async (tx) => {
      const row = (await tx.query('SELECT json FROM requests WHERE id = ? FOR NO KEY UPDATE', [id]))[0];
      if (row === undefined) throw notFound(`access request ${id} not found`);
      const current = parseRequestRow(row);
      const next = change(current);
      if (next.request.id !== id) throw new AppError('internal', `change of access request ${id} altered its id`);
      const timeMs = this.#now(); // after the row lock, so updatedMs follows the previous writer's
      const value: AccessRequest = { ...next.request, revision: current.revision + 1, updatedMs: timeMs };
      const { columns: [, user, state, pendingMs, accessMs, revision, json], event } = requestWrite(value);
      await tx.query(
        'UPDATE requests SET user_name = ?, state = ?, pending_expires_ms = ?, access_expires_ms = ?, revision = ?, json = ? WHERE id = ?',
        [user, state, pendingMs, accessMs, revision, json, id],
      );
      return { value, position: await appendEvents(tx, [event], next.audit, timeMs) };
    });
  }

  async deleteRequest(id: string, audit: AuditDraft): Promise<Committed<AccessRequest>> {
    return this.#write(async (tx) => {
      // plugin_data rows go with it (ON DELETE CASCADE).
      const row = (await tx.query('DELETE FROM requests WHERE id = ? RETURNING json', [id]))[0];
      if (row === undefined) throw notFound(`access request ${id} not found`);
      const value = parseRequestRow(row);
      return { value, position: await appendEvents(tx, [deleteRequestEvent(value)], audit, this.#now()) };
    });
  }

  // ---- plugin data ----

  async getPluginData(requestId: string): Promise<PluginData> {
    const rows = await this.#read('SELECT plugin, json FROM plugin_data WHERE request_id = ? ORDER BY plugin', [requestId]);
    return parsePluginDataRows(rows);
  }

  async updatePluginData(
    requestId: string,
    plugin: string,
    set: Record<string, string>,
    expect: Record<string, string>,
  ): Promise<Record<string, string>> {
    return this.#write(async ({ query }) => {
      // Locking the request row serialises every plugin-data writer of this request, including
      // racers whose entry does not exist yet (there is no plugin_data row to lock for them).
      const found = await query('SELECT 1 AS found FROM requests WHERE id = ? FOR NO KEY UPDATE', [requestId]);
      if (found.length === 0) throw notFound(`access request ${requestId} not found`);
      const row = (await query('SELECT json FROM plugin_data WHERE request_id = ? AND plugin = ?', [requestId, plugin]))[0];
      const current = row === undefined ? undefined : parsePluginEntryRow(row);
      const entry = applyPluginDataChange(current, set, expect);
      if (Object.keys(entry).length === 0) {
        await query('DELETE FROM plugin_data WHERE request_id = ? AND plugin = ?', [requestId, plugin]);
      } else {
        await query(
          'INSERT INTO plugin_data (request_id, plugin, json) VALUES (?, ?, ?) ON CONFLICT (request_id, plugin) DO UPDATE SET json = excluded.json',
          [requestId, plugin, JSON.stringify(entry)],
        );
      }
      return entry;
    });
  }

  // ---- users ----

  async putUser(draft: UserDraft, audit: AuditDraft, options?: { createOnly?: boolean }): Promise<Committed<User>> {
    return this.#write(async (tx) => {
      const { document, json, freshIncarnation } = userWrite(draft);
      const upsert = options?.createOnly === true ? '' : ' ON CONFLICT (name) DO UPDATE SET json = excluded.json';
      const rows = await tx.query(`INSERT INTO users (name, incarnation, json) VALUES (?, ?, ?)${upsert} RETURNING incarnation`, [document.name, freshIncarnation, json]);
      const { user, event } = storedUser(document, rows[0]);
      return { value: user, position: await appendEvents(tx, [event], audit, this.#now()) };
    }, { alreadyExists: `user ${draft.name} already exists` });
  }

  async getUser(name: string): Promise<User | undefined> {
    const row = (await this.#read('SELECT json, incarnation FROM users WHERE name = ?', [name]))[0];
    return row === undefined ? undefined : parseUserRow(row);
  }

  async listUsers(): Promise<User[]> {
    return (await this.#read('SELECT json, incarnation FROM users ORDER BY name', [])).map(parseUserRow);
  }

  async deleteUser(name: string, audit: AuditDraft): Promise<Committed<User>> {
    return this.#write(async (tx) => {
      const row = (await tx.query('DELETE FROM users WHERE name = ? RETURNING json, incarnation', [name]))[0];
      if (row === undefined) throw notFound(`user ${name} not found`);
      return { value: parseUserRow(row), position: await appendEvents(tx, [deleteEvent('user', name)], audit, this.#now()) };
    });
  }

  // ---- invites ----

  async createInvite(invite: Invite): Promise<void> {
    await this.#write(async ({ query }) => {
      await query(
        'INSERT INTO invites (token_hash, user_name, incarnation, expires_ms, created_by) VALUES (?, ?, ?, ?, ?)',
        [invite.tokenHash, invite.user, invite.incarnation, invite.expiresMs, invite.createdBy],
      );
    }, { alreadyExists: 'invite already exists' });
  }

  async consumeInvite(tokenHash: string, nowMs: number): Promise<Invite | undefined> {
    // One statement: concurrent consumers queue on the row lock and re-check `used_ms IS NULL`.
    const row = (await this.#read(
      'UPDATE invites SET used_ms = ? WHERE token_hash = ? AND used_ms IS NULL AND expires_ms > ? RETURNING token_hash, user_name, incarnation, expires_ms, created_by',
      [nowMs, tokenHash, nowMs],
    ))[0];
    return row === undefined ? undefined : parseInviteRow(row);
  }

  // ---- roles ----

  async putRoles(roles: Role[], audit: AuditDraft): Promise<Committed<Role[]>> {
    if (roles.length === 0) return { value: [], position: await this.lastPosition() };
    return this.#write(async (tx) => {
      for (const role of roles) {
        await tx.query(
          'INSERT INTO roles (name, json) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET json = excluded.json',
          [role.name, JSON.stringify(role)],
        );
      }
      return { value: roles, position: await appendEvents(tx, roles.map(putRoleEvent), audit, this.#now()) };
    });
  }

  async getRole(name: string): Promise<Role | undefined> {
    const row = (await this.#read('SELECT json FROM roles WHERE name = ?', [name]))[0];
    return row === undefined ? undefined : parseRoleRow(row);
  }

  async listRoles(): Promise<Role[]> {
    return (await this.#read('SELECT json FROM roles ORDER BY name', [])).map(parseRoleRow);
  }

  async deleteRole(name: string, audit: AuditDraft): Promise<Committed<Role>> {
    return this.#write(async (tx) => {
      const row = (await tx.query('DELETE FROM roles WHERE name = ? RETURNING json', [name]))[0];
      if (row === undefined) throw notFound(`role ${name} not found`);
      return { value: parseRoleRow(row), position: await appendEvents(tx, [deleteEvent('role', name)], audit, this.#now()) };
    });
  }

  // ---- event log ----

  async lastPosition(): Promise<number> {
    return readLastPosition(this.#read);
  }

  async readEvents(after: number, limit: number): Promise<StoredEvent[]> {
    if (!Number.isSafeInteger(after) || after < 0) throw invalidArgument(`invalid event position ${after}`);
    if (!Number.isSafeInteger(limit) || limit < 1) throw invalidArgument(`invalid event limit ${limit}`);
    return readEventsAfter(this.#read, after, limit);
  }

  onAppend(listener: (lastPosition: number, events?: readonly StoredEvent[]) => void): () => void {
    return this.#appended.add(listener);
  }

  async pruneEvents(beforeMs: number, keepAtLeast: number): Promise<number> {
    if (!Number.isSafeInteger(keepAtLeast) || keepAtLeast < 0) throw invalidArgument(`invalid keepAtLeast ${keepAtLeast}`);
    return this.#write(({ query }) => pruneEventPrefix(query, beforeMs, keepAtLeast));
  }

  // ---- audit ----

  async appendAudit(audit: AuditDraft): Promise<AuditEvent> {
    return this.#write(async ({ query }) => {
      // Audit ids, like positions, must become visible in order for id-based paging.
      await lockEventLog(query);
      const row = (await query(
        'INSERT INTO audit (time_ms, type, actor, request_id, json) VALUES (?, ?, ?, ?, ?) RETURNING id, time_ms, type, actor, request_id, json',
        [this.#now(), audit.type, audit.actor, audit.requestId, JSON.stringify(audit.details)],
      ))[0];
      if (row === undefined) throw new AppError('internal', 'audit insert returned no row');
      return parseAuditRow(row);
    });
  }

  async searchAudit(query: AuditQuery): Promise<Page<AuditEvent>> {
    checkPageSize(query.pageSize);
    const { where, params } = auditConditions(query, decodeIntegerPageToken(query.pageToken));
    const sql = `SELECT id, time_ms, type, actor, request_id, json FROM audit ${where} ${idOrder(query)} LIMIT ?`;
    const rows = await this.#read(sql, [...params, query.pageSize + 1]);
    return toPage(rows.map(parseAuditRow), query.pageSize, (e) => e.id);
  }

  // ---- lifecycle ----

  async close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#appended.clear();
      try {
        await this.#listener.stop();
      } finally {
        await this.#db.close();
      }
    })();
    return this.#closing;
  }

  // ---- internals ----

  /** Runs `fn` in one transaction; announces the events it appended after COMMIT. */
  async #write<T>(fn: (tx: Tx) => Promise<T>, messages?: ConstraintMessages): Promise<T> {
    let appended: number | undefined;
    const started = this.#observe ? performance.now() : 0;
    const result = await this.#db.transaction(async (query) => {
      const tx: Tx = { query, position: undefined };
      const value = await fn(tx);
      appended = tx.position;
      return value;
    }, messages);
    if (this.#observe) this.#observe('commit', (performance.now() - started) / 1000, 1);
    if (appended !== undefined) this.#appended.notify(appended);
    return result;
  }
}
