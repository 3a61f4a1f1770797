// The migration mechanism and openDb's guards: one transaction for all pending steps, newer databases
// refused untouched, non-databases refused untouched.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/shared/errors';
import { latestVersion, openDb, openStore } from '../../src/main/store';
import { migrate, migrations, readUserVersion, type Migration } from '../../src/main/store/migrations';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'prunelab-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function catchError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('migrate', () => {
  it('lists migrations 1..N without gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    expect(latestVersion).toBe(migrations.length);
  });

  it('rolls every pending step back when one fails', () => {
    const db = new Database(':memory:');
    const failing: Migration = {
      version: 2,
      name: '002-broken',
      up(d) {
        d.exec('CREATE TABLE half_done (x INTEGER) STRICT');
        throw new Error('boom');
      },
    };
    expect(() => migrate(db, 2, [...migrations.slice(0, 1), failing])).toThrow('boom');
    expect(readUserVersion(db)).toBe(0);
    expect(db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'`).get()).toEqual({
      n: 0,
    });
    db.close();
  });
});

describe('openDb', () => {
  it('creates a new database in WAL mode with foreign keys, busy timeout and synchronous=NORMAL', () => {
    const db = openDb(join(dir, 'prunelab.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(readUserVersion(db)).toBe(latestVersion);
    db.close();
  });

  it('reopens an existing database and keeps its rows', () => {
    const path = join(dir, 'prunelab.db');
    const first = openStore(path);
    first.settings.update({ theme: 'dark' });
    first.close();
    const second = openStore(path);
    expect(second.settings.get().theme).toBe('dark');
    second.close();
  });

  it('refuses a database from a newer PruneLab with a STORE error and leaves the file as it was', () => {
    const path = join(dir, 'prunelab.db');
    const future = new Database(path);
    future.exec('CREATE TABLE from_the_future (x INTEGER)');
    future.pragma(`user_version = ${latestVersion + 1}`);
    future.close();
    const before = sha(path);

    const err = catchError(() => openStore(path));
    expect(err.code).toBe('STORE');
    expect(err.message).toContain(`schema version ${latestVersion + 1}`);
    expect(err.message).toContain('newer PruneLab');
    expect(sha(path)).toBe(before);
    expect(existsSync(`${path}-wal`)).toBe(false);
    const check = new Database(path, { readonly: true });
    expect(check.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(check.pragma('user_version', { simple: true })).toBe(latestVersion + 1);
    check.close();
  });

  it('refuses a file that is not a database, without changing it', () => {
    const path = join(dir, 'prunelab.db');
    writeFileSync(path, 'these are not the bytes you are looking for'.repeat(100));
    const before = sha(path);
    const err = catchError(() => openStore(path));
    expect(err.code).toBe('STORE');
    expect(err.message).toMatch(/not a PruneLab database/);
    expect(sha(path)).toBe(before);
  });

  it('reports a path it cannot open as a STORE error', () => {
    const err = catchError(() => openStore(join(dir, 'no', 'such', 'dir', 'prunelab.db')));
    expect(err.code).toBe('STORE');
    expect(err.message).toMatch(/Cannot open the database/);
  });
});
