import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { invalidArgument } from './app-error.ts';
import { quoteShort } from './quote-short.ts';

/** An access request id: a lowercase UUID, made only by {@link newRequestId} or {@link parseRequestId}. */
export type RequestId = string & { readonly __brand: 'RequestId' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Random bytes for new ids, drawn from the CSPRNG in blocks: uuid asks for 16 bytes per id, and
 * each such call cost ~40 µs on a server between requests, a twentieth of a create+approve.
 */
const randomPool = new Uint8Array(16 * 256);
let poolOffset = randomPool.length;
/** The millisecond and sequence of the last id (as uuid keeps them), so ids sort in creation order. */
let lastMs = -Infinity;
let lastSeq = 0;

/** A new request id: a UUIDv7, so ids sort in creation order (the store lists by id). */
export function newRequestId(): RequestId {
  if (poolOffset === randomPool.length) {
    randomFillSync(randomPool);
    poolOffset = 0;
  }
  const random = randomPool.subarray(poolOffset, (poolOffset += 16));
  const now = Date.now();
  if (now > lastMs) {
    // A new millisecond starts its 31-bit sequence at a random value (uuid's v7 does the same).
    lastMs = now;
    lastSeq = (((random[6] ?? 0) & 0x7f) << 24) | ((random[7] ?? 0) << 16) | ((random[8] ?? 0) << 8) | (random[9] ?? 0);
  } else {
    // Same (or an earlier: the clock stepped back) millisecond: count on, borrowing the next one on overflow.
    lastSeq = (lastSeq + 1) | 0;
    if (lastSeq === 0) lastMs++;
  }
  return uuidv7({ random, msecs: lastMs, seq: lastSeq }) as RequestId;
}

/**
 * The smallest request id made at `ms` or later: UUIDv7 ids begin with their creation time in
 * milliseconds (48 bits, hex), so `id >= firstRequestIdAt(ms)` selects the requests created at
 * or after `ms` as a range of ids.
 */
export function firstRequestIdAt(ms: number): string {
  const hex = Math.max(0, Math.min(ms, 2 ** 48 - 1)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
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
