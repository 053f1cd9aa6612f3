import type { PoolClient } from 'pg';
import { failedPrecondition } from '../../domain/app-error.ts';
import { readRow } from '../row-reader.ts';

/** Advisory lock key serialising migrations of replicas that start together ("gh-migr"). */
const MIGRATION_LOCK = 0x67682d6d69677200n;

/**
 * The PostgreSQL schema, as an append-only list of migrations; never edit a released one.
 * Every statement is idempotent (IF NOT EXISTS) so a half-applied migration can be re-run.
 *
 * Same tables and columns as the SQLite schema, with two deliberate choices: text keys use
 * COLLATE "C" so ordering and paging are byte order on both backends, and documents are TEXT,
 * not jsonb, so they round-trip exactly like SQLite's (jsonb rejects \u0000 and reorders keys;
 * nothing queries inside them).
 */
export const POSTGRES_MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE IF NOT EXISTS requests (
        id TEXT COLLATE "C" PRIMARY KEY,
        user_name TEXT COLLATE "C" NOT NULL,
        state TEXT NOT NULL,
        pending_expires_ms BIGINT NOT NULL,
        access_expires_ms BIGINT NOT NULL,
        revision BIGINT NOT NULL,
        json TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS requests_user ON requests (user_name, id);
      CREATE INDEX IF NOT EXISTS requests_state ON requests (state, id);
      CREATE INDEX IF NOT EXISTS requests_pending_expiry ON requests (pending_expires_ms) WHERE state = 'PENDING';
      CREATE INDEX IF NOT EXISTS requests_access_expiry ON requests (access_expires_ms) WHERE state = 'APPROVED';

      CREATE TABLE IF NOT EXISTS plugin_data (
        request_id TEXT COLLATE "C" NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
        plugin TEXT COLLATE "C" NOT NULL,
        json TEXT NOT NULL,
        PRIMARY KEY (request_id, plugin)
      );

      CREATE TABLE IF NOT EXISTS users (name TEXT COLLATE "C" PRIMARY KEY, json TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS roles (name TEXT COLLATE "C" PRIMARY KEY, json TEXT NOT NULL);

      CREATE TABLE IF NOT EXISTS invites (
        token_hash TEXT PRIMARY KEY,
        user_name TEXT NOT NULL,
        expires_ms BIGINT NOT NULL,
        created_by TEXT NOT NULL,
        used_ms BIGINT
      );

      CREATE TABLE IF NOT EXISTS events (
        position BIGSERIAL PRIMARY KEY,
        time_ms BIGINT NOT NULL,
        type TEXT NOT NULL,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        json TEXT
      );
      CREATE TABLE IF NOT EXISTS event_log (id INTEGER PRIMARY KEY CHECK (id = 1), pruned_through BIGINT NOT NULL);
      INSERT INTO event_log (id, pruned_through) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;

      CREATE TABLE IF NOT EXISTS audit (
        id BIGSERIAL PRIMARY KEY,
        time_ms BIGINT NOT NULL,
        type TEXT NOT NULL,
        actor TEXT NOT NULL,
        request_id TEXT NOT NULL,
        json TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS audit_type ON audit (type, id);
      CREATE INDEX IF NOT EXISTS audit_request ON audit (request_id, id);
      CREATE INDEX IF NOT EXISTS audit_actor ON audit (actor, id);
      CREATE INDEX IF NOT EXISTS audit_time ON audit (time_ms);
    `,
  },
  {
    // As SQLite's version 2: users get an incarnation column that an upsert keeps, invites the
    // incarnation they were made for; existing rows get "" (core/auth/incarnation-mismatch.ts).
    version: 2,
    sql: `
      ALTER TABLE users ADD COLUMN IF NOT EXISTS incarnation TEXT NOT NULL DEFAULT '';
      ALTER TABLE invites ADD COLUMN IF NOT EXISTS incarnation TEXT NOT NULL DEFAULT '';
    `,
  },
];

/**
 * Applies pending migrations in one transaction, under an advisory lock so replicas starting
 * at once take turns. Returns the resulting version.
 */
export async function migratePostgres(client: PoolClient): Promise<number> {
  const latest = POSTGRES_MIGRATIONS.at(-1)?.version ?? 0;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)');
    const row = (await client.query<Record<string, unknown>>('SELECT version FROM schema_version WHERE id = 1')).rows[0];
    const current = row === undefined ? 0 : readRow(row, 'schema_version').integer('version');
    if (current > latest) {
      throw failedPrecondition(`database schema version ${current} is newer than this server supports (${latest})`);
    }
    for (const migration of POSTGRES_MIGRATIONS) {
      if (migration.version > current) await client.query(migration.sql);
    }
    await client.query(
      'INSERT INTO schema_version (id, version) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET version = excluded.version',
      [Math.max(current, latest)],
    );
    await client.query('COMMIT');
    return Math.max(current, latest);
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
}
