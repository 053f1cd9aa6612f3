import { AppError, invalidArgument, notFound } from '../../domain/app-error.ts';
import type { AccessRequest, AuditDraft, AuditEvent, PluginData, Role, StoredEvent, User, UserDraft } from '../../domain/types.ts';
import { AppendListeners } from '../append-listeners.ts';
import { checkPageSize, decodeIntegerPageToken, decodeStringPageToken, toPage } from '../page-token.ts';
import { ParsedRowCache } from '../parsed-row-cache.ts';
import { applyPluginDataChange } from '../plugin-data-change.ts';
import { auditConditions, idOrder, requestConditions, type ExpiringCondition } from '../query-filters.ts';
import { readRow } from '../row-reader.ts';
import { silentLog } from '../store-log.ts';
import type { StoreLog } from '../store-log.ts';
import type { AuditQuery, Committed, Invite, Page, RequestChange, RequestQuery, Store, StoreObserver } from '../store.ts';
import {
  deleteEvent,
  deleteRequestEvent,
  parseAuditRow,
  parseEventRow,
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
import { SqliteConnection, type WalSync } from './sqlite-connection.ts';
import { SqliteGroupCommit, type SqliteGroupCommitOptions } from './sqlite-group-commit.ts';

export interface SqliteStoreOptions {
  /** The database file; created (with its schema) if absent. Its directory must exist. */
  path: string;
  /** @default a logger that discards everything */
  log?: StoreLog;
  /** Clock for event and audit times and `updatedMs`. @default Date.now */
  now?: () => number;
  /** How long a write waits for a lock held by another connection. @default 5000 */
  busyTimeoutMs?: number;
  /**
   * Called once if the store stops for good: a sync to disk failed, so only a restart, which
   * recovers from what is on disk, can make it usable again. Every later call fails `unavailable`.
   */
  onFatal?: (err: AppError) => void;
  /** How the WAL is made durable. @default fdatasync (node:fs) */
  walSync?: WalSync;
  /** Told how long each commit and each sync took (metrics). */
  observe?: StoreObserver;
}

/**
 * `expiringBeforeMs` for SQLite, which keeps no statistics unless ANALYZE is run: without them
 * its planner serves the plain OR through requests_state, reading every PENDING and APPROVED
 * row on each expiry sweep (37 ms a second with 100,000 of them). Naming the partial indexes
 * reads only the requests past their deadline.
 */
export const sqliteExpiring: ExpiringCondition = (beforeMs) => ({
  sql: `id IN (
    SELECT id FROM requests INDEXED BY requests_pending_expiry WHERE state = 'PENDING' AND pending_expires_ms < ?
    UNION ALL
    SELECT id FROM requests INDEXED BY requests_access_expiry WHERE state = 'APPROVED' AND access_expires_ms < ?)`,
  params: [beforeMs, beforeMs],
});

/** Largest `limit` honoured by readEvents; larger values are clamped ("at most `limit`"). */
const MAX_READ_EVENTS = 10_000;

/**
 * Opens (creating and migrating if needed) a SQLite-backed Store on `node:sqlite`.
 *
 * Durability: a resolved write has been synced to the WAL, so it survives kill -9 and power
 * loss, and no read returns data that is not yet durable (SqliteGroupCommit). Writes issued in
 * the same event-loop turn are committed together (group commit: one `BEGIN IMMEDIATE …
 * COMMIT`, one fsync); one failing write still rolls back alone (see SqliteConnection.batch).
 * node:sqlite is synchronous, so writes never interleave and no read-modify-write can be lost;
 * the price is that a transaction blocks the event loop for its duration (slow ones are logged).
 * Under load the fsync itself runs on the thread pool.
 *
 * SQLite is for a single server process: `onAppend` only sees commits made through this
 * instance. Two processes on one file stay consistent (locks, busy_timeout) but do not learn of
 * each other's events; run PostgreSQL for several replicas.
 *
 * `onAppend` listeners run once a commit is durable, before the writer's own `await` resumes.
 *
 * @throws AppError `unavailable` if the file cannot be opened, `failed_precondition` if its
 * schema is newer than this code.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const log = options.log ?? silentLog;
  const connection = SqliteConnection.open(options.path, options.busyTimeoutMs ?? 5_000, log, options.walSync);
  return new SqliteStore(connection, { log, now: options.now ?? Date.now, onFatal: options.onFatal, observe: options.observe });
}

class SqliteStore implements Store {
  readonly #db: SqliteConnection;
  readonly #appended: AppendListeners;
  readonly #commits: SqliteGroupCommit;
  /** Recently written or read requests (an approve reads back the request its create just wrote). */
  readonly #requests = new ParsedRowCache<AccessRequest>(1_000);

  constructor(db: SqliteConnection, options: Omit<SqliteGroupCommitOptions, 'appended'>) {
    this.#db = db;
    this.#appended = new AppendListeners(options.log);
    this.#commits = new SqliteGroupCommit(db, { ...options, appended: this.#appended });
  }

  // ---- access requests ----

  async createRequest(request: AccessRequest, audit: AuditDraft): Promise<Committed<AccessRequest>> {
    return this.#commits.write((timeMs) => {
      const value: AccessRequest = { ...request, revision: 1, updatedMs: timeMs };
      const { columns, event } = requestWrite(value);
      this.#requests.remember(value.id, columns[6], value);
      this.#db.run(
        'INSERT INTO requests (id, user_name, state, pending_expires_ms, access_expires_ms, revision, json) VALUES (?, ?, ?, ?, ?, ?, ?)',
        ...columns,
      );
      return { value, position: this.#commits.append([event], audit, timeMs) };
    }, { alreadyExists: `access request ${request.id} already exists` });
  }

  async getRequest(id: string): Promise<AccessRequest | undefined> {
    return this.#commits.afterDurable(this.#getRequest(id));
  }

  async listRequests(query: RequestQuery): Promise<Page<AccessRequest>> {
    checkPageSize(query.pageSize);
    const { where, params } = requestConditions(query, decodeStringPageToken(query.pageToken), {
      // IN over json_each(?) keeps one statement shape whatever the list length.
      inList: (column, values) => ({ sql: `${column} IN (SELECT value FROM json_each(?))`, param: JSON.stringify(values) }),
      expiring: sqliteExpiring,
    });
    const rows = this.#db.all(`SELECT json FROM requests ${where} ${idOrder(query)} LIMIT ?`, ...params, query.pageSize + 1);
    return this.#commits.afterDurable(toPage(rows.map(parseRequestRow), query.pageSize, (r) => r.id));
  }

  async updateRequest(id: string, change: RequestChange): Promise<Committed<AccessRequest>> {
    return this.#commits.write((timeMs) => {
      const current = this.#getRequest(id);
      if (current === undefined) throw notFound(`access request ${id} not found`);
      const next = change(current);
      if (next.request.id !== id) throw new AppError('internal', `change of access request ${id} altered its id`);
      const value: AccessRequest = { ...next.request, revision: current.revision + 1, updatedMs: timeMs };
      const { columns: [, user, state, pendingMs, accessMs, revision, json], event } = requestWrite(value);
      this.#requests.remember(id, json, value);
      this.#db.run(
        'UPDATE requests SET user_name = ?, state = ?, pending_expires_ms = ?, access_expires_ms = ?, revision = ?, json = ? WHERE id = ?',
        user, state, pendingMs, accessMs, revision, json, id,
      );
      return { value, position: this.#commits.append([event], next.audit, timeMs) };
    });
  }

  async deleteRequest(id: string, audit: AuditDraft): Promise<Committed<AccessRequest>> {
    return this.#commits.write((timeMs) => {
      const value = this.#getRequest(id);
      if (value === undefined) throw notFound(`access request ${id} not found`);
      // plugin_data rows go with it (ON DELETE CASCADE).
      this.#db.run('DELETE FROM requests WHERE id = ?', id);
      return { value, position: this.#commits.append([deleteRequestEvent(value)], audit, timeMs) };
    });
  }

  // ---- plugin data ----

  async getPluginData(requestId: string): Promise<PluginData> {
    const rows = this.#db.all('SELECT plugin, json FROM plugin_data WHERE request_id = ? ORDER BY plugin', requestId);
    return this.#commits.afterDurable(parsePluginDataRows(rows));
  }

  async updatePluginData(
    requestId: string,
    plugin: string,
    set: Record<string, string>,
    expect: Record<string, string>,
  ): Promise<Record<string, string>> {
    return this.#commits.write(() => {
      if (this.#db.get('SELECT 1 AS found FROM requests WHERE id = ?', requestId) === undefined) {
        throw notFound(`access request ${requestId} not found`);
      }
      const row = this.#db.get('SELECT json FROM plugin_data WHERE request_id = ? AND plugin = ?', requestId, plugin);
      const current = row === undefined ? undefined : parsePluginEntryRow(row);
      const entry = applyPluginDataChange(current, set, expect);
      if (Object.keys(entry).length === 0) {
        this.#db.run('DELETE FROM plugin_data WHERE request_id = ? AND plugin = ?', requestId, plugin);
      } else {
        this.#db.run(
          'INSERT INTO plugin_data (request_id, plugin, json) VALUES (?, ?, ?) ON CONFLICT (request_id, plugin) DO UPDATE SET json = excluded.json',
          requestId, plugin, JSON.stringify(entry),
        );
      }
      return entry;
    });
  }

  // ---- users ----

  async putUser(draft: UserDraft, audit: AuditDraft, options?: { createOnly?: boolean }): Promise<Committed<User>> {
    return this.#commits.write((timeMs) => {
      const { document, json, freshIncarnation } = userWrite(draft);
      const upsert = options?.createOnly === true ? '' : ' ON CONFLICT (name) DO UPDATE SET json = excluded.json';
      // run, not get(… RETURNING): only run leaves a unique violation to the batch, which names the user.
      this.#db.run(`INSERT INTO users (name, incarnation, json) VALUES (?, ?, ?)${upsert}`, document.name, freshIncarnation, json);
      const { user, event } = storedUser(document, this.#db.get('SELECT incarnation FROM users WHERE name = ?', document.name));
      return { value: user, position: this.#commits.append([event], audit, timeMs) };
    }, { alreadyExists: `user ${draft.name} already exists` });
  }

  async getUser(name: string): Promise<User | undefined> {
    const row = this.#db.get('SELECT json, incarnation FROM users WHERE name = ?', name);
    return this.#commits.afterDurable(row === undefined ? undefined : parseUserRow(row));
  }

  async listUsers(): Promise<User[]> {
    return this.#commits.afterDurable(this.#db.all('SELECT json, incarnation FROM users ORDER BY name').map(parseUserRow));
  }

  async deleteUser(name: string, audit: AuditDraft): Promise<Committed<User>> {
    return this.#commits.write((timeMs) => {
      const row = this.#db.get('DELETE FROM users WHERE name = ? RETURNING json, incarnation', name);
      if (row === undefined) throw notFound(`user ${name} not found`);
      return { value: parseUserRow(row), position: this.#commits.append([deleteEvent('user', name)], audit, timeMs) };
    });
  }

  // ---- invites ----

  async createInvite(invite: Invite): Promise<void> {
    await this.#commits.write(() => {
      this.#db.run(
        'INSERT INTO invites (token_hash, user_name, incarnation, expires_ms, created_by) VALUES (?, ?, ?, ?, ?)',
        invite.tokenHash, invite.user, invite.incarnation, invite.expiresMs, invite.createdBy,
      );
    }, { alreadyExists: 'invite already exists' });
  }

  async consumeInvite(tokenHash: string, nowMs: number): Promise<Invite | undefined> {
    return this.#commits.write(() => {
      const row = this.#db.get(
        'UPDATE invites SET used_ms = ? WHERE token_hash = ? AND used_ms IS NULL AND expires_ms > ? RETURNING token_hash, user_name, incarnation, expires_ms, created_by',
        nowMs, tokenHash, nowMs,
      );
      return row === undefined ? undefined : parseInviteRow(row);
    });
  }

  // ---- roles ----

  async putRoles(roles: Role[], audit: AuditDraft): Promise<Committed<Role[]>> {
    if (roles.length === 0) return { value: [], position: await this.lastPosition() };
    return this.#commits.write((timeMs) => {
      for (const role of roles) {
        this.#db.run(
          'INSERT INTO roles (name, json) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET json = excluded.json',
          role.name, JSON.stringify(role),
        );
      }
      return { value: roles, position: this.#commits.append(roles.map(putRoleEvent), audit, timeMs) };
    });
  }

  async getRole(name: string): Promise<Role | undefined> {
    const row = this.#db.get('SELECT json FROM roles WHERE name = ?', name);
    return this.#commits.afterDurable(row === undefined ? undefined : parseRoleRow(row));
  }

  async listRoles(): Promise<Role[]> {
    return this.#commits.afterDurable(this.#db.all('SELECT json FROM roles ORDER BY name').map(parseRoleRow));
  }

  async deleteRole(name: string, audit: AuditDraft): Promise<Committed<Role>> {
    return this.#commits.write((timeMs) => {
      const row = this.#db.get('DELETE FROM roles WHERE name = ? RETURNING json', name);
      if (row === undefined) throw notFound(`role ${name} not found`);
      return { value: parseRoleRow(row), position: this.#commits.append([deleteEvent('role', name)], audit, timeMs) };
    });
  }

  // ---- event log ----

  async lastPosition(): Promise<number> {
    return this.#commits.afterDurable(this.#lastPosition());
  }

  async readEvents(after: number, limit: number): Promise<StoredEvent[]> {
    if (!Number.isSafeInteger(after) || after < 0) throw invalidArgument(`invalid event position ${after}`);
    if (!Number.isSafeInteger(limit) || limit < 1) throw invalidArgument(`invalid event limit ${limit}`);
    // A read transaction, so the watermark and the rows come from one snapshot.
    const events = this.#db.transaction('BEGIN', () => {
      const prunedThrough = this.#prunedThrough();
      if (after < prunedThrough) {
        throw new AppError('out_of_range', `events after position ${after} have been pruned (log starts after ${prunedThrough})`);
      }
      return this.#db.all(
        'SELECT position, time_ms, type, kind, name, json FROM events WHERE position > ? ORDER BY position LIMIT ?',
        after, Math.min(limit, MAX_READ_EVENTS),
      ).map(parseEventRow);
    });
    return this.#commits.afterDurable(events);
  }

  onAppend(listener: (lastPosition: number, events?: readonly StoredEvent[]) => void): () => void {
    return this.#appended.add(listener);
  }

  async pruneEvents(beforeMs: number, keepAtLeast: number): Promise<number> {
    if (!Number.isSafeInteger(keepAtLeast) || keepAtLeast < 0) throw invalidArgument(`invalid keepAtLeast ${keepAtLeast}`);
    return this.#commits.write(() => {
      // Delete a contiguous prefix of the log: everything before the first event that is too
      // new or among the newest `keepAtLeast`. A prefix (rather than every old row) keeps the
      // log gap-free even if clocks went backwards, so the watermark stays exact.
      const bounds: number[] = [];
      const young = this.#db.get('SELECT position FROM events WHERE time_ms >= ? ORDER BY position LIMIT 1', beforeMs);
      if (young !== undefined) bounds.push(readRow(young, 'events').integer('position'));
      if (keepAtLeast > 0) {
        const kept = this.#db.get('SELECT position FROM events ORDER BY position DESC LIMIT 1 OFFSET ?', keepAtLeast - 1);
        if (kept === undefined) return 0; // fewer events than keepAtLeast
        bounds.push(readRow(kept, 'events').integer('position'));
      }
      const bound = bounds.length === 0 ? this.#lastPosition() + 1 : Math.min(...bounds);
      const deleted = Number(this.#db.run('DELETE FROM events WHERE position < ?', bound).changes);
      if (deleted > 0) this.#db.run('UPDATE event_log SET pruned_through = MAX(pruned_through, ?) WHERE id = 1', bound - 1);
      return deleted;
    });
  }

  // ---- audit ----

  async appendAudit(audit: AuditDraft): Promise<AuditEvent> {
    return this.#commits.write((timeMs) => {
      const row = this.#db.get(
        'INSERT INTO audit (time_ms, type, actor, request_id, json) VALUES (?, ?, ?, ?, ?) RETURNING id, time_ms, type, actor, request_id, json',
        timeMs, audit.type, audit.actor, audit.requestId, JSON.stringify(audit.details),
      );
      if (row === undefined) throw new AppError('internal', 'audit insert returned no row');
      return parseAuditRow(row);
    });
  }

  async searchAudit(query: AuditQuery): Promise<Page<AuditEvent>> {
    checkPageSize(query.pageSize);
    const { where, params } = auditConditions(query, decodeIntegerPageToken(query.pageToken));
    const sql = `SELECT id, time_ms, type, actor, request_id, json FROM audit ${where} ${idOrder(query)} LIMIT ?`;
    const rows = this.#db.all(sql, ...params, query.pageSize + 1);
    return this.#commits.afterDurable(toPage(rows.map(parseAuditRow), query.pageSize, (e) => e.id));
  }

  // ---- lifecycle ----

  async close(): Promise<void> {
    // Every acknowledged-to-be write is committed and synced before the file is closed; a
    // failed sync has already been logged and failed its writers.
    await this.#commits.drain().catch(() => undefined);
    this.#appended.clear();
    this.#db.close();
  }

  // ---- internals ----

  #getRequest(id: string): AccessRequest | undefined {
    const row = this.#db.get('SELECT json FROM requests WHERE id = ?', id);
    if (row === undefined) return undefined;
    return this.#requests.read(id, readRow(row, 'requests').string('json'), () => parseRequestRow(row));
  }

  #lastPosition(): number {
    const row = this.#db.get(
      'SELECT MAX(COALESCE((SELECT MAX(position) FROM events), 0), pruned_through) AS last FROM event_log WHERE id = 1',
    );
    return row === undefined ? 0 : readRow(row, 'events').integer('last');
  }

  #prunedThrough(): number {
    const row = this.#db.get('SELECT pruned_through FROM event_log WHERE id = 1');
    return row === undefined ? 0 : readRow(row, 'event_log').integer('pruned_through');
  }
}
