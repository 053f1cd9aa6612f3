import type { DatabaseSync } from 'node:sqlite';
import { failedPrecondition } from '../../domain/app-error.ts';
import { readRow } from '../row-reader.ts';

/**
 * The SQLite schema, as an append-only list of migrations. Never edit a released migration:
 * add a new one. `schema_version` holds the version applied last; a database written by a newer
 * server (a higher version) is refused rather than guessed at.
 *
 * Column `user_name` (not `user`) matches the PostgreSQL schema, where `user` is reserved.
 * Every table is STRICT, so a wrongly typed value fails at write time, not at read time.
 */
export const SQLITE_MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE requests (
        id TEXT PRIMARY KEY,
        user_name TEXT NOT NULL,
        state TEXT NOT NULL,
        pending_expires_ms INTEGER NOT NULL,
        access_expires_ms INTEGER NOT NULL,
        revision INTEGER NOT NULL,
        json TEXT NOT NULL
      ) STRICT;
      CREATE INDEX requests_user ON requests (user_name, id);
      CREATE INDEX requests_state ON requests (state, id);
      CREATE INDEX requests_pending_expiry ON requests (pending_expires_ms) WHERE state = 'PENDING';
      CREATE INDEX requests_access_expiry ON requests (access_expires_ms) WHERE state = 'APPROVED';

      CREATE TABLE plugin_data (
        request_id TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
        plugin TEXT NOT NULL,
        json TEXT NOT NULL,
        PRIMARY KEY (request_id, plugin)
      ) STRICT;

      CREATE TABLE users (name TEXT PRIMARY KEY, json TEXT NOT NULL) STRICT;
      CREATE TABLE roles (name TEXT PRIMARY KEY, json TEXT NOT NULL) STRICT;

      CREATE TABLE invites (
        token_hash TEXT PRIMARY KEY,
        user_name TEXT NOT NULL,
        expires_ms INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        used_ms INTEGER
      ) STRICT;

      CREATE TABLE events (
        position INTEGER PRIMARY KEY AUTOINCREMENT,
        time_ms INTEGER NOT NULL,
        type TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        json TEXT
      ) STRICT;
      -- One row: the highest position ever pruned. readEvents(after < pruned_through) is
      -- out_of_range; a watermark (rather than MIN(position)) stays right when the log is empty.
      CREATE TABLE event_log (id INTEGER PRIMARY KEY CHECK (id = 1), pruned_through INTEGER NOT NULL) STRICT;
      INSERT INTO event_log (id, pruned_through) VALUES (1, 0);

      CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time_ms INTEGER NOT NULL,
        type TEXT NOT NULL,
        actor TEXT NOT NULL,
        request_id TEXT NOT NULL,
        json TEXT NOT NULL
      ) STRICT;
      CREATE INDEX audit_type ON audit (type, id);
      CREATE INDEX audit_request ON audit (request_id, id);
      CREATE INDEX audit_actor ON audit (actor, id);
      CREATE INDEX audit_time ON audit (time_ms);
    `,
  },
  {
    // Users get an incarnation (core/domain/types.ts User.incarnation), a column of its own so an
    // upsert keeps it; invites remember the one they were made for. Existing rows get "": the
    // users of before this version, whose certificates carry no incarnation (see
    // core/auth/incarnation-mismatch.ts), and the invites made for them.
    version: 2,
    sql: `
      ALTER TABLE users ADD COLUMN incarnation TEXT NOT NULL DEFAULT '';
      ALTER TABLE invites ADD COLUMN incarnation TEXT NOT NULL DEFAULT '';
    `,
  },
];

/** Applies pending migrations in one IMMEDIATE transaction. Returns the resulting version. */
export function migrateSqlite(db: DatabaseSync): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL) STRICT');
  const latest = SQLITE_MIGRATIONS.at(-1)?.version ?? 0;
  db.exec('BEGIN IMMEDIATE');
  try {
    const row = db.prepare('SELECT version FROM schema_version WHERE id = 1').get();
    const current = row === undefined ? 0 : readRow(row, 'schema_version').integer('version');
    if (current > latest) {
      throw failedPrecondition(`database schema version ${current} is newer than this server supports (${latest})`);
    }
    for (const migration of SQLITE_MIGRATIONS) {
      if (migration.version > current) db.exec(migration.sql);
    }
    db.prepare('INSERT INTO schema_version (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version').run(
      Math.max(current, latest),
    );
    db.exec('COMMIT');
    return Math.max(current, latest);
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw err;
  }
}
