/**
 * The slice of a pino logger the store needs. A pino `Logger` (or `log.child(...)`) satisfies
 * it structurally, so the store does not depend on pino at runtime.
 */
export interface StoreLog {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Discards everything; the default when no logger is passed. */
export const silentLog: StoreLog = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** A transaction slower than this is logged at warn (Teleport logs `SLOW TRANSACTION` too). */
export const SLOW_TRANSACTION_MS = 1_000;
