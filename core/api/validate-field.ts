import { invalidArgument } from '../domain/app-error.ts';
import { quoteShort } from '../domain/quote-short.ts';

/**
 * Field checks for incoming messages. Every message names the field at fault, so a garbage
 * call gets INVALID_ARGUMENT with a reason instead of a crash deeper down.
 */

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@+-]*$/;
const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function requireString(field: string, value: unknown, maxBytes: number): string {
  if (typeof value !== 'string') throw invalidArgument(`${field}: must be a string`);
  if (Buffer.byteLength(value) > maxBytes) throw invalidArgument(`${field}: longer than ${maxBytes} bytes`);
  return value;
}

export function requireNonEmpty(field: string, value: unknown, maxBytes: number): string {
  const s = requireString(field, value, maxBytes);
  if (s.trim() === '') throw invalidArgument(`${field}: is required`);
  return s;
}

/** A user, role or plugin name: 1..128 characters of letters, digits and `._@+-`. */
export function requireName(field: string, value: unknown): string {
  const s = requireNonEmpty(field, value, 128);
  if (!NAME_PATTERN.test(s)) throw invalidArgument(`${field}: invalid name ${quoteShort(s)} (letters, digits and ._@+- only)`);
  return s;
}

export function optionalName(field: string, value: unknown): string {
  if (value === undefined || value === '') return '';
  return requireName(field, value);
}

export function requireRequestId(field: string, value: unknown): string {
  const s = requireNonEmpty(field, value, 64);
  if (!ID_PATTERN.test(s)) throw invalidArgument(`${field}: invalid access request id ${quoteShort(s)} (expected a UUID)`);
  return s;
}

export function requireList<T>(field: string, value: unknown, max: number, each: (f: string, v: unknown) => T): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalidArgument(`${field}: must be a list`);
  if (value.length > max) throw invalidArgument(`${field}: more than ${max} entries`);
  return value.map((v, i) => each(`${field}[${i}]`, v));
}

export function requireStringMap(field: string, value: unknown, maxEntries: number, maxValueBytes: number): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidArgument(`${field}: must be a map`);
  const entries = Object.entries(value);
  if (entries.length > maxEntries) throw invalidArgument(`${field}: more than ${maxEntries} entries`);
  const out: Record<string, string> = {};
  for (const [key, v] of entries) {
    requireNonEmpty(`${field} key`, key, 256);
    out[key] = requireString(`${field}[${quoteShort(key)}]`, v, maxValueBytes);
  }
  return out;
}

/** A non-negative duration or time in ms that fits comfortably in a JS number. */
export function requireMillis(field: string, value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalidArgument(`${field}: must be a non-negative integer of milliseconds`);
  }
  return value;
}

export function requirePageSize(field: string, value: unknown, fallback: number, max: number): number {
  const n = requireMillis(field, value);
  if (n === 0) return fallback;
  if (n > max) throw invalidArgument(`${field}: at most ${max}`);
  return n;
}

export function requireOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw invalidArgument(`${field}: must be one of ${allowed.join(', ')} (got ${typeof value === 'string' ? quoteShort(value) : String(value)})`);
}
