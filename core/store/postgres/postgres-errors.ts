import { AppError } from '../../domain/app-error.ts';

/** What to say when a statement hits a unique or foreign-key constraint. */
export interface ConstraintMessages {
  alreadyExists?: string;
  notFound?: string;
}

// Node socket errors that mean "the database is not reachable right now".
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);

/**
 * Translates a `pg` error into an AppError; AppErrors pass through. SQLSTATE classes
 * (https://www.postgresql.org/docs/current/errcodes-appendix.html) decide the code; the driver
 * error stays as `cause`, for logs only.
 */
export function translatePgError(err: unknown, messages: ConstraintMessages = {}): AppError {
  if (err instanceof AppError) return err;
  const fail = (code: AppError['code'], message: string): AppError => new AppError(code, message, { cause: err });
  const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
  if (code === undefined) {
    // pg raises plain Errors for a dropped connection or a connect timeout.
    if (err instanceof Error && /connection|timeout|terminated/i.test(err.message)) {
      return fail('unavailable', 'database connection lost');
    }
    return AppError.from(err);
  }
  if (NETWORK_ERRORS.has(code)) return fail('unavailable', 'database unreachable');
  switch (code) {
    case '23505': // unique_violation
      return fail('already_exists', messages.alreadyExists ?? 'already exists');
    case '23503': // foreign_key_violation
      return fail('not_found', messages.notFound ?? 'referenced row not found');
    case '40001': // serialization_failure
    case '40P01': // deadlock_detected
      return fail('aborted', 'concurrent update conflict, try again');
    case '53100': // disk_full
    case '53200': // out_of_memory
      return fail('resource_exhausted', 'database out of resources');
    case '57014': // query_canceled (statement_timeout)
      return fail('unavailable', 'database query timed out');
    case '3D000': // invalid_catalog_name: the database does not exist
      return fail('unavailable', 'database does not exist');
  }
  switch (code.slice(0, 2)) {
    case '08': // connection exception
    case '53': // insufficient resources (e.g. too many connections)
    case '57': // operator intervention (shutdown, cannot connect now)
    case '28': // invalid authorization
      return fail('unavailable', 'database unavailable');
    default:
      return fail('internal', 'internal error');
  }
}
