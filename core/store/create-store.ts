import { invalidArgument, type AppError } from '../domain/app-error.ts';
import { openPostgresStore } from './postgres/postgres-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { StoreLog } from './store-log.ts';
import type { Store, StoreObserver } from './store.ts';

export interface CreateStoreOptions {
  /** @default a logger that discards everything */
  log?: StoreLog;
  /** Clock for event and audit times. @default Date.now */
  now?: () => number;
  /**
   * Called once if the store stops for good and only a restart can recover it (SQLite: a sync
   * to disk failed). PostgreSQL never stops so: it reconnects after connection errors.
   */
  onFatal?: (err: AppError) => void;
  /** Told how long each commit (and, for SQLite, each sync to disk) took: metrics. */
  observe?: StoreObserver;
}

/**
 * Opens the store a configuration URL names:
 * - `postgres://…` or `postgresql://…`: PostgreSQL (several replicas may share it);
 * - `sqlite:PATH` (`sqlite:///abs/path` also works) or a plain file path: SQLite, one server.
 *
 * @throws AppError `invalid_argument` for an empty path or another URL scheme, plus whatever the
 * chosen backend throws when opening (`unavailable`, `failed_precondition`).
 */
export async function createStore(url: string, options: CreateStoreOptions = {}): Promise<Store> {
  const common = {
    ...(options.log ? { log: options.log } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.observe ? { observe: options.observe } : {}),
  };
  if (/^postgres(ql)?:\/\//i.test(url)) {
    return openPostgresStore({ connectionString: url, ...common });
  }
  let path = url;
  if (/^sqlite:/i.test(url)) {
    path = url.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2); // sqlite:///var/lib/x.db -> /var/lib/x.db
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    // Only the scheme: the rest may hold a password.
    throw invalidArgument(`unsupported store URL scheme "${url.slice(0, url.indexOf(':'))}" (use sqlite: or postgres://)`);
  }
  if (path.trim() === '') throw invalidArgument('store URL names no SQLite file');
  return openSqliteStore({ path, ...common, ...(options.onFatal ? { onFatal: options.onFatal } : {}) });
}
