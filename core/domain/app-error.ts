/**
 * The one error type of Gatehouse. A closed set of codes, each mapped to one gRPC status by
 * the API layer. `cause` is for logs only and never sent to a client.
 */
export const ERROR_CODES = [
  'invalid_argument',
  'not_found',
  'already_exists',
  'permission_denied',
  'unauthenticated',
  'failed_precondition',
  'aborted',
  'out_of_range',
  'resource_exhausted',
  'unavailable',
  'unimplemented',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }

  /** Wraps anything thrown into an AppError; unknown errors become `internal` with the original as cause. */
  static from(err: unknown): AppError {
    if (err instanceof AppError) return err;
    return new AppError('internal', 'internal error', { cause: err });
  }
}

export const invalidArgument = (message: string): AppError => new AppError('invalid_argument', message);
export const notFound = (message: string): AppError => new AppError('not_found', message);
export const permissionDenied = (message: string): AppError => new AppError('permission_denied', message);
export const failedPrecondition = (message: string): AppError => new AppError('failed_precondition', message);
