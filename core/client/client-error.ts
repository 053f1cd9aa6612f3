import { status, type ServiceError } from '@grpc/grpc-js';

/** gRPC status names by number, e.g. 3 -> "INVALID_ARGUMENT". */
const STATUS_NAMES = new Map<number, string>(
  Object.entries(status)
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
    .map(([name, code]) => [code, name]),
);

/**
 * An error returned by the Gatehouse server, with the gRPC status name (`code`) and the
 * server's message (`details`) kept apart so callers can match on the code.
 */
export class GatehouseError extends Error {
  readonly code: string;
  readonly grpcCode: number;
  readonly details: string;

  constructor(grpcCode: number, details: string, options?: { cause?: unknown }) {
    const code = STATUS_NAMES.get(grpcCode) ?? `CODE_${grpcCode}`;
    super(`${code}: ${details}`, options);
    this.name = 'GatehouseError';
    this.code = code;
    this.grpcCode = grpcCode;
    this.details = details;
  }

  /** Converts a grpc-js ServiceError (or anything thrown) into a GatehouseError. */
  static from(err: unknown): GatehouseError {
    if (err instanceof GatehouseError) return err;
    if (isServiceError(err)) return new GatehouseError(err.code, err.details || err.message, { cause: err });
    return new GatehouseError(status.UNKNOWN, err instanceof Error ? err.message : String(err), { cause: err });
  }
}

function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number';
}
