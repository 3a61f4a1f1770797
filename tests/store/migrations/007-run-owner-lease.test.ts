// Migration 7 on an in-memory database: runs gain the owner's start time; rows written before keep every
// value (a pending cancel request included), with no start time (their owner is judged by its pid alone).
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, readUserVersion } from '../../../src/main/store/migrations';
import { insertOldRun } from '../helpers/oldRun';

let db: Database.Database;
beforeEach(() => {
  db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, 6);
  insertOldRun(db);
  // A run left running by a process known only by its pid, which another process has asked to stop.
  db.prepare(
    `UPDATE runs SET status = 'running', owner_pid = 321, cancel_requested_at = 't2' WHERE id = 'old'`,
  ).run();
});
afterEach(() => db.close());

describe('migration 007-run-owner-lease', () => {
  it('moves user_version from 6 to 7', () => {
    expect(migrate(db, 7)).toBe(7);
    expect(readUserVersion(db)).toBe(7);
  });

  it('keeps an existing run whole, with no owner start time', () => {
    migrate(db, 7);
    expect(
      db
        .prepare(`SELECT status, owner_pid, owner_started, cancel_requested_at FROM runs WHERE id = 'old'`)
        .get(),
    ).toEqual({
      status: 'running',
      owner_pid: 321,
      owner_started: null,
      cancel_requested_at: 't2',
    });
  });

  it('stores the start time as text only (STRICT)', () => {
    migrate(db, 7);
    const set = (value: unknown) =>
      db.prepare(`UPDATE runs SET owner_started = ? WHERE id = 'old'`).run(value);
    expect(() => set('linux:boot:12345')).not.toThrow();
    expect(() => set(Buffer.from('x'))).toThrow(/cannot store BLOB/);
  });
});
