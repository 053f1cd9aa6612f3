import type { ServiceError } from '@grpc/grpc-js';

/**
 * The gRPC status codes, by name: the closed set a `GatehouseError` carries (as in connect-es).
 * Match on these names (`err.code === 'NOT_FOUND'`), never on numbers or message text.
 */
export const CODES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

export type Code = (typeof CODES)[number];

/** The gRPC number of each code (the index in CODES is the number, as in the gRPC spec). */
function codeOf(grpcCode: number): Code {
  return CODES[grpcCode] ?? 'UNKNOWN';
}

/**
 * Codes that say the server was not reached, or the call did not finish there: worth another
 * attempt (possibly at another address). Anything else is the server's answer.
 */
const TRANSIENT: ReadonlySet<Code> = new Set(['UNAVAILABLE', 'DEADLINE_EXCEEDED', 'CANCELLED', 'UNKNOWN', 'INTERNAL']);

/**
 * An error from a Gatehouse call: a status `code` from the closed set, the server's message
 * (`details`) kept apart, and the original error as `cause` (logged, never matched on).
 */
export class GatehouseError extends Error {
  readonly code: Code;
  readonly details: string;

  constructor(code: Code, details: string, options?: { cause?: unknown }) {
    super(`${code}: ${details}`, options);
    this.name = 'GatehouseError';
    this.code = code;
    this.details = details;
  }

  /** The gRPC status number of `code`. */
  get grpcCode(): number {
    return CODES.indexOf(this.code);
  }

  /** Whether the call may succeed if tried again (the server was not reached or did not answer). */
  get transient(): boolean {
    return TRANSIENT.has(this.code);
  }

  /** Converts a grpc-js ServiceError (or anything thrown) into a GatehouseError. */
  static from(err: unknown): GatehouseError {
    if (err instanceof GatehouseError) return err;
    if (isServiceError(err)) return new GatehouseError(codeOf(err.code), err.details || err.message, { cause: err });
    return new GatehouseError('UNKNOWN', err instanceof Error ? err.message : String(err), { cause: err });
  }

  /** Whether `err` is a GatehouseError, with one of `codes` when any are given. */
  static is(err: unknown, ...codes: readonly Code[]): err is GatehouseError {
    return err instanceof GatehouseError && (codes.length === 0 || codes.includes(err.code));
  }
}

function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number';
}
