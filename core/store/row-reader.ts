import type { z } from 'zod';
import { AppError } from '../domain/app-error.ts';

/**
 * Typed, validating access to one database row. Both drivers hand back loosely typed rows
 * (`node:sqlite`: numbers/strings/bigints; `pg`: BIGINT as string, jsonb already parsed), so
 * every column goes through one of these getters. A mismatch is a corrupt or foreign database:
 * `internal`, naming table and column.
 */
export interface RowReader {
  string(column: string): string;
  /** An integer that fits in a JS number (pg returns BIGINT as a decimal string). */
  integer(column: string): number;
  /** Like `integer`, but SQL NULL becomes undefined. */
  optionalInteger(column: string): number | undefined;
  /** A JSON document: text (SQLite) or already parsed (pg jsonb), validated by `schema`. */
  json<T>(column: string, schema: z.ZodType<T>): T;
  /** Like `json`, but SQL NULL becomes undefined. */
  optionalJson<T>(column: string, schema: z.ZodType<T>): T | undefined;
}

export function readRow(row: Readonly<Record<string, unknown>>, table: string): RowReader {
  const corrupt = (column: string, why: string, cause?: unknown): AppError =>
    new AppError('internal', `stored ${table}.${column} is invalid: ${why}`, { cause });

  const integerOf = (column: string, value: unknown): number => {
    let n: number;
    if (typeof value === 'number') n = value;
    else if (typeof value === 'bigint') n = Number(value);
    else if (typeof value === 'string' && /^-?\d+$/.test(value)) n = Number(value);
    else throw corrupt(column, `expected an integer, got ${typeof value}`);
    if (!Number.isSafeInteger(n)) throw corrupt(column, 'integer out of range');
    return n;
  };

  return {
    string(column) {
      const value = row[column];
      if (typeof value !== 'string') throw corrupt(column, `expected text, got ${typeof value}`);
      return value;
    },
    integer(column) {
      return integerOf(column, row[column]);
    },
    optionalInteger(column) {
      const value = row[column];
      return value === null || value === undefined ? undefined : integerOf(column, value);
    },
    optionalJson(column, schema) {
      const value = row[column];
      return value === null || value === undefined ? undefined : this.json(column, schema);
    },
    json(column, schema) {
      let value = row[column];
      if (typeof value === 'string') {
        try {
          value = JSON.parse(value);
        } catch (err) {
          throw corrupt(column, 'not JSON', err);
        }
      }
      const parsed = schema.safeParse(value);
      if (!parsed.success) throw corrupt(column, parsed.error.message, parsed.error);
      return parsed.data;
    },
  };
}
