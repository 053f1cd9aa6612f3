import { v7 as uuidv7 } from 'uuid';
import { invalidArgument } from './app-error.ts';
import { quoteShort } from './quote-short.ts';

/** An access request id: a lowercase UUID, made only by {@link newRequestId} or {@link parseRequestId}. */
export type RequestId = string & { readonly __brand: 'RequestId' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A new request id: a UUIDv7, so ids sort in creation order (the store lists by id). */
export function newRequestId(): RequestId {
  return uuidv7() as RequestId;
}

/**
 * Validates an access request id (any UUID version, case-insensitive) and returns it in
 * lowercase canonical form.
 *
 * @throws AppError `invalid_argument` `invalid access request id "<s>"`.
 */
export function parseRequestId(s: string): RequestId {
  const id = s.toLowerCase();
  if (!UUID.test(id)) throw invalidArgument(`invalid access request id ${quoteShort(s)}`);
  return id as RequestId;
}
