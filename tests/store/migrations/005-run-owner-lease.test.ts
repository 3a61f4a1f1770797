// Migration 5 on an in-memory database: runs gain the owner's start time; rows written before keep every
// value, with no start time (their owner is judged by its pid alone).
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, readUserVersion } from '../../../src/main/store/migrations';
import { insertOldRun } from '../helpers/oldRun';

let db: Database.Database;
beforeEach(() => {
  db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, 4);
  insertOldRun(db);
  // A run left running by a process known only by its pid.
  db.prepare(`UPDATE runs SET status = 'running', owner_pid = 321 WHERE id = 'old'`).run();
});
afterEach(() => db.close());

describe('migration 005-run-owner-lease', () => {
  it('moves user_version from 4 to 5', () => {
    expect(migrate(db, 5)).toBe(5);
    expect(readUserVersion(db)).toBe(5);
  });

  it('keeps an existing run whole, with no owner start time', () => {
    migrate(db, 5);
    expect(db.prepare(`SELECT status, owner_pid, owner_started FROM runs WHERE id = 'old'`).get()).toEqual({
      status: 'running',
      owner_pid: 321,
      owner_started: null,
    });
  });

  it('stores the start time as text only (STRICT)', () => {
    migrate(db, 5);
    const set = (value: unknown) =>
      db.prepare(`UPDATE runs SET owner_started = ? WHERE id = 'old'`).run(value);
    expect(() => set('linux:boot:12345')).not.toThrow();
    expect(() => set(Buffer.from('x'))).toThrow(/cannot store BLOB/);
  });
});
