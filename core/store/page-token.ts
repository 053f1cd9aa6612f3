import { invalidArgument } from '../domain/app-error.ts';
import type { Page } from './store.ts';

/** Largest accepted `pageSize` (see RequestQuery / AuditQuery). */
export const MAX_PAGE_SIZE = 1000;

/**
 * Page tokens are base64url of a tiny JSON document holding the last key of the previous
 * page, e.g. `{"k":"0197…"}`. They are opaque to callers; the store only trusts them after
 * checking their shape, and a malformed token is `invalid_argument`.
 */
export function encodePageToken(lastKey: string | number): string {
  return Buffer.from(JSON.stringify({ k: lastKey }), 'utf8').toString('base64url');
}

/** The last request id of the previous page, or undefined for the first page. */
export function decodeStringPageToken(token: string | undefined): string | undefined {
  const key = decodeKey(token);
  if (key === undefined) return undefined;
  if (typeof key !== 'string') throw invalidArgument('invalid page token');
  return key;
}

/** The last audit id of the previous page, or undefined for the first page. */
export function decodeIntegerPageToken(token: string | undefined): number | undefined {
  const key = decodeKey(token);
  if (key === undefined) return undefined;
  if (typeof key !== 'number' || !Number.isSafeInteger(key)) throw invalidArgument('invalid page token');
  return key;
}

/** Throws `invalid_argument` unless 1 <= pageSize <= MAX_PAGE_SIZE. */
export function checkPageSize(pageSize: number): void {
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw invalidArgument(`page size must be between 1 and ${MAX_PAGE_SIZE}, got ${pageSize}`);
  }
}

/** `items` holds up to pageSize + 1 rows; the extra one only says that another page exists. */
export function toPage<T>(items: T[], pageSize: number, keyOf: (item: T) => string | number): Page<T> {
  if (items.length <= pageSize) return { items, nextPageToken: '' };
  const page = items.slice(0, pageSize);
  const last = page.at(-1);
  return { items: page, nextPageToken: last === undefined ? '' : encodePageToken(keyOf(last)) };
}

function decodeKey(token: string | undefined): unknown {
  if (token === undefined || token === '') return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidArgument('invalid page token');
  }
  if (typeof doc !== 'object' || doc === null || !('k' in doc)) throw invalidArgument('invalid page token');
  return doc.k;
}
