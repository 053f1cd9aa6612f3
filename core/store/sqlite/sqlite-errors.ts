import { AppError } from '../../domain/app-error.ts';

// Primary result codes (the low byte of the extended code); see https://sqlite.org/rescode.html
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_READONLY = 8;
const SQLITE_IOERR = 10;
const SQLITE_CORRUPT = 11;
const SQLITE_FULL = 13;
const SQLITE_CANTOPEN = 14;
const SQLITE_CONSTRAINT = 19;
// Extended constraint codes.
const SQLITE_CONSTRAINT_FOREIGNKEY = 787;
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;
const SQLITE_CONSTRAINT_UNIQUE = 2067;

/** What to say when a statement hits a unique or foreign-key constraint. */
export interface ConstraintMessages {
  alreadyExists?: string;
  notFound?: string;
}

/**
 * Translates a node:sqlite error (code `ERR_SQLITE_ERROR`, numeric `errcode`) into an AppError;
 * AppErrors pass through. The driver error stays as `cause`, for logs only.
 */
export function translateSqliteError(err: unknown, messages: ConstraintMessages = {}): AppError {
  if (err instanceof AppError) return err;
  const errcode = sqliteErrcode(err);
  if (errcode === undefined) return AppError.from(err);
  const fail = (code: AppError['code'], message: string): AppError => new AppError(code, message, { cause: err });
  switch (errcode) {
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_UNIQUE:
      return fail('already_exists', messages.alreadyExists ?? 'already exists');
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return fail('not_found', messages.notFound ?? 'referenced row not found');
  }
  switch (errcode & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return fail('unavailable', 'database is busy');
    case SQLITE_FULL:
      return fail('resource_exhausted', 'database or disk is full');
    case SQLITE_READONLY:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return fail('unavailable', 'database is not writable');
    case SQLITE_CORRUPT:
      return fail('internal', 'database is corrupt');
    case SQLITE_CONSTRAINT:
      return fail('internal', 'constraint failed');
    default:
      return fail('internal', 'internal error');
  }
}

function sqliteErrcode(err: unknown): number | undefined {
  if (!(err instanceof Error) || !('code' in err) || err.code !== 'ERR_SQLITE_ERROR') return undefined;
  return 'errcode' in err && typeof err.errcode === 'number' ? err.errcode : undefined;
}
