import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStore } from '../../../core/store/create-store.ts';
import { expectAppError } from './store-fixtures.ts';

describe('createStore', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-create-store-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['a plain path', (p: string) => p],
    ['sqlite:PATH', (p: string) => `sqlite:${p}`],
    ['sqlite:///PATH', (p: string) => `sqlite://${p}`],
  ])('opens SQLite for %s', async (_name, toUrl) => {
    const path = join(dir, 'gatehouse.db');
    const store = await createStore(toUrl(path));
    try {
      expect(await store.lastPosition()).toBe(0);
      expect(existsSync(path)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('refuses other schemes without echoing the rest of the URL', async () => {
    const err = await expectAppError(createStore('mysql://root:hunter2@db/gatehouse'), 'invalid_argument', 'mysql');
    expect(err.message).not.toContain('hunter2');
  });

  it('refuses an empty SQLite path', async () => {
    await expectAppError(createStore('sqlite:'), 'invalid_argument');
    await expectAppError(createStore(''), 'invalid_argument');
  });
});
