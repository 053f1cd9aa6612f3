import { createHash } from 'node:crypto';
import { Pool } from 'pg';
import type { PoolClient } from 'pg';
import { AppError } from '../../domain/app-error.ts';
import { SLOW_TRANSACTION_MS } from '../store-log.ts';
import type { StoreLog } from '../store-log.ts';
import { translatePgError } from './postgres-errors.ts';
import type { ConstraintMessages } from './postgres-errors.ts';
import { migratePostgres } from './postgres-migrations.ts';
import { toPositional } from './to-positional.ts';

export type Row = Record<string, unknown>;
/** Runs one statement with `?` placeholders; rows are left for the caller to validate. */
export type Query = (sql: string, params: readonly unknown[]) => Promise<Row[]>;

export interface PostgresConnectionOptions {
  connectionString: string;
  maxConnections: number;
  connectTimeoutMs: number;
}

/**
 * The `pg` Pool behind PostgresStore: transactions, single statements, named prepared
 * statements, and driver errors translated to AppError at this edge.
 */
export class PostgresConnection {
  readonly #pool: Pool;
  readonly #log: StoreLog;
  readonly #statementNames = new Map<string, string>();
  #closing: Promise<void> | undefined;

  /** Creates the pool and applies pending migrations. */
  static async open(options: PostgresConnectionOptions, log: StoreLog): Promise<PostgresConnection> {
    const pool = new Pool({
      connectionString: options.connectionString,
      max: options.maxConnections,
      connectionTimeoutMillis: options.connectTimeoutMs,
      application_name: 'gatehouse',
    });
    // An idle pooled connection that dies emits here; unhandled, it would crash the process.
    pool.on('error', (err) => log.warn({ err }, 'idle PostgreSQL connection failed'));
    try {
      const client = await pool.connect();
      try {
        await migratePostgres(client);
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end();
      throw translatePgError(err);
    }
    return new PostgresConnection(pool, log);
  }

  private constructor(pool: Pool, log: StoreLog) {
    this.#pool = pool;
    this.#log = log;
  }

  /** BEGIN … COMMIT on one pooled connection (READ COMMITTED), ROLLBACK if `fn` throws. */
  async transaction<T>(fn: (query: Query) => Promise<T>, messages?: ConstraintMessages): Promise<T> {
    const client = await this.#connect();
    const started = performance.now();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn((sql, params) => this.#query(client, sql, params));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        // The connection is unusable; release(err) destroys it instead of pooling it.
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      }
      throw translatePgError(err, messages);
    } finally {
      client.release(broken);
      const elapsedMs = performance.now() - started;
      if (elapsedMs > SLOW_TRANSACTION_MS) this.#log.warn({ elapsedMs }, 'slow PostgreSQL transaction');
    }
  }

  /** One statement in its own implicit transaction (autocommit). */
  async query(sql: string, params: readonly unknown[]): Promise<Row[]> {
    const client = await this.#connect();
    try {
      return await this.#query(client, sql, params);
    } catch (err) {
      throw translatePgError(err);
    } finally {
      client.release();
    }
  }

  /** Idempotent; waits for checked-out connections to be released. */
  async close(): Promise<void> {
    this.#closing ??= this.#pool.end();
    return this.#closing;
  }

  async #connect(): Promise<PoolClient> {
    if (this.#closing !== undefined) throw new AppError('unavailable', 'store is closed');
    try {
      return await this.#pool.connect();
    } catch (err) {
      throw translatePgError(err);
    }
  }

  /** A named prepared statement: pg prepares it once per connection, then reuses the plan. */
  async #query(client: PoolClient, sql: string, params: readonly unknown[]): Promise<Row[]> {
    let name = this.#statementNames.get(sql);
    if (name === undefined) {
      name = `gh_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
      this.#statementNames.set(sql, name);
    }
    const result = await client.query<Row>({ name, text: toPositional(sql), values: [...params] });
    return result.rows;
  }
}
