/**
 * A database as a server before store schema version 2 left it: users and invites without an
 * incarnation. For upgrade tests of both backends; the caller runs the SQL on its own driver.
 */

/** A user row of a version 1 database. */
export interface V1User {
  name: string;
  roles: string[];
  traits?: Record<string, string[]>;
  createdMs: number;
}

/** An invite row of a version 1 database. */
export interface V1Invite {
  tokenHash: string;
  user: string;
  expiresMs: number;
  createdBy: string;
}

export interface V1DatabaseOptions {
  /** The backend's version 1 migration (`SQLITE_MIGRATIONS` or `POSTGRES_MIGRATIONS`). */
  migrations: readonly { version: number; sql: string }[];
  /** SQLite makes every table STRICT, schema_version included. */
  strict: boolean;
  users: readonly V1User[];
  invites?: readonly V1Invite[];
}

/** SQL that builds the version 1 schema, records version 1 and inserts the rows. */
export function v1DatabaseSql(options: V1DatabaseOptions): string {
  const v1 = options.migrations.find((m) => m.version === 1);
  if (v1 === undefined) throw new Error('no version 1 migration');
  const users = options.users.map((u) => {
    const json = JSON.stringify({ name: u.name, roles: u.roles, traits: u.traits ?? {}, createdMs: u.createdMs });
    return `INSERT INTO users (name, json) VALUES (${text(u.name)}, ${text(json)});`;
  });
  const invites = (options.invites ?? []).map(
    (i) => `INSERT INTO invites (token_hash, user_name, expires_ms, created_by) VALUES (${text(i.tokenHash)}, ${text(i.user)}, ${i.expiresMs}, ${text(i.createdBy)});`,
  );
  return [
    `CREATE TABLE schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)${options.strict ? ' STRICT' : ''};`,
    v1.sql,
    'INSERT INTO schema_version (id, version) VALUES (1, 1);',
    ...users,
    ...invites,
  ].join('\n');
}

/** A SQL string literal (test data only). */
function text(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
