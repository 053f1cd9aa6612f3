import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../core/domain/app-error.ts';
import { SqliteConnection } from '../../../core/store/sqlite/sqlite-connection.ts';
import { silentLog } from '../../../core/store/store-log.ts';

/** Group commit on a real SQLite file: each write's outcome stands alone, whatever it wrote first. */
describe('SqliteConnection.batch', () => {
  let dir: string;
  let db: SqliteConnection;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-sqlite-batch-'));
    db = SqliteConnection.open(join(dir, 'gatehouse.db'), 1000, silentLog);
    db.run('CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY) STRICT');
  });

  afterEach(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  const keys = (): string[] => db.all('SELECT k FROM t ORDER BY k').map((r) => String(r.k));
  const insert = (k: string) => () => {
    db.run('INSERT INTO t (k) VALUES (?)', k);
    return k;
  };
  const insertThenFail = (k: string) => () => {
    db.run('INSERT INTO t (k) VALUES (?)', k);
    throw new AppError('failed_precondition', `write ${k} failed after writing`);
  };

  it('commits every write of a batch that all succeed', () => {
    const outcomes = db.batch([{ fn: insert('a') }, { fn: insert('b') }, { fn: insert('c') }]);
    expect(outcomes).toEqual([{ ok: true, value: 'a' }, { ok: true, value: 'b' }, { ok: true, value: 'c' }]);
    expect(keys()).toEqual(['a', 'b', 'c']);
  });

  it('undoes only the write that failed, including what it wrote before failing', () => {
    const outcomes = db.batch([{ fn: insert('a') }, { fn: insertThenFail('b') }, { fn: insert('c') }]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect(outcomes[1]).toMatchObject({ ok: false, error: { code: 'failed_precondition', message: 'write b failed after writing' } });
    expect(keys()).toEqual(['a', 'c']);
  });

  it('undoes a lone failing write and leaves the connection usable', () => {
    expect(db.batch([{ fn: insertThenFail('x') }]).map((o) => o.ok)).toEqual([false]);
    expect(keys()).toEqual([]);
    expect(db.batch([{ fn: insert('y') }]).map((o) => o.ok)).toEqual([true]);
    expect(keys()).toEqual(['y']);
  });

  it('reports a constraint violation per write, with the caller\'s message', () => {
    db.batch([{ fn: insert('a') }]);
    const outcomes = db.batch([
      { fn: insert('b') },
      { fn: insert('a'), messages: { alreadyExists: 'key a already exists' } },
      { fn: insert('c') },
    ]);
    expect(outcomes[1]).toMatchObject({ ok: false, error: { code: 'already_exists', message: 'key a already exists' } });
    expect(keys()).toEqual(['a', 'b', 'c']);
  });
});
